import { expect } from 'chai';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { NodeRequests } from '../../../../actors/discoro/protocol.js';
import { isAlive, until } from '../../../helpers.js';
import { killAllPeerProcesses, PeerProcess } from '../../../fixtures/index.js';
import { CLIENT_COMMANDS } from '../clientCommands.js';
import { discoroFixture, SECRET, statusLog, WORK } from '../discoroFixture.js';

/**
 * A real discoronode process, and clients that are real processes sharing its secret: an honest
 * one (a Computation) and hostile ones that send the protocol's requests by hand.
 */
describe('discoronode requests: a computation is its owner\'s; limits per client', function () {
  this.timeout(60_000);
  const fx = discoroFixture();
  let work: string;
  const client = (): Promise<PeerProcess> => PeerProcess.start({ secret: SECRET, extension: CLIENT_COMMANDS }, 20_000);
  before(() => {
    work = fx.component('work.mjs', WORK);
  });
  after(async () => {
    await killAllPeerProcesses();
    await fx.cleanup();
  });

  it("another client holding the secret cannot reserve under, set up, pulse or close one's computation, waiting or served: NotComputationOwnerError, and nothing changes", async () => {
    const node = await fx.node(['--cpus', '1']);
    const [a, b, h] = await Promise.all([client(), client(), client()]);
    const scheduled = await a.command({ cmd: 'schedule', node: node.location, components: [work] }, 30_000);
    expect(scheduled.ok, JSON.stringify(scheduled)).to.equal(true);
    const id = scheduled.id as string;
    const attacks: Array<[string, unknown[]]> = [
      [NodeRequests.reserve, [id, 1, null]],
      [NodeRequests.setup, [id, { modules: [], sources: [{ name: 'evil', source: '() => process.exit(9)' }] }]],
      [NodeRequests.pulse, [id]],
      [NodeRequests.close, [id]],
    ];
    for (const [type, body] of attacks) {
      const answer = await b.command({ cmd: 'request', node: node.location, type, body });
      expect(answer.error, `${type}: ${JSON.stringify(answer)}`).to.equal('ERR_DISCORO_NOT_OWNER');
    }
    // Nothing changed: the same server runs A's jobs, the folder is there, A was told nothing.
    expect(await a.command({ cmd: 'run', fn: 'square', args: [7] })).to.deep.equal({ value: 49 });
    expect(scheduled.servers.every(isAlive)).to.equal(true);
    expect(existsSync(path.join(node.dir, id))).to.equal(true);
    const { statuses } = await a.command({ cmd: 'statuses' });
    expect(statuses.map((s: { kind: string }) => s.kind)).to.not.include.members(['node-closed', 'node-closing', 'server-disconnected']);

    // A reservation that waits is its owner's too: H's waits behind A's, B cannot touch it.
    expect(await h.command({ cmd: 'request', node: node.location, type: NodeRequests.reserve, body: ['c-waiting-h', 1, null] })).to.have.nested.property('value.queued', 1);
    for (const [type, body] of [[NodeRequests.reserve, ['c-waiting-h', 1, null]], [NodeRequests.close, ['c-waiting-h']]] as const) {
      expect((await b.command({ cmd: 'request', node: node.location, type, body })).error, type).to.equal('ERR_DISCORO_NOT_OWNER');
    }
    expect(await h.command({ cmd: 'request', node: node.location, type: NodeRequests.reserve, body: ['c-waiting-h', 1, null] })).to.have.nested.property('value.queued', 1);
    // Its owner may close it.
    expect(await h.command({ cmd: 'request', node: node.location, type: NodeRequests.close, body: ['c-waiting-h'] })).to.deep.equal({ value: true });
    await a.command({ cmd: 'close' });
  });

  it('malformed requests are InvalidArgumentError (a component path out of the folder ComponentError), and nothing changes', async () => {
    const node = await fx.node(['--cpus', '1']);
    const [a, b] = await Promise.all([client(), client()]);
    const scheduled = await a.command({ cmd: 'schedule', node: node.location, components: [work] }, 30_000);
    const bad: Array<[string, unknown, string]> = [
      [NodeRequests.reserve, 'not an array', 'ERR_INVALID_ARGUMENT'],
      [NodeRequests.reserve, ['c-x', 1], 'ERR_INVALID_ARGUMENT'],
      [NodeRequests.reserve, ['../escape', 1, null], 'ERR_INVALID_ARGUMENT'],
      [NodeRequests.reserve, ['c-x', 1.5, null], 'ERR_INVALID_ARGUMENT'],
      [NodeRequests.reserve, ['c-x', 1, -5], 'ERR_INVALID_ARGUMENT'],
      [NodeRequests.reserve, ['c-x', -9, null], 'ERR_INVALID_ARGUMENT'],
      [NodeRequests.setup, [scheduled.id], 'ERR_INVALID_ARGUMENT'],
      [NodeRequests.setup, [scheduled.id, { modules: 'x', sources: [] }], 'ERR_INVALID_ARGUMENT'],
      [NodeRequests.setup, [scheduled.id, { modules: ['../../etc/passwd'], sources: [] }], 'ERR_DISCORO_COMPONENT'],
      [NodeRequests.pulse, [], 'ERR_INVALID_ARGUMENT'],
      [NodeRequests.close, [42], 'ERR_INVALID_ARGUMENT'],
      [NodeRequests.setup, ['c-unknown', { modules: [], sources: [] }], 'ERR_DISCORO_COMPUTATION_CLOSED'],
    ];
    for (const [type, body, code] of bad) {
      const answer = await b.command({ cmd: 'request', node: node.location, type, body });
      expect(answer.error, `${type} ${JSON.stringify(body)}: ${JSON.stringify(answer)}`).to.equal(code);
    }
    // Its owner setting it up again: refused too (ComponentError), its servers untouched.
    const again = await a.command({ cmd: 'request', node: node.location, type: NodeRequests.setup, body: [scheduled.id, { modules: [], sources: [] }] });
    expect(again.error, JSON.stringify(again)).to.equal('ERR_DISCORO_COMPONENT');
    expect(scheduled.servers.every(isAlive)).to.equal(true);
    expect(await a.command({ cmd: 'run', fn: 'square', args: [3] })).to.deep.equal({ value: 9 });
    // The slot is still A's and nothing waits: a reserve from B waits first in line.
    expect(await b.command({ cmd: 'request', node: node.location, type: NodeRequests.reserve, body: ['c-b', 1, null] })).to.have.nested.property('value.queued', 1);
    await a.command({ cmd: 'close' });
  });

  it('3000 reserve requests from one client: one waits, the rest are refused (WaitingLimitError); another client waits 2nd and gets the slot once the one ahead is done; the queue is capped', async () => {
    const node = await fx.node(['--cpus', '1', '--max-waiting', '3']);
    const [holder, flooder, late] = await Promise.all([client(), client(), client()]);
    expect((await holder.command({ cmd: 'schedule', node: node.location, components: [work] }, 30_000)).ok).to.equal(true);
    await flooder.command({ cmd: 'listen' });
    const flood = await flooder.command({ cmd: 'flood', node: node.location, n: 3000, prefix: 'c-flood' }, 60_000);
    expect(flood).to.deep.include({ granted: 0, queued: 1, refused: { ERR_DISCORO_WAITING_LIMIT: 2999 } });
    const [ahead] = flood.queuedIds as string[];

    const c = fx.computation({ components: [work], nodes: [node.location] });
    const log = statusLog(c);
    const scheduled = c.schedule({ timeout: 30_000 });
    const waiting = await log.until((s) => s.kind === 'node-waiting');
    expect(waiting.kind === 'node-waiting' && waiting.position).to.equal(2); // not 3001
    // The holder queues a second computation (one waiting per client: allowed); the queue is then full.
    expect(await holder.command({ cmd: 'request', node: node.location, type: NodeRequests.reserve, body: ['c-holder-2', 1, null] })).to.have.nested.property('value.queued', 3);
    const full = await late.command({ cmd: 'request', node: node.location, type: NodeRequests.reserve, body: ['c-late', 1, null] });
    expect(full.error).to.equal('ERR_DISCORO_WAITING_LIMIT');
    expect(full.message).to.match(/3 computations waiting, its limit/);

    // The holder leaves: the one ahead is granted; once it is done, the client gets the slot.
    await holder.command({ cmd: 'close' });
    const aheadGranted = async (): Promise<boolean> => ((await flooder.command({ cmd: 'events' })).events as Array<[string, { kind: string }]>).some(([id, e]) => id === ahead && e.kind === 'granted');
    for (let k = 0; !(await aheadGranted()); k++) {
      if (k > 300) expect.fail('the flooder was never granted the slot');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(log.seen.some((s) => s.kind === 'node-initialized')).to.equal(false); // still waiting, 1st now
    const freed = performance.now();
    expect(await flooder.command({ cmd: 'request', node: node.location, type: NodeRequests.close, body: [ahead] })).to.deep.equal({ value: true });
    expect(await scheduled).to.equal(true);
    const delay = performance.now() - freed;
    expect(delay, `granted ${Math.round(delay)} ms after the one ahead left`).to.be.below(5000);
    expect(await c.runResult('square', 4)).to.equal(16);
  });

  it("a frozen client is closed within the node's --zombie-period, whatever zombie period it asked for", async () => {
    const node = await fx.node(['--cpus', '1', '--zombie-period', '1500', '--heartbeat-interval', '1000', '--peer-timeout', '60000', '--log-level', 'info']);
    const [greedy, probe] = await Promise.all([client(), client()]);
    const granted = await probe.command({ cmd: 'request', node: node.location, type: NodeRequests.reserve, body: ['c-probe', 1, 1e12] });
    expect(granted.value).to.deep.equal({ granted: 1, zombiePeriod: 1500 }); // asked for 10^12 ms
    await probe.command({ cmd: 'request', node: node.location, type: NodeRequests.close, body: ['c-probe'] });
    const scheduled = await greedy.command({ cmd: 'schedule', node: node.location, components: [work], zombiePeriod: 1e12, pulseInterval: 100 }, 30_000);
    expect(scheduled.ok).to.equal(true);
    const folder = path.join(node.dir, scheduled.id);
    const decided = (): boolean => node.stderr.split('\n').some((l) => l.includes('no pulse from the client for its zombie period') && l.includes(scheduled.id));
    expect(decided()).to.equal(false);
    await greedy.kill('SIGSTOP'); // connected, heartbeats and pulses stopped
    const frozen = performance.now();
    try {
      await until(decided, 20_000, 'the node closing it');
      const closedAfter = performance.now() - frozen;
      expect(closedAfter, `closed ${Math.round(closedAfter)} ms after the client froze`).to.be.below(1500 + 1500); // its zombie period, and a margin for a loaded machine
      await until(() => !existsSync(folder), 20_000, 'its folder removed');
      await until(() => !scheduled.servers.some(isAlive), 10_000, 'its server gone');
    } finally {
      process.kill(greedy.pid, 'SIGCONT');
    }
  });
});
