/**
 * Locks: uncontended acquire/release (against a hand-rolled promise mutex) and
 * a contended lock handed among 1,000 coroutines.
 *
 * Run: `node dist/bench/locks.js`.
 * @module
 */
import { Lock, Scheduler } from '../index.js';
import { bestInterleaved, isMain, printFigure, since, sized, type Size } from './figure.js';

/** The baseline: the least a promise mutex does (a flag and a FIFO of resolvers). */
class BaselineMutex {
  private held = false;
  private readonly queue: (() => void)[] = [];
  acquire(): Promise<void> | void {
    if (!this.held) {
      this.held = true;
      return;
    }
    return new Promise((r) => this.queue.push(r));
  }
  release(): void {
    const next = this.queue.shift();
    if (next !== undefined) next();
    else this.held = false;
  }
}

async function uncontended(n: number): Promise<number> {
  const sched = new Scheduler();
  const lock = new Lock();
  const c = sched.spawn(async (coro) => {
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      await lock.acquire(coro);
      lock.release(coro);
    }
    return n / since(start);
  });
  const rate = await c.value();
  await sched.terminate();
  return rate;
}

async function uncontendedBaseline(n: number): Promise<number> {
  const m = new BaselineMutex();
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await m.acquire();
    m.release();
  }
  return n / since(start);
}

async function contended(coros: number, rounds: number): Promise<number> {
  const sched = new Scheduler();
  const lock = new Lock();
  const start = performance.now();
  const all = Array.from({ length: coros }, () =>
    sched.spawn(async (coro) => {
      for (let i = 0; i < rounds; i++) {
        await lock.acquire(coro);
        lock.release(coro);
      }
    }),
  );
  await Promise.all(all.map((c) => c.finish()));
  const rate = (coros * rounds) / since(start);
  await sched.terminate();
  return rate;
}

async function contendedBaseline(coros: number, rounds: number): Promise<number> {
  const m = new BaselineMutex();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: coros }, async () => {
      for (let i = 0; i < rounds; i++) {
        await m.acquire();
        m.release();
      }
    }),
  );
  return (coros * rounds) / since(start);
}

/** Prints the lock figures. */
export async function run(size: Size = 'full'): Promise<void> {
  const n = sized(size, 20_000, 2_000_000);
  const reps = sized(size, 1, 5);
  await uncontended(n / 10);
  const [base, rate] = await bestInterleaved(reps, [() => uncontendedBaseline(n), () => uncontended(n)]);
  printFigure({ bench: 'locks', metric: 'uncontended_acquire_release_per_s', value: rate, baseline: base, target: '>= 0.7 of baseline' });
  const rounds = sized(size, 10, 1000);
  const [cBase, cRate] = await bestInterleaved(reps, [() => contendedBaseline(1000, rounds), () => contended(1000, rounds)]);
  printFigure({ bench: 'locks', metric: 'contended_handoffs_per_s_1000_coroutines', value: cRate, baseline: cBase, target: '>= 0.7 of baseline' });
}

if (isMain(import.meta.url)) await run((process.env.BENCH_SIZE as Size) ?? 'full');
