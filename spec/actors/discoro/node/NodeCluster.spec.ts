import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Computation } from '../../../../actors/discoro/client/Computation.js';
import { DiscoroNode } from '../../../../actors/discoro/node/DiscoroNode.js';
import { NodeCluster } from '../../../../actors/discoro/node/NodeCluster.js';
import { CoroTerminatedError } from '../../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../../runtime/Scheduler.js';
import { until } from '../../../helpers.js';
import { SECRET, statusLog, WORK } from '../discoroFixture.js';

describe('NodeCluster (a discoronode as the dashboard sees it)', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'node-cluster-spec-'));
  const work = path.join(dir, 'work.mjs');
  writeFileSync(work, WORK);
  let node: DiscoroNode;
  let cluster: NodeCluster;
  const comps: Computation[] = [];
  const pids = new Set<number>();
  const computation = (): Computation => {
    const c = new Computation({ components: [work], nodes: [node.location], secret: SECRET, pulseInterval: 200, scheduler: new Scheduler(), name: `frames ${comps.length + 1}` });
    comps.push(c);
    return c;
  };

  before(async () => {
    node = await DiscoroNode.start({ cpus: 2, discover: false, secret: SECRET, destDir: path.join(dir, 'node'), pulseInterval: 200, name: 'cluster-spec' });
    cluster = new NodeCluster(node);
  });
  after(async () => {
    for (const c of comps) {
      for (const s of c.servers()) pids.add(s.pid);
      await c.close({ terminate: true, timeout: 2000 }).catch(() => undefined);
      await c.scheduler.terminate();
    }
    cluster?.close();
    await node?.stop({ grace: 0 });
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone with the node
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the node itself with a pulse measured at once, and no server before a computation', async () => {
    await until(() => cluster.nodes()[0]!.lastPulse !== null, 10_000, 'the first measure');
    const [n] = cluster.nodes();
    expect(n).to.deep.include({ location: node.location, name: 'cluster-spec', state: 'serving', enabled: true, cpus: 2 });
    expect(n!.freeMemory).to.be.greaterThan(0);
    expect(n!.totalMemory).to.be.at.least(n!.freeMemory!);
    expect(cluster.servers()).to.deep.equal([]);
    expect(cluster.counts()).to.deep.equal({ submitted: 0, running: 0, done: 0, failed: 0 });
    // The cluster page: the node itself first, serving, with its jobs and computations.
    expect(cluster.clusterNodes()).to.have.length(1);
    expect(cluster.clusterNodes()[0]).to.deep.include({ location: node.location, self: true, state: 'serving', computations: 0, jobs: { running: 0, done: 0, failed: 0 }, dashboard: null });
    expect(cluster.failedJobs()).to.deep.equal([]);
  });

  it('its servers, the computation with its client, the running jobs its servers report, and the counts', async () => {
    const c = computation();
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    await until(() => cluster.servers().length === 2 && c.servers().length === 2, 10_000, 'two servers, at the node and at the client');
    expect(cluster.servers().map((s) => [s.node, s.state, s.enabled])).to.deep.equal([[node.location, 'initialized', true], [node.location, 'initialized', true]]);
    expect(new Set(cluster.servers().map((s) => s.pid))).to.deep.equal(new Set(c.servers().map((s) => s.pid)));
    const [comp] = cluster.computations();
    expect(comp).to.deep.include({ id: c.id, name: 'frames 1', state: 'serving' });
    expect(comp!.client).to.match(/^127\.0\.0\.1:\d+$/);
    let changes = 0;
    const unsubscribe = cluster.subscribe(() => changes++);
    const job = await c.runAsync('compute', 7, 60_000);
    if (job === false) throw new Error('no server');
    await until(() => cluster.jobs().length === 1, 5000, 'the job reported');
    expect(cluster.jobs()[0]).to.deep.include({ id: `${job.id}@${job.server}`, fn: 'compute', argsPreview: '[7,60000]', server: job.server, node: node.location, computation: c.id, state: 'running', endTime: null });
    expect(changes).to.be.greaterThan(0);
    unsubscribe();
    expect(await c.runResults('square', [1, 2, 3])).to.deep.equal([1, 4, 9]);
    await c.runResult('fail', 'on purpose').catch(() => undefined);
    await until(() => cluster.counts().done === 3 && cluster.counts().failed === 1, 5000, 'the counts reported');
    expect(cluster.counts()).to.deep.equal({ submitted: 5, running: 1, done: 3, failed: 1 });
    // The failed one is in the history, with the error and the stack from the server.
    await until(() => cluster.failedJobs().length === 1, 5000, 'the failed job kept');
    const [f] = cluster.failedJobs();
    expect(f).to.deep.include({ fn: 'fail', argsPreview: '["on purpose"]', node: node.location, computation: c.id, computationName: 'frames 1' });
    expect(f!.error).to.deep.include({ name: 'Error', message: 'on purpose' });
    expect(f!.error.stack).to.match(/^Error: on purpose\n\s+at (Object\.)?fail \(file:.*work\.mjs/);
    expect(c.servers().map((s) => s.location)).to.include(f!.server);

    // Terminate: the server ends the coroutine; the client sees the job terminated.
    expect(await cluster.terminateJob(`${job.id + 1000}@${job.server}`)).to.equal(false);
    expect(await cluster.terminateJob('no-such-job')).to.equal(false);
    expect(await cluster.terminateJob(`${job.id}@${job.server}`)).to.equal(true);
    expect(await job.finish().catch((e: unknown) => e)).to.be.instanceOf(CoroTerminatedError);
    await until(() => cluster.jobs().length === 0 && cluster.counts().failed === 2, 5000, 'the end reported');
  });

  it('a server disabled at the node takes no new jobs from its client; enabled, it does again', async () => {
    const c = comps[0]!;
    const [a, b] = c.servers();
    expect(await cluster.disableServer(a!.location)).to.equal(true);
    expect(cluster.servers().find((s) => s.location === a!.location)!.enabled).to.equal(false);
    await until(() => c.clusterSource().servers().find((s) => s.location === a!.location)?.enabled === false, 5000, 'the client hearing it');
    const pids = await c.runResults<{ pid: number }>('compute', [[1, 1], [2, 1], [3, 1], [4, 1]]);
    expect(new Set(pids.map((p) => p.pid))).to.deep.equal(new Set([b!.pid]));
    expect(await cluster.enableServer(a!.location)).to.equal(true);
    await until(() => c.clusterSource().servers().find((s) => s.location === a!.location)?.enabled === true, 5000, 'the client hearing it');
    expect(await cluster.disableServer('127.0.0.1:1')).to.equal(false);
    expect(await cluster.enableServer('127.0.0.1:1')).to.equal(false);
  });

  it('a held server that dies is forgotten: its replacement, even at the same address, starts enabled', async () => {
    const ports = await Promise.all([0, 1].map(() => new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    })));
    const fixed = await DiscoroNode.start({ cpus: 2, discover: false, secret: SECRET, destDir: path.join(dir, 'fixed'), pulseInterval: 200, serverPorts: ports, spareServers: 0 });
    const view = new NodeCluster(fixed);
    const c = new Computation({ components: [work], nodes: [fixed.location], secret: SECRET, pulseInterval: 200, scheduler: new Scheduler() });
    try {
      const log = statusLog(c);
      expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
      await log.until((s) => s.kind === 'node-initialized');
      const victim = view.servers()[0]!;
      expect(await view.disableServer(victim.location)).to.equal(true);
      process.kill(victim.pid, 'SIGKILL');
      await until(() => view.servers().some((s) => s.location === victim.location && s.pid !== victim.pid), 15_000, 'a replacement at the same address');
      expect(view.servers().find((s) => s.location === victim.location)!.enabled).to.equal(true);
    } finally {
      for (const s of c.servers()) pids.add(s.pid);
      await c.close({ terminate: true, timeout: 2000 }).catch(() => undefined);
      await c.scheduler.terminate();
      view.close();
      await fixed.stop({ grace: 0 });
    }
  });

  it('closes a computation (its client hears it); a disabled node makes a new computation wait until it is enabled', async () => {
    const c = comps[0]!;
    const log = statusLog(c);
    expect(await cluster.closeComputation('c-nope')).to.equal(false);
    expect(await cluster.closeComputation(c.id)).to.equal(true);
    await log.until((s) => s.kind === 'node-closed');
    expect(cluster.computations()).to.deep.equal([]);
    expect(cluster.servers()).to.deep.equal([]);

    expect(await cluster.disableNode('127.0.0.1:1')).to.equal(false);
    expect(await cluster.disableNode(node.location)).to.equal(true);
    expect(cluster.nodes()[0]!.enabled).to.equal(false);
    const d = computation();
    const dLog = statusLog(d);
    const scheduled = d.schedule({ timeout: 15_000 });
    await dLog.until((s) => s.kind === 'node-waiting');
    expect(cluster.computations()).to.deep.equal([{ id: d.id, name: 'frames 2', client: String(d.net!.location), state: 'waiting' }]);
    expect(await cluster.enableNode(node.location)).to.equal(true);
    expect(await scheduled).to.equal(true);
    expect(await d.runResult('square', 6)).to.equal(36);
  });
});
