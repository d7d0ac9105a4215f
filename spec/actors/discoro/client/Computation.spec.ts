import { expect } from 'chai';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { captureLogger } from '../../../helpers.js';
import { ComputationClosedError, UnknownJobFunctionError } from '../../../../actors/actorErrors.js';
import { Computation } from '../../../../actors/discoro/client/Computation.js';
import type { JobCoro } from '../../../../actors/discoro/client/JobCoro.js';
import { CoroTerminatedError, InvalidArgumentError } from '../../../../runtime/runtimeErrors.js';
import { discoroFixture, SECRET, statusLog, WORK, type NodeProcess } from '../discoroFixture.js';

describe('discoro Computation', function () {
  this.timeout(30_000);
  const fx = discoroFixture();
  let node: NodeProcess;
  let work: string;

  before(async () => {
    node = await fx.node();
    work = fx.component('work.mjs', WORK);
  });
  after(() => fx.cleanup());

  it('runs jobs on 2 server processes, results in input order; jobs work in their server folder; close removes the files', async () => {
    const c = fx.computation({ components: [work, fx.component('data.txt', 'some data\n')], nodes: [node.location] });
    const log = statusLog(c);
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    await log.until((s) => s.kind === 'node-initialized');
    expect(c.servers()).to.have.length(2);
    expect(c.nodes()).to.deep.equal([node.location]);
    const progress: number[] = [];
    const results = await c.runResults<{ i: number; pid: number }>('compute', [0, 1, 2, 3, 4, 5].map((i) => [i, 50]), { onProgress: (done) => progress.push(done) });
    expect(results.map((r) => r.i)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(new Set(results.map((r) => r.pid)).size).to.equal(2);
    expect(new Set(results.map((r) => r.pid))).to.deep.equal(new Set(c.servers().map((s) => s.pid)));
    expect(progress).to.deep.equal([1, 2, 3, 4, 5, 6]);
    const cwd = await c.runResult<string>('cwd');
    expect(path.basename(cwd)).to.match(/^server-\d$/);
    expect(readdirSync(path.dirname(cwd))).to.include.members(['work.mjs', 'data.txt']);
    await c.close();
    expect(existsSync(path.dirname(cwd))).to.equal(false);
    expect(log.seen.map((s) => s.kind)).to.include.members(['node-discovered', 'server-initialized', 'computation-scheduled', 'job-created', 'job-finished', 'server-closed', 'node-closed', 'computation-closed']);
  });

  it('a job that throws: finish() and runResult reject with its error; status job-failed', async () => {
    const c = fx.computation({ components: [work], nodes: [node.location] });
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    const job = await c.run('fail', 'broken');
    expect(job).to.not.equal(false);
    const err = await (job as Exclude<typeof job, false>).finish().catch((e: Error) => e);
    expect((err as Error).message).to.include('broken');
    expect(await c.runResult('fail', 'again').catch((e: Error) => e.message)).to.include('again');
    const failed = await log.until((s) => s.kind === 'job-failed');
    expect(failed.kind === 'job-failed' && failed.info.fn).to.equal('fail');
    await c.close();
  });

  it('shipped functions, unknown names, non-CBOR arguments, bad inputs', async () => {
    const c = fx.computation({ components: [work, function triple(_coro: unknown, x: number) { return 3 * x; }], nodes: [node.location] });
    expect(await c.run('square', 1).catch((e) => ComputationClosedError.is(e))).to.equal(true); // not scheduled yet
    await c.schedule({ timeout: 15_000 });
    expect(await c.runResult('triple', 5)).to.equal(15);
    expect(await c.runResult((_coro: unknown, a: number, b: number) => a + b, 2, 3)).to.equal(5);
    expect(await c.runResult('square', 9)).to.equal(81);
    const unknown = (await c.runResult('noSuchFunction').catch((e: Error) => e)) as Error;
    expect(UnknownJobFunctionError.is(unknown)).to.equal(true);
    expect(unknown.message).to.include('noSuchFunction');
    const notCbor = await c.run('square', () => 1).catch((e) => e);
    expect(notCbor).to.be.instanceOf(InvalidArgumentError);
    expect(await c.run(42 as never).catch((e) => e)).to.be.instanceOf(InvalidArgumentError);
    expect(await c.runWith({ cpu: 'yes' as never }, 'square', 1).catch((e) => e)).to.be.instanceOf(InvalidArgumentError);
    expect(await c.runWith({ timeout: -1 }, 'square', 1).catch((e) => e)).to.be.instanceOf(InvalidArgumentError);
    expect(() => new Computation({ components: ['/no/such/file.mjs'] })).to.throw(InvalidArgumentError);
    expect(() => new Computation({ components: [work], pulseInterval: -5 })).to.throw(InvalidArgumentError);
    expect(() => new Computation({ components: [work], nodes: ['not a location'] })).to.throw(InvalidArgumentError);
    expect(() => new Computation({ components: [work], sendAheadBelow: -1 })).to.throw(InvalidArgumentError, /sendAheadBelow/);
    await c.close();
    expect(await c.run('square', 1).catch((e) => ComputationClosedError.is(e))).to.equal(true);
    expect(await c.runResult('square', 1).catch((e) => ComputationClosedError.is(e))).to.equal(true);
    expect(await c.runResults('square', [1, 2]).catch((e) => ComputationClosedError.is(e))).to.equal(true);
    expect(await c.runResultWith({ timeout: 100, alarm: 'late' }, 'square', 1).catch((e) => ComputationClosedError.is(e))).to.equal(true);
  });

  it('a CPU job waits for a free server: timeout → false, abort → the reason; async jobs do not wait', async () => {
    const c = fx.computation({ components: [work], nodes: [node.location] });
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    await log.until((s) => s.kind === 'node-initialized');
    const a = (await c.run('forever')) as JobCoro;
    const b = (await c.run('forever')) as JobCoro;
    expect(a.server).to.not.equal(b.server);
    expect(await c.runWith({ timeout: 50 }, 'square', 2)).to.equal(false);
    const ac = new AbortController();
    const pending = c.runWith({ signal: ac.signal }, 'square', 2).catch((e) => e);
    ac.abort(new Error('gave up'));
    expect((await pending).message).to.equal('gave up');
    expect(await c.runResultWith({ cpu: false }, 'square', 4)).to.equal(16);
    expect(await c.runResultWith({ timeout: 50, alarm: 'late' }, 'square', 2)).to.equal('late');
    expect(await a.finish({ timeout: 20, alarm: 'running' })).to.equal('running');
    const stop = new AbortController();
    const finishing = a.finish({ signal: stop.signal }).catch((e: Error) => e);
    stop.abort(new Error('no longer'));
    expect(await finishing).to.have.property('message', 'no longer');
    expect(await c.runResults('square', [1, 2], { timeout: 50 })).to.equal(false);
    // A job that never ends: close({ terminate: true }) ends it, reported as terminated.
    await c.close({ terminate: true });
    expect(await a.finish().catch((e: Error) => e)).to.be.instanceOf(CoroTerminatedError);
    expect(log.seen.filter((s) => s.kind === 'job-terminated')).to.have.length(2);
  });

  it('short CPU jobs sent one ahead wait on their server: no two CPU jobs of a server ever run at once', async () => {
    const span = async function span(_coro: unknown, ms: number): Promise<number[]> {
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, ms));
      return [process.pid, t0, performance.now()];
    };
    // A generous limit, so that a loaded machine's round trips still count as short.
    const c = fx.computation({ components: [work, span], nodes: [node.location], sendAheadBelow: 1000 });
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    await log.until((s) => s.kind === 'node-initialized');
    let mostSent = 0;
    let running = true;
    const pool = (c as unknown as { pool: { servers: Map<string, { cpuJobs: number }> } }).pool;
    const sampler = (async () => {
      while (running) {
        for (const s of pool.servers.values()) mostSent = Math.max(mostSent, s.cpuJobs);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const spans = await c.runResults(span, Array.from({ length: 80 }, () => [1]));
    running = false;
    await sampler;
    expect(mostSent).to.equal(2, 'some job was sent ahead (and never two)');
    const byPid = new Map<number, number[][]>();
    for (const [pid, t0, t1] of spans) byPid.set(pid!, [...(byPid.get(pid!) ?? []), [t0!, t1!]]);
    expect(byPid.size).to.equal(2);
    for (const list of byPid.values()) {
      list.sort((x, y) => x[0]! - y[0]!);
      for (let k = 1; k < list.length; k++) expect(list[k]![0]).to.be.at.least(list[k - 1]![1]!, 'a CPU job started before the one before it ended');
    }
    await c.close();
  });

  it('schedule(): timeout → false (no server in time), abort → the reason', async () => {
    const c = fx.computation({ components: [work], nodes: [node.location] });
    expect(await c.schedule({ timeout: 0 })).to.equal(false);
    const ac = new AbortController();
    const p = c.schedule({ signal: ac.signal }).catch((e) => e);
    ac.abort(new Error('stop waiting'));
    expect((await p).message).to.equal('stop waiting');
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    await c.close();
  });

  /** Runs 100 runAsync jobs submitted at once; how many ran in each server process. */
  const split = async (c: Computation): Promise<number[]> => {
    const jobs = await Promise.all(Array.from({ length: 100 }, (_, i) => c.runAsync('compute', i, 20)));
    const perServer = new Map<number, number>();
    for (const job of jobs) {
      const { pid } = (await (job as Exclude<typeof job, false>).value()) as { pid: number };
      perServer.set(pid, (perServer.get(pid) ?? 0) + 1);
    }
    return [...perServer.values()];
  };

  it('schedule() waits for every node\'s servers by default: 100 runAsync jobs submitted at once right after it split 50 ± 10 over 2 servers', async () => {
    const c = fx.computation({ components: [work], nodes: [node.location] });
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    const counts = await split(c);
    expect(counts).to.have.length(2);
    for (const n of counts) expect(n).to.be.within(40, 60);
    await c.close();
  });

  it('schedule() over 2 nodes of 1 server waits for both (100 runAsync jobs split 50 ± 10); servers: \'first\' resolves at the first server; a bad servers value is InvalidArgumentError and changes nothing', async () => {
    const second = await fx.node(['--cpus', '1']);
    const c = fx.computation({ components: [work], nodes: [node.location, second.location], nodeAllocations: [{ node: node.location, cpus: 1 }] });
    expect(await c.schedule({ servers: 'most' as never }).catch((e) => e)).to.be.instanceOf(InvalidArgumentError);
    expect(c.isScheduled).to.equal(false);
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    expect(c.nodes().sort()).to.deep.equal([node.location, second.location].sort());
    const counts = await split(c);
    expect(counts).to.have.length(2);
    for (const n of counts) expect(n).to.be.within(40, 60);
    await c.close();
    const first = fx.computation({ components: [work], nodes: [node.location] });
    const log = statusLog(first);
    expect(await first.schedule({ timeout: 15_000, servers: 'first' })).to.equal(true);
    expect(first.servers().length).to.be.at.least(1);
    expect(log.seen.filter((s) => s.kind === 'server-initialized').length).to.be.at.least(1);
    expect(await first.schedule({ timeout: 15_000 })).to.equal(true); // then all of them
    expect(first.servers()).to.have.length(2);
    await first.close();
  });

  it('holds no secret: util.inspect (any depth), JSON.stringify of its options and a log line show none, for the computation, its options and its cluster source', async () => {
    const c = fx.computation({ components: [work], nodes: [node.location], secret: SECRET, network: { secret: SECRET, discover: false } });
    const cluster = c.clusterSource();
    await c.schedule({ timeout: 15_000 });
    expect(await c.runResult('square', 3)).to.equal(9);
    const { logger, raw } = captureLogger('info');
    logger.info({ computation: c, cluster, options: c.options }, 'a computation');
    const shown = [
      inspect(c, { depth: Infinity, showHidden: true }),
      inspect(cluster, { depth: Infinity, showHidden: true }),
      inspect(c.options, { depth: Infinity, showHidden: true }),
      JSON.stringify({ ...c.options, scheduler: undefined }), // (a scheduler is not data: the logger line covers it)
      raw.join(''),
    ];
    for (const text of shown) expect(text).to.not.include(SECRET);
    expect(c.options).to.not.have.property('secret');
    expect(c.options.network).to.deep.equal({ discover: false });
    await c.close();
  });

  it('one coroutine per computation handles its nodes (pulses, node events, peer statuses), visible in the snapshot until close()', async () => {
    const c = fx.computation({ components: [work], nodes: [node.location] });
    const names = (): string[] => c.scheduler.snapshot().coroutines.map((k) => k.name);
    expect(names()).to.not.include('discoro-computation');
    await c.schedule({ timeout: 15_000 });
    expect(names()).to.include('discoro-computation');
    expect(await c.runResult('square', 4)).to.equal(16);
    await c.close();
    expect(names()).to.not.include('discoro-computation');
    expect(names().filter((n) => n.startsWith('discoro-'))).to.deep.equal([]);
  });
});
