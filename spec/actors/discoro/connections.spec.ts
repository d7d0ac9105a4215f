/**
 * Who connects to whom in a discoro cluster, counted from the OS (`ss`): real discoronode
 * processes on 127.0.0.1 (hubs: the second and third name the first as their seed), their server
 * processes (hidden peers), and this process as the client. Also: a job that reaches a server of
 * another node (connected on first use), a node that refuses this machine's address for a moment
 * (its handshakes are dialled again), and one heartbeat per node (an idle server's link is quiet;
 * a server frozen while it runs a job is lost within the peer timeout).
 */
import { expect } from 'chai';
import { ServerLostError } from '../../../actors/actorErrors.js';
import { Computation } from '../../../actors/discoro/client/Computation.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { connectionsAmong, tcpSockets } from '../../../bench/osCounters.js';
import { failAuthentications } from '../../fixtures/authGuesser.js';
import { captureLogger, until } from '../../helpers.js';
import { discoroFixture, type NodeProcess, SECRET, statusLog, WORK } from './discoroFixture.js';

/** Jobs that meet: `listen` registers its coroutine and answers one message; `reach` finds it (at `where`, or anywhere) and asks. */
const MEET = `
export async function listen(coro, name) {
  coro.register(name);
  const m = await coro.receive({ timeout: 20000 });
  m.reply.send({ got: m.text, pid: process.pid });
  return m.text;
}
export async function reach(coro, name, where) {
  const target = await coro.scheduler.locateCoro(name, where === null ? { timeout: 10000 } : { timeout: 10000, location: where });
  if (target === undefined) return null;
  target.send({ text: 'hello from ' + process.pid, reply: coro });
  return await coro.receive({ timeout: 10000 });
}
`;

