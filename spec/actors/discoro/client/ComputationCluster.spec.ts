import { expect } from 'chai';
import { ComputationCluster, type ClusterComputation } from '../../../../actors/discoro/client/ComputationCluster.js';
import { jobId } from '../../../../actors/discoro/protocol.js';
import type { NodeInfo, ServerInfo } from '../../../../actors/discoro/protocol.js';
import type { DiscoroStatus, JobInfo } from '../../../../actors/discoro/client/discoroStatus.js';
import { ServerPool } from '../../../../actors/discoro/client/ServerPool.js';
import type { JobCoro } from '../../../../actors/discoro/client/JobCoro.js';
import { Scheduler } from '../../../../runtime/Scheduler.js';
import { CoroTerminatedError } from '../../../../runtime/runtimeErrors.js';
import { until } from '../../../helpers.js';
import { discoroFixture, statusLog, WORK, type NodeProcess } from '../discoroFixture.js';

const NODE = '10.0.0.5:9706';
const avail = { location: NODE, cpuLoad: 12.5, freeMemory: 2 ** 30, freeDisk: 2 ** 36, totalMemory: 2 ** 33 };
const nodeInfo: NodeInfo = { name: 'n1', location: NODE, cpus: 4, freeCpus: 4, platform: 'linux-x64', host: 'h', avail, service: 'in service' };
const server = (k: number): ServerInfo => ({ location: `10.0.0.5:${9706 + k}`, node: NODE, pid: 4000 + k, index: k });

/** A computation reduced to what the view reads: a status feed, a pool, and recorded calls. */
function fakeComputation(): ClusterComputation & { feed: { publish(s: DiscoroStatus): void }; cluster?: ComputationCluster; calls: string[] } {
  const calls: string[] = [];
  const comp: ClusterComputation & { feed: { publish(s: DiscoroStatus): void }; cluster?: ComputationCluster; calls: string[] } = {
    id: 'c-1', scheduler: new Scheduler(), isScheduled: false, options: {}, components: { files: [], modules: ['work.mjs'], sources: [{ name: 'square', source: '' }], packages: [] },
    pool: new ServerPool(new Scheduler()), calls,
    feed: { publish: (s) => comp.cluster?.observe(s) },
    servers: () => [],
    disableNode: (n) => (calls.push(`disableNode ${n}`), true),
    enableNode: (n) => (calls.push(`enableNode ${n}`), true),
    disableServer: (s) => (calls.push(`disableServer ${s}`), s === server(1).location),
    enableServer: (s) => (calls.push(`enableServer ${s}`), s === server(1).location),
    close: async () => void calls.push('close'),
  };
  return comp;
}

/** The view of a fake computation, which then publishes to it (as a Computation does to its cluster source). */
function viewOf(comp: ReturnType<typeof fakeComputation>): ComputationCluster {
  return (comp.cluster = new ComputationCluster(comp));
}

function job(id: number, srv: ServerInfo, fn = 'square', args: unknown[] = [id]): JobInfo {
  const j = { id, terminate: async () => true } as unknown as JobCoro;
  return { job: j, fn, args, server: srv.location, startTime: 1000 + id };
}

