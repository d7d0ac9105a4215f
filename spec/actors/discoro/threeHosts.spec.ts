/**
 * discoro on more than one machine: three hosts made of network namespaces on one bridge
 * (192.0.2.11, .12, .13), a real discoronode process in two of them and a real client process
 * in the third, all with a secret from the environment. The nodes are found by UDP broadcast
 * across the bridge, and then again with discovery off, the client knowing one seed only. A
 * computation runs jobs on both nodes; one node's link is cut, its jobs are reported lost within
 * the client's heartbeat window, and the computation finishes on the other node.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '../../helpers.js';
import { DISCORONODE, NodeProcess } from './discoroFixture.js';
import { NetnsLab, netnsUnavailable, type NetnsHost } from './netnsHosts.js';
import type { ClientConfig, Where } from './threeHostsClient.js';

const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'threeHostsClient.js');
const SECRET = 'three hosts spec secret';
/** The client's heartbeat settings: a node or server silent this long is lost. */
const HEARTBEAT_MS = 250, PEER_TIMEOUT_MS = 2500;
/** Slack on top of the peer timeout for the heartbeat ticks and a loaded machine. */
const REPORT_SLACK_MS = 2000;

const WHERE = `
import os from 'node:os';
const address = () => Object.values(os.networkInterfaces()).flat().find((a) => a.family === 'IPv4' && !a.internal)?.address;
export async function whereami(coro, i, ms) { await coro.sleep(ms); return { i, pid: process.pid, address: address() }; }
export async function forever(coro) { for (;;) await coro.sleep(1000); }
`;

interface Line {
  event: string;
  [key: string]: any;
}

function events(p: NodeProcess, event: string): Line[] {
  return p.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line).filter((l) => l.event === event);
}

async function event(p: NodeProcess, name: string, ms = 20_000): Promise<Line> {
  const line = await p.line(new RegExp(`^\\{"event":"(${name}|error|gave-up)"`), ms);
  const parsed = JSON.parse(line) as Line;
  if (parsed.event !== name) throw new Error(`client: ${parsed.event}: ${parsed.message ?? ''}\n${p.stderr}`);
  return parsed;
}