describe('discoro connections (real processes, counted from the OS)', function () {
  this.timeout(60_000);
  const fx = discoroFixture();
  let work: string, meet: string;
  before(() => {
    work = fx.component('work.mjs', WORK);
    meet = fx.component('meet.mjs', MEET);
  });
  after(() => fx.cleanup());

  /** Nodes 2 and 3 name node 1 as their seed. */
  async function cluster(extra: string[] = []): Promise<NodeProcess[]> {
    const first = await fx.node(['--spare-servers', '0', ...extra]);
    const rest = await Promise.all([1, 2].map(() => fx.node(['--spare-servers', '0', '--peer', first.location, ...extra])));
    return [first, ...rest];
  }

  async function scheduled(c: Computation, servers: number): Promise<void> {
    const log = statusLog(c);
    expect(await c.schedule({ timeout: 30_000 })).to.equal(true);
    await until(() => log.seen.filter((s) => s.kind === 'server-initialized').length >= servers, 30_000, `${servers} servers up`);
  }

  /** The connections each process holds among the given ones, by pid, from `ss`. */
  function connections(pids: number[]): { per: Map<number, number>; pairs: Array<[number, number]> } {
    const pairs = connectionsAmong(tcpSockets(new Set(pids)));
    const per = new Map(pids.map((p) => [p, 0]));
    for (const [a, b] of pairs) for (const p of [a, b]) per.set(p, per.get(p)! + 1);
    return { per, pairs };
  }

  it('a server holds one connection (its client); nodes, their seed and the client; the client, its nodes and their servers', async () => {
    const nodes = await cluster();
    const c = fx.computation({ components: [work], nodes: nodes.map((n) => n.location) });
    await scheduled(c, 6);
    const servers = c.servers().map((s) => s.pid);
    await until(() => connections([process.pid, ...nodes.map((n) => n.pid), ...servers]).pairs.length === 11, 10_000, 'the connections to settle');
    const { per, pairs } = connections([process.pid, ...nodes.map((n) => n.pid), ...servers]);
    for (const s of servers) expect(per.get(s), `server ${s}`).to.equal(1);
    expect(pairs.filter(([a, b]) => servers.includes(a) && servers.includes(b)), 'server to server').to.deep.equal([]);
    expect(nodes.map((n) => per.get(n.pid)), 'the seed knows both nodes, each of them the seed only (and the client)').to.deep.equal([3, 2, 2]);
    expect(per.get(process.pid), 'the client: 3 nodes, 6 servers').to.equal(9);
    expect(await c.runResults<{ pid: number }>('compute', [1, 2, 3, 4, 5, 6].map((i) => [i, 50]))).to.have.length(6);
    await c.close();
  });

  it('a client that discovers through one node finds every node (the hubs tell it), one started later too', async () => {
    const nodes = await cluster();
    const c = fx.computation({ components: [work], discover: true, network: { seeds: [nodes[2]!.location] } });
    await scheduled(c, 6);
    expect(c.nodes().map(String).sort()).to.deep.equal(nodes.map((n) => n.location).sort());
    const late = await fx.node(['--spare-servers', '0', '--peer', nodes[0]!.location]);
    await until(() => c.servers().length === 8, 30_000, 'the late node\'s servers');
    const used = new Set((await c.runResults<{ pid: number }>('compute', Array.from({ length: 16 }, (_, i) => [i, 30]))).map((r) => c.servers().find((s) => s.pid === r.pid)?.node));
    expect(used.has(late.location), 'jobs run on the late node').to.equal(true);
    const { per } = connections([process.pid, ...[...nodes, late].map((n) => n.pid), ...c.servers().map((s) => s.pid)]);
    expect(per.get(late.pid), 'the late node: its seed and the client').to.equal(2);
    await c.close();
  });

  it('a job reaches a server of another node: by its location, or by a locate its client relays; connected on first use, that link only', async () => {
    const nodes = await cluster();
    const c = fx.computation({ components: [meet], nodes: nodes.slice(0, 2).map((n) => n.location) });
    await scheduled(c, 4);
    const [a1, a2] = c.servers().filter((s) => s.node === nodes[0]!.location);
    const [b1] = c.servers().filter((s) => s.node === nodes[1]!.location);
    const listening = await c.runAsyncAt(b1!.location, 'listen', 'meeting');
    const reply = await c.runResultAt<{ got: string; pid: number }>(a1!.location, 'reach', 'meeting', b1!.location);
    expect(reply).to.deep.equal({ got: `hello from ${a1!.pid}`, pid: b1!.pid });
    expect(listening !== false && (await listening.finish({ timeout: 10_000 }))).to.equal(`hello from ${a1!.pid}`);
    const pids = [process.pid, ...nodes.map((n) => n.pid), ...c.servers().map((s) => s.pid)];
    const { per, pairs } = connections(pids);
    expect(per.get(a1!.pid), 'its client and the server it reached').to.equal(2);
    expect(pairs.filter(([x, y]) => [x, y].every((p) => p === a1!.pid || p === b1!.pid))).to.have.length(1);
    // Without a location: a2 asks the peers it has (its client), which asks its own (the nodes, its servers).
    await c.runAsyncAt(b1!.location, 'listen', 'second meeting');
    const relayed = await c.runResultAt<{ got: string; pid: number }>(a2!.location, 'reach', 'second meeting', null);
    expect(relayed).to.deep.equal({ got: `hello from ${a2!.pid}`, pid: b1!.pid });
    for (const s of c.servers()) expect(connections(pids).per.get(s.pid), `server ${s.location}`).to.be.at.most(3);
    await c.close();
  });

  it('a node that refuses this machine\'s address for a moment (a guesser\'s failures) is scheduled all the same: its handshakes are dialled again', async () => {
    const node = await fx.node(['--spare-servers', '0']);
    const port = Number(node.location.split(':')[1]);
    // Five failures: the address is refused for 1.6 s after the last, and then one handshake at a time.
    await failAuthentications(port, 5);
    const log = captureLogger('debug');
    const c = new Computation({ components: [work], nodes: [node.location], secret: SECRET, pulseInterval: 200, scheduler: new Scheduler({ logger: log.logger }) });
    try {
      await scheduled(c, 2);
      expect(await c.runResult('square', 7)).to.equal(49);
      expect(log.lines.filter((l) => l.msg === 'connection refused; dialling again').length, 'refused at first').to.be.greaterThan(0);
    } finally {
      await c.close({ terminate: true, timeout: 5000 });
      await c.scheduler.terminate();
    }
  });

  it('one heartbeat per node: an idle server\'s link carries nothing; one frozen while it runs a job is lost within the peer timeout, one frozen idle when a job goes to it', async () => {
    const node = await fx.node(['--spare-servers', '0', '--heartbeat-interval', '200', '--peer-timeout', '1000']);
    const c = fx.computation({ components: [work], nodes: [node.location], network: { heartbeatInterval: 200, peerTimeout: 1000 } });
    await scheduled(c, 2);
    const [s1, s2] = c.servers();
    const sent = (pid: number): number => tcpSockets(new Set([pid])).reduce((n, e) => n + e.bytesSent, 0);
    const quiet = [sent(s1!.pid), sent(s2!.pid), sent(node.pid)];
    await new Promise((r) => setTimeout(r, 1000)); // five heartbeat intervals
    expect([sent(s1!.pid) - quiet[0]!, sent(s2!.pid) - quiet[1]!], 'idle servers sent nothing').to.deep.equal([0, 0]);
    expect(sent(node.pid) - quiet[2]!, 'the node heartbeats to its client').to.be.greaterThan(0);
    const job = await c.runAsyncAt(s1!.location, 'forever');
    const busy = sent(s1!.pid);
    await until(() => sent(s1!.pid) > busy, 5000, 'a server running a job to heartbeat');
    process.kill(s1!.pid, 'SIGSTOP');
    try {
      // Frozen, not dead: only its silence, judged by the client while the job runs, can end the job.
      const err = job === false ? undefined : await job.finish({ timeout: 10_000 }).catch((e: Error) => e);
      expect(ServerLostError.is(err), String(err)).to.equal(true);
      process.kill(s2!.pid, 'SIGSTOP');
      const late = await c.runResultWith({ where: s2!.location, timeout: 10_000 }, 'square', 3).catch((e: Error) => e);
      expect(ServerLostError.is(late), String(late)).to.equal(true);
    } finally {
      for (const s of [s1!, s2!]) fx.kill(s.pid);
    }
    await c.close({ terminate: true, timeout: 5000 });
  });
});
