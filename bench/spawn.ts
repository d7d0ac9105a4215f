/**
 * Spawning: 100,000 coroutines that each receive one message and end (against
 * plain async functions awaiting a hand-rolled mailbox), heap per idle
 * coroutine, and one million idle coroutines alive at once (in a child process
 * with a larger heap).
 *
 * Run: `node dist/bench/spawn.js` (`--million` runs only the million part).
 * @module
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Scheduler, type Coro } from '../index.js';
import { BaselineMailbox } from './baselineMailbox.js';
import { best, isMain, printFigure, since, sized, type Size } from './figure.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

async function body(coro: Coro<number>): Promise<number> {
  return coro.receive();
}

let started = 0;
/** `body`, counting the coroutines that reached their receive. */
async function idleBody(coro: Coro<number>): Promise<number> {
  started++;
  return coro.receive();
}

/** Coroutines per second for spawn + one message + end. */
async function spawnAsyncoro(n: number): Promise<number> {
  const sched = new Scheduler();
  const start = performance.now();
  for (let i = 0; i < n; i++) sched.spawn(body).send(i);
  await sched.join();
  const rate = n / since(start);
  await sched.terminate();
  return rate;
}

async function spawnBaseline(n: number): Promise<number> {
  const start = performance.now();
  const all: Promise<number>[] = [];
  for (let i = 0; i < n; i++) {
    const box = new BaselineMailbox<number>();
    all.push((async () => box.receive())());
    box.send(i);
  }
  await Promise.all(all);
  return n / since(start);
}

/** Heap bytes per coroutine blocked in receive. */
async function idleHeap(n: number): Promise<{ perCoro: number; sched: Scheduler }> {
  const sched = new Scheduler();
  gc();
  const before = process.memoryUsage().heapUsed;
  started = 0;
  for (let i = 0; i < n; i++) sched.spawn(idleBody);
  // First steps are budgeted (a burst yields to I/O every fairnessBudget starts): measure once
  // every coroutine has reached its receive, not after one turn.
  for (let turns = 0; turns < 1_000_000 && started < n; turns++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  gc();
  return { perCoro: (process.memoryUsage().heapUsed - before) / n, sched };
}

async function baselineIdleHeap(n: number): Promise<number> {
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const box = new BaselineMailbox<number>();
    keep.push(box, (async () => box.receive())());
  }
  await new Promise((r) => setImmediate(r));
  gc();
  const per = (process.memoryUsage().heapUsed - before) / n;
  keep.length = 0;
  return per;
}

async function million(n: number): Promise<void> {
  const start = performance.now();
  const { perCoro, sched } = await idleHeap(n);
  const created = since(start);
  const alive = sched.stats.live;
  printFigure({ bench: 'spawn', metric: 'idle_coroutines_alive', value: alive, target: '1,000,000' });
  printFigure({ bench: 'spawn', metric: 'million_idle_heap_MB', value: (perCoro * n) / 1048576 });
  printFigure({ bench: 'spawn', metric: 'million_idle_create_s', value: created });
  const t = performance.now();
  await sched.terminate();
  await sched.join({ timeout: 60_000 });
  printFigure({ bench: 'spawn', metric: 'million_idle_terminate_s', value: since(t) });
}

/** Prints the spawning figures. */
export async function run(size: Size = 'full'): Promise<void> {
  const n = sized(size, 5_000, 100_000);
  const reps = sized(size, 1, 5);
  await spawnAsyncoro(n);
  await spawnBaseline(n);
  const base = await best(reps, () => spawnBaseline(n));
  const rate = await best(reps, () => spawnAsyncoro(n));
  printFigure({ bench: 'spawn', metric: 'spawn_receive_end_us_each', value: 1e6 / rate, baseline: 1e6 / base, target: '< 2 us' });
  const { perCoro, sched } = await idleHeap(n);
  await sched.terminate();
  const basePer = await baselineIdleHeap(n);
  printFigure({ bench: 'spawn', metric: 'heap_bytes_per_idle_coroutine', value: perCoro, baseline: basePer, target: '< 1024' });
  const count = sized(size, 20_000, 1_000_000);
  const self = fileURLToPath(import.meta.url);
  const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=4096', self, '--million', String(count)], { maxBuffer: 1 << 20 });
  process.stdout.write(stdout);
}

if (isMain(import.meta.url)) {
  if (process.argv[2] === '--million') await million(Number(process.argv[3] ?? 1_000_000));
  else await run((process.env.BENCH_SIZE as Size) ?? 'full');
}
