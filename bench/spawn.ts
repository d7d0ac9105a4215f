/**
 * Spawning: 100,000 coroutines that each receive one message and end (against
 * plain async functions awaiting a hand-rolled mailbox), heap per idle
 * coroutine, and one million idle coroutines alive at once (each side in a
 * fresh child process with a larger heap, three times, interleaved).
 *
 * Run: `node dist/bench/spawn.js` (`--million N [hand]` measures one side of the million part once).
 * @module
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Scheduler, type Coro } from '../index.js';
import { BaselineMailbox } from './baselineMailbox.js';
import { bestInterleaved, isMain, printFigure, since, sized, type Size } from './figure.js';

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
  // First steps are budgeted (a burst yields to I/O once a turn has run for fairnessMs): measure once
  // every coroutine has reached its receive, not after one turn.
  for (let turns = 0; turns < 1_000_000 && started < n; turns++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  gc();
  return { perCoro: (process.memoryUsage().heapUsed - before) / n, sched };
}

/** Heap bytes per plain async function blocked on a hand-rolled mailbox (the baseline). */
async function baselineIdleHeap(n: number): Promise<{ perCoro: number; keep: unknown[] }> {
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const box = new BaselineMailbox<number>();
    keep.push(box, (async () => box.receive())());
  }
  await new Promise((r) => setImmediate(r));
  gc();
  return { perCoro: (process.memoryUsage().heapUsed - before) / n, keep };
}

/** The million figures of one side, measured in a fresh process. */
async function million(n: number, side: 'asyncoro' | 'hand'): Promise<void> {
  const start = performance.now();
  if (side === 'hand') {
    const { perCoro, keep } = await baselineIdleHeap(n);
    process.stdout.write(JSON.stringify({ alive: keep.length / 2, heapMB: (perCoro * n) / 1048576, createS: since(start), terminateS: 0 }));
    return;
  }
  const { perCoro, sched } = await idleHeap(n);
  const created = since(start);
  const alive = sched.stats.live;
  const t = performance.now();
  await sched.terminate();
  await sched.join({ timeout: 60_000 });
  process.stdout.write(JSON.stringify({ alive, heapMB: (perCoro * n) / 1048576, createS: created, terminateS: since(t) }));
}

interface Million {
  alive: number;
  heapMB: number;
  createS: number;
  terminateS: number;
}

async function millionInChild(count: number, side: 'asyncoro' | 'hand'): Promise<Million> {
  const self = fileURLToPath(import.meta.url);
  const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=4096', self, '--million', String(count), side], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Million;
}

/** Prints the spawning figures. */
export async function run(size: Size = 'full'): Promise<void> {
  const n = sized(size, 5_000, 100_000);
  const reps = sized(size, 1, 5);
  await spawnAsyncoro(n);
  await spawnBaseline(n);
  const [base, rate] = await bestInterleaved(reps, [() => spawnBaseline(n), () => spawnAsyncoro(n)]);
  printFigure({ bench: 'spawn', metric: 'spawn_receive_end_us_each', value: 1e6 / rate, baseline: 1e6 / base, target: '<= 2x plain async functions' });
  const { perCoro, sched } = await idleHeap(n);
  // Wait until the coroutines have ended: still alive at the baseline's first gc(), they would be
  // collected inside its window and make the baseline negative.
  await sched.terminate();
  await sched.join({ timeout: 60_000 });
  const idleBase = await baselineIdleHeap(n);
  idleBase.keep.length = 0;
  printFigure({ bench: 'spawn', metric: 'heap_bytes_per_idle_coroutine', value: perCoro, baseline: idleBase.perCoro, target: '<= 600' });
  // A million idle coroutines, each side in a fresh process, interleaved; the best creation time of each.
  const count = sized(size, 20_000, 1_000_000);
  let hand: Million | undefined, ours: Million | undefined;
  for (let r = 0; r < sized(size, 1, 3); r++) {
    for (const side of r % 2 === 0 ? (['hand', 'asyncoro'] as const) : (['asyncoro', 'hand'] as const)) {
      const got = await millionInChild(count, side);
      if (side === 'hand') hand = hand === undefined || got.createS < hand.createS ? got : hand;
      else ours = ours === undefined || got.createS < ours.createS ? got : ours;
    }
  }
  printFigure({ bench: 'spawn', metric: 'idle_coroutines_alive', value: ours!.alive, target: `${count}` });
  printFigure({ bench: 'spawn', metric: 'million_idle_heap_MB', value: ours!.heapMB, baseline: hand!.heapMB });
  printFigure({ bench: 'spawn', metric: 'million_idle_create_s', value: ours!.createS, baseline: hand!.createS, target: '< 2 s' });
  printFigure({ bench: 'spawn', metric: 'million_idle_terminate_s', value: ours!.terminateS });
}

if (isMain(import.meta.url)) {
  if (process.argv[2] === '--million') await million(Number(process.argv[3] ?? 1_000_000), process.argv[4] === 'hand' ? 'hand' : 'asyncoro');
  else await run((process.env.BENCH_SIZE as Size) ?? 'full');
}