describe('ComputationCluster', function () {
  this.timeout(30_000);

  it('maps the status stream: nodes with their pulse, servers, jobs by state and counts, the computation', () => {
    const comp = fakeComputation();
    const cluster = viewOf(comp);
    let changes = 0;
    cluster.subscribe(() => changes++);
    const [j1, j2, j3, j4] = [job(1, server(1)), job(2, server(2)), job(3, server(2), 'render', [{ frame: 3 }]), job(4, server(1))];
    const statuses: DiscoroStatus[] = [
      { kind: 'node-discovered', node: nodeInfo },
      { kind: 'server-initialized', server: server(1) },
      { kind: 'server-initialized', server: server(2) },
      { kind: 'node-initialized', node: nodeInfo, servers: 2 },
      { kind: 'computation-scheduled', id: 'c-1' },
      { kind: 'node-availability', avail: { ...avail, cpuLoad: 50 } },
      ...[j1, j2, j3, j4].map((info) => ({ kind: 'job-created', info }) as DiscoroStatus),
      { kind: 'job-finished', info: j1, value: 1 },
      { kind: 'job-failed', info: j2, error: new Error('no') },
      { kind: 'job-abandoned', info: j4, error: new Error('lost') },
      { kind: 'server-disconnected', server: server(1), reason: 'killed by SIGKILL' },
    ];
    for (const s of statuses) comp.feed.publish(s);
    expect(changes).to.equal(statuses.length);
    const [n] = cluster.nodes();
    expect(n).to.deep.include({ location: NODE, name: 'n1', state: 'initialized', enabled: true, cpus: 2, cpuLoad: 50, freeMemory: 2 ** 30, totalMemory: 2 ** 33, freeDisk: 2 ** 36 });
    expect(n!.lastPulse).to.be.a('number');
    expect(cluster.servers().map((s) => [s.location, s.state, s.pid, s.index])).to.deep.equal([
      [server(1).location, 'disconnected', 4001, 1],
      [server(2).location, 'initialized', 4002, 2],
    ]);
    expect(cluster.computations()).to.deep.equal([{ id: 'c-1', name: 'work.mjs, square', state: 'scheduled' }]);
    expect(cluster.counts()).to.deep.equal({ submitted: 4, running: 1, done: 1, failed: 2 });
    const jobs = cluster.jobs();
    expect(jobs.map((j) => [j.id, j.state])).to.deep.equal([['1@10.0.0.5:9707', 'done'], ['2@10.0.0.5:9708', 'failed'], ['3@10.0.0.5:9708', 'running'], ['4@10.0.0.5:9707', 'abandoned']]);
    expect(jobs[2]).to.deep.include({ fn: 'render', args: [{ frame: 3 }], node: NODE, computation: 'c-1', startTime: 1003, endTime: null });
    expect(jobs[0]!.endTime).to.be.a('number');
    comp.feed.publish({ kind: 'node-disconnected', node: NODE });
    comp.feed.publish({ kind: 'computation-closed', id: 'c-1' });
    expect(cluster.nodes()[0]!.state).to.equal('disconnected');
    expect(cluster.computations()[0]!.state).to.equal('closed');
    cluster.close();
    comp.feed.publish({ kind: 'node-discovered', node: { ...nodeInfo, location: '10.0.0.6:9706' } });
    expect(cluster.nodes()).to.have.length(1); // closed: it follows no more
  });

  it('keeps the last 20 ended jobs; actions reach the computation; an unknown job, node, server or computation is false', async () => {
    const comp = fakeComputation();
    const cluster = viewOf(comp);
    comp.feed.publish({ kind: 'node-discovered', node: nodeInfo });
    comp.feed.publish({ kind: 'server-initialized', server: server(1) });
    for (let id = 1; id <= 30; id++) {
      const info = job(id, server(1));
      comp.feed.publish({ kind: 'job-created', info });
      if (id < 30) comp.feed.publish({ kind: 'job-finished', info, value: id });
    }
    expect(cluster.jobs()).to.have.length(21);
    expect(cluster.counts()).to.deep.equal({ submitted: 30, running: 1, done: 29, failed: 0 });
    expect(await cluster.terminateJob(jobId(30, server(1).location))).to.equal(true);
    expect(await cluster.terminateJob(jobId(29, server(1).location))).to.equal(false); // ended
    expect(await cluster.terminateJob('nope')).to.equal(false);
    expect(await cluster.closeComputation('c-2')).to.equal(false);
    expect(await cluster.closeComputation('c-1')).to.equal(true);
    expect(cluster.disableNode(NODE)).to.equal(true);
    expect(cluster.enableNode(NODE)).to.equal(true);
    expect(cluster.disableNode('10.9.9.9:1')).to.equal(false);
    expect(cluster.disableServer(server(1).location)).to.equal(true);
    expect(cluster.enableServer(server(1).location)).to.equal(true);
    expect(cluster.disableServer('10.9.9.9:2')).to.equal(false);
    expect(comp.calls).to.deep.equal(['close', `disableNode ${NODE}`, `enableNode ${NODE}`, `disableServer ${server(1).location}`, `enableServer ${server(1).location}`, 'disableServer 10.9.9.9:2']);
  });

  describe('of a real computation on a discoronode', () => {
    const fx = discoroFixture();
    let node: NodeProcess;
    before(async () => {
      node = await fx.node();
    });
    after(() => fx.cleanup());

    it('shows the node, its 2 servers and the jobs; terminates a job, disables a server and the node, closes the computation', async () => {
      const c = fx.computation({ components: [fx.component('work.mjs', WORK)], nodes: [node.location], name: 'spec work' });
      const cluster = c.clusterSource();
      expect(c.clusterSource()).to.equal(cluster);
      const log = statusLog(c);
      expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
      await log.until((s) => s.kind === 'node-initialized');
      expect(cluster.nodes().map((n) => [n.location, n.name, n.state, n.cpus])).to.deep.equal([[node.location, node.name, 'initialized', 2]]);
      expect(cluster.servers().map((s) => s.state)).to.deep.equal(['initialized', 'initialized']);
      expect(cluster.computations()).to.deep.equal([{ id: c.id, name: 'spec work', state: 'scheduled' }]);
      await until(() => cluster.nodes()[0]!.lastPulse !== null, 10_000, 'a pulse');
      expect(cluster.nodes()[0]!.totalMemory).to.be.greaterThan(0);

      const forever = await c.runAsync('forever');
      if (forever === false) throw new Error('no server');
      expect(await c.runResults('square', [1, 2, 3])).to.deep.equal([1, 4, 9]);
      expect(cluster.counts()).to.deep.equal({ submitted: 4, running: 1, done: 3, failed: 0 });
      const running = cluster.jobs().find((j) => j.state === 'running')!;
      expect(running).to.deep.include({ id: jobId(forever.id, forever.server), fn: 'forever', server: forever.server, node: node.location });
      expect(await cluster.terminateJob(running.id)).to.equal(true);
      const err = await forever.finish().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(CoroTerminatedError);
      await log.until((s) => s.kind === 'job-terminated');
      expect(cluster.counts()).to.deep.include({ running: 0, failed: 1 });

      // A disabled server takes no jobs: they all go to the other one.
      const [a, b] = c.servers();
      expect(cluster.disableServer(a!.location)).to.equal(true);
      expect(cluster.servers().find((s) => s.location === a!.location)!.enabled).to.equal(false);
      const pids = await c.runResults<{ pid: number }>('compute', [[1, 1], [2, 1], [3, 1], [4, 1]]);
      expect(new Set(pids.map((p) => p.pid))).to.deep.equal(new Set([b!.pid]));
      expect(cluster.enableServer(a!.location)).to.equal(true);
      // A disabled node: a job waits (here: up to its timeout) until the node is enabled.
      expect(cluster.disableNode(node.location)).to.equal(true);
      expect(cluster.nodes()[0]!.enabled).to.equal(false);
      expect(await c.runWith({ timeout: 100 }, 'square', 2)).to.equal(false);
      expect(cluster.enableNode(node.location)).to.equal(true);
      expect(await c.runResult('square', 5)).to.equal(25);
      expect(cluster.disableNode('127.0.0.1:1')).to.equal(false);

      expect(await cluster.closeComputation(c.id)).to.equal(true);
      expect(cluster.computations()[0]!.state).to.equal('closed');
      expect(cluster.servers().map((s) => s.state)).to.deep.equal(['closed', 'closed']);
    });
  });
});