describe('discoro on three hosts (network namespaces)', function () {
  this.timeout(60_000);
  const lab = new NetnsLab(3);
  const [hostA, hostB, hostC] = lab.hosts as [NetnsHost, NetnsHost, NetnsHost];
  let dir = '';
  let component = '';
  /** Whether setup was tried: then every name of the lab is removed at the end, whatever was made. */
  let tried = false;
  let started = 0;

  before(function () {
    let why = netnsUnavailable();
    if (why === undefined) {
      tried = true;
      try {
        lab.setup();
      } catch (err) {
        why = (err as Error).message;
      }
    }
    if (why !== undefined) {
      if (process.env.CI === 'true') throw new Error(`CI=true but network namespaces cannot be made: ${why}`);
      console.log(`      (skipped: ${why})`);
      this.skip();
    }
    dir = mkdtempSync(path.join(os.tmpdir(), 'discoro-three-hosts-'));
    component = path.join(dir, 'where.mjs');
    writeFileSync(component, WHERE);
  });

  afterEach(async () => {
    await lab.killAll();
    if (tried && dir !== '') for (const h of lab.hosts) lab.mend(h);
  });

  after(async () => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    if (tried) await lab.cleanup(); // throws if a namespace or link is left behind
  });

  function start(host: NetnsHost, script: string, args: string[]): NodeProcess {
    // The secret travels in the environment, never on a command line (`ps` shows those).
    const p = new NodeProcess(lab.spawn(host, process.execPath, [script, ...args], { ...process.env, DISCORO_SECRET: SECRET }));
    return p;
  }

  /** A discoronode on `host` (listening on its address unless `extra` gives another --host). */
  async function node(host: NetnsHost, letter: string, extra: string[]): Promise<NodeProcess> {
    const listen = extra.includes('--host') ? [] : ['--host', host.address];
    const folder = path.join(dir, `node-${letter}-${++started}`);
    const p = start(host, DISCORONODE, [...listen, '--port', '9706', '--cpus', '1', '--name', `node-${letter}-${process.pid}`,
      '--dest-dir', folder, '--pulse-interval', '200', '--zombie-period', '3000', '--daemon', ...extra]);
    const line = await p.line(/listening at/);
    p.location = /listening at (\S+)/.exec(line)![1]!;
    p.dir = folder;
    expect(p.location).to.equal(`${host.address}:9706`);
    return p;
  }

  function client(config: Omit<ClientConfig, 'host' | 'component' | 'heartbeatInterval' | 'peerTimeout'>): NodeProcess {
    const full: ClientConfig = { host: hostC.address, component, heartbeatInterval: HEARTBEAT_MS, peerTimeout: PEER_TIMEOUT_MS, ...config };
    return start(hostC, CLIENT, [JSON.stringify(full)]);
  }

  /** Both nodes serve the computation; then `victim` is cut off while jobs run on both. */
  async function jobsOnBothThenCut(c: NodeProcess, nodes: { victim: NodeProcess; victimHost: NetnsHost; survivor: NodeProcess; survivorHost: NetnsHost }): Promise<void> {
    const ready = await event(c, 'ready');
    expect(ready.nodes).to.deep.equal([nodes.victim.location, nodes.survivor.location].sort());
    const pidAt = new Map<string, number>(ready.servers.map((s: { node: string; pid: number }) => [s.node.split(':')[0], s.pid]));
    expect(pidAt.size).to.equal(2);
    for (const n of [nodes.victim, nodes.survivor]) expect(existsSync(path.join(n.dir, ready.id)), `computation folder at ${n.location}`).to.equal(true);

    // Jobs ran on both hosts: the job saw its host's address, the pid is that node's server.
    const spread = (await event(c, 'spread')).results as Where[];
    expect(spread.map((r) => r.i)).to.deep.equal([0, 1, 2, 3]);
    expect(new Set(spread.map((r) => r.address))).to.deep.equal(new Set([hostA.address, hostB.address]));
    for (const r of spread) expect(r.pid, `job ${r.i} at ${r.address}`).to.equal(pidAt.get(r.address));

    const running = await event(c, 'running');
    expect(new Set(running.jobs.map((j: { server: string }) => j.server.split(':')[0]))).to.deep.equal(new Set([hostA.address, hostB.address]));
    expect(events(c, 'lost'), 'nothing lost before the cut').to.deep.equal([]);
    lab.cut(nodes.victimHost);
    const cutAt = Date.now();

    // The hanging job at the victim fails with ServerLostError within the heartbeat window.
    const lost = await event(c, 'lost', PEER_TIMEOUT_MS + REPORT_SLACK_MS + 5000);
    const after = Date.now() - cutAt;
    expect(lost).to.include({ job: 'forever', code: 'ERR_DISCORO_SERVER_LOST', serverLost: true });
    expect(after, 'reported within the peer timeout and slack').to.be.below(PEER_TIMEOUT_MS + REPORT_SLACK_MS);

    // The computation finishes on the survivor: the cut job ran again there (retries), so did the rest.
    const finished = await event(c, 'finished');
    const survivorPid = pidAt.get(nodes.survivorHost.address);
    for (const r of [...finished.results, ...finished.after] as Where[]) expect(r, `job ${r.i}`).to.include({ address: nodes.survivorHost.address, pid: survivorPid });
    expect(finished.nodes).to.deep.equal([nodes.survivor.location]);
    const statuses = events(c, 'status');
    expect(statuses.filter((s) => s.kind === 'job-abandoned').map((s) => [s.server.split(':')[0], s.code])).to.deep.include([nodes.victimHost.address, 'ERR_DISCORO_SERVER_LOST']);
    expect(statuses.filter((s) => s.kind === 'node-disconnected').map((s) => s.node)).to.deep.equal([nodes.victim.location]);
    await event(c, 'closed');
    expect(await c.exited()).to.equal(0);

    // The cut-off node, which no longer hears the client, closes the computation on its own: its
    // server exits and the shipped files go.
    const victimServer = ready.servers.find((s: { node: string }) => s.node === nodes.victim.location).pid as number;
    await until(() => !existsSync(path.join(nodes.victim.dir, ready.id)), 15_000, 'the cut-off node removes the computation folder');
    await until(() => { try { process.kill(victimServer, 0); return false; } catch { return true; } }, 10_000, 'the cut-off node\'s server exits');
    expect(nodes.victim.code, 'the cut-off node keeps running').to.equal(undefined);
  }

  it('broadcast discovery across the bridge finds both nodes; jobs on both; a cut link is reported and the other node finishes', async () => {
    // B on a wildcard: advertised as, and broadcasting from, its address.
    const [a, b] = await Promise.all([node(hostA, 'a', []), node(hostB, 'b', ['--host', '0.0.0.0'])]);
    const c = client({ discover: true, seeds: [], victim: hostB.address });
    await jobsOnBothThenCut(c, { victim: b, victimHost: hostB, survivor: a, survivorHost: hostA });
  });

  it('with discovery off one seed is enough (peer exchange): the client knows only node A and uses node B too; A cut, B finishes', async () => {
    // B's seed is A (its address is known before A listens: B retries its seed until it answers).
    const [a, b] = await Promise.all([node(hostA, 'a', ['--no-discover']), node(hostB, 'b', ['--no-discover', '--peer', `${hostA.address}:9706`])]);
    const c = client({ discover: false, seeds: [a.location], victim: hostA.address });
    await jobsOnBothThenCut(c, { victim: a, victimHost: hostA, survivor: b, survivorHost: hostB });
  });
});
