import { expect } from 'chai';
import { until } from '../../helpers.js';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkerPool } from '../../../transports/io/WorkerPool.js';
import { PoolClosedError, PoolFullError, WorkerCrashedError, WorkerTaskError } from '../../../transports/io/ioErrors.js';
import { CoroTerminatedError, InvalidArgumentError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';

const spin = (ms: number): number => {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) n++;
  return n;
};

describe('WorkerPool', () => {
  let sched: Scheduler;
  let pool: WorkerPool;
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pool-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    sched = new Scheduler();
    pool = new WorkerPool({ size: 2, maxQueue: 4, scheduler: sched });
  });
  afterEach(async () => {
    await pool.terminate();
    await sched.terminate();
  });

  it('runs self-contained functions and module functions off the main thread', async () => {
    expect(await pool.run((a: number, b: number) => a * b, [6, 7])).to.equal(42);
    const mod = path.join(dir, 'mod.mjs');
    writeFileSync(mod, 'export function upper(s) { return s.toUpperCase(); }\nexport default (x) => x + 1;');
    expect(await pool.run({ module: mod, name: 'upper' }, ['abc'])).to.equal('ABC');
    expect(await pool.run({ module: mod }, [1])).to.equal(2);
    // The main thread keeps running while a worker spins.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await pool.run(spin, [100]);
    clearInterval(timer);
    expect(ticks).to.be.greaterThan(3);
  });

  it('re-throws a task error as WorkerTaskError with the worker-side name and stack', async () => {
    let err: unknown;
    await pool.run(() => JSON.parse('{'), []).catch((e) => (err = e));
    expect(WorkerTaskError.is(err)).to.equal(true);
    expect((err as WorkerTaskError).remoteName).to.equal('SyntaxError');
    expect((err as WorkerTaskError).remoteStack).to.be.a('string');
    expect(await pool.run((x: number) => x, [5])).to.equal(5);
  });

  it('a crashing worker fails its task with WorkerCrashedError and is replaced', async () => {
    let err: unknown;
    await pool.run(() => process.exit(7), []).catch((e) => (err = e));
    expect(WorkerCrashedError.is(err)).to.equal(true);
    expect(await pool.run(() => 'alive', [])).to.equal('alive');
  });

  it('times out and cancels running and queued tasks; the pool keeps serving', async () => {
    let err: unknown;
    await pool.run(spin, [10_000], { timeout: 30 }).catch((e) => (err = e));
    expect(TimeoutError.is(err)).to.equal(true);
    const ac = new AbortController();
    const a = pool.run(spin, [10_000], { signal: ac.signal });
    const b = pool.run(spin, [10_000], { signal: ac.signal });
    const queued = pool.run(spin, [10_000], { signal: ac.signal });
    await until(() => pool.running === 2);
    expect(pool.queued).to.equal(1);
    ac.abort(new Error('cancelled'));
    for (const p of [a, b, queued]) expect(((await p.catch((e) => e)) as Error).message).to.equal('cancelled');
    expect(pool.queued).to.equal(0);
    let running = false;
    const c = sched.spawn(async (coro) => {
      running = true;
      return pool.run(spin, [10_000], { coro });
    });
    await until(() => running);
    c.terminate();
    expect(CoroTerminatedError.is(await c.finish().catch((e) => e))).to.equal(true);
    expect(await pool.run(() => 'still serving', [], { timeout: 5000 })).to.equal('still serving');
  });

  it('bounds its queue with PoolFullError, rejects bad tasks, and refuses work once closed', async () => {
    const busy = [pool.run(spin, [200]), pool.run(spin, [200])];
    const queued = [1, 2, 3, 4].map(() => pool.run(spin, [1]));
    let err: unknown;
    await pool.run(spin, [1]).catch((e) => (err = e));
    expect(PoolFullError.is(err)).to.equal(true);
    for (const bad of [42, { module: 5 }, null]) {
      err = undefined;
      await pool.run(bad as never).catch((e) => (err = e));
      expect(InvalidArgumentError.is(err)).to.equal(true);
    }
    const closing = pool.close();
    err = undefined;
    await pool.run(spin, [1]).catch((e) => (err = e));
    expect(PoolClosedError.is(err)).to.equal(true);
    await closing; // close waits for the running and queued tasks
    for (const p of [...busy, ...queued]) expect(await p).to.be.a('number');
  });
});
