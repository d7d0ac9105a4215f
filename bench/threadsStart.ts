/**
 * The start figures of `bench/threads.ts`, each against a bare Worker answering its first message
 * (started the same way in the same run):
 * - **cold**: `Threads.start({ count: 1 })`, then `spawnOn` and an `ask`: ms to the first message
 *   handled by a coroutine on the new thread (the thread loads the runtime's modules first);
 * - **cold, from the packed package**: the same with the package as `npm pack` ships it (built by
 *   `.ci/pack.mjs` from this tree into a temporary folder before measuring): a thread loads its
 *   entry and a few shared chunks instead of one file per module;
 * - **from a warm spare**: a thread of a group with `spares: 1` ends (process.exit); ms from then
 *   to the first message handled by a coroutine placed on the thread that took its place;
 * - **replaced cold**: the same without spares;
 * - **cold, a module importing the package's index**: the same, placing a doubler from a module
 *   that imports `asyncoro`'s index (as a user's module does): the thread loads it at that spawn;
 * - **a whole group**: `Threads.start()` (`os.availableParallelism()` threads), then a coroutine
 *   placed on each and asked: ms to the last first message handled, against as many bare Workers
 *   started at once (the threads load the runtime side by side).
 * Each the best of 5 (the least disturbed on a shared machine), measured in a fresh process of
 * their own (`node dist/bench/threadsStart.js` runs them alone).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tree from '../index.js';
import { ask, Scheduler, silentLogger, spawnOn, spawnOnWith, Threads, type RemoteCoro } from '../index.js';
import { isMain, printFigure, runAlone } from './figure.js';

const WORK = new URL('./threadWork.js', import.meta.url);
const WORK_INDEXED = new URL('./threadWorkIndexed.js', import.meta.url);
const BARE = new URL('./threadsBare.js', import.meta.url);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = 5;

/** What the cold figures use of a build of the package (this tree's, or the packed one). */
type Package = Pick<typeof tree, 'ask' | 'Scheduler' | 'spawnOnWith' | 'Threads'>;
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `count` bare Workers started at once: ms from the first `new Worker` to the last answer to a first message. */
async function bareMs(count = 1): Promise<number> {
  const t0 = performance.now();
  const workers = Array.from({ length: count }, () => new Worker(BARE));
  await Promise.all(
    workers.map(async (w) => {
      await new Promise((r) => w.once('message', r));
      const reply = new Promise((r) => w.once('message', r));
      w.postMessage({ id: 1, n: 1 });
      await reply;
    }),
  );
  const ms = performance.now() - t0;
  await Promise.all(workers.map((w) => w.terminate()));
  return ms;
}

/** ms from `t0` to the first message handled by a doubler (from `work`) placed on each of `threads` (thread 1 alone by default). */
async function firstAnswer(threads: Threads, t0: number, count = 1, work = WORK, pkg: Package = tree): Promise<number> {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const doubler = await pkg.spawnOnWith(threads, { thread: i + 1 }, work, 'doubler');
      await pkg.ask(doubler as RemoteCoro<any>, (replyTo) => ({ n: 1, replyTo }), { timeout: 10_000 });
    }),
  );
  return performance.now() - t0;
}

/** `Threads.start({ count })` of `pkg`, then a doubler (from `work`) on each thread: ms to the last first answer. */
async function coldMs(count = 1, work = WORK, pkg: Package = tree): Promise<number> {
  const sched = new pkg.Scheduler();
  const t0 = performance.now();
  const threads = await pkg.Threads.start({ count, scheduler: sched });
  try {
    return await firstAnswer(threads, t0, count, work, pkg);
  } finally {
    await threads.stop();
    await sched.terminate();
  }
}

/** A thread of a group ends; ms to the first message handled on its replacement (from a warm spare or cold). */
async function replacedMs(spares: number): Promise<number> {
  const sched = new Scheduler({ logger: silentLogger() }); // the loss is expected: no warning
  const threads = await Threads.start({ count: 1, scheduler: sched, spares });
  try {
    while (threads.spares < spares) await pause(5);
    await pause(50); // the spare idle, as it would be when a thread is lost
    const victim = await spawnOn(threads, WORK, 'endThread');
    const t0 = performance.now();
    victim.send('end');
    while (!(threads.list()[0]!.starts === 2 && threads.list()[0]!.state === 'up')) await pause(1);
    return await firstAnswer(threads, t0);
  } finally {
    await threads.stop();
    await sched.terminate();
  }
}

/** Packs this tree as `npm pack` would (.ci/pack.mjs) into a temporary folder, with the dependencies beside it. */
function pack(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncoro-bench-pack-'));
  execFileSync(process.execPath, [path.join(ROOT, '.ci/pack.mjs'), '--out', dir], { stdio: 'ignore' });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * The start figures, each measured in a fresh process: run after the other parts of the threads
 * bench in the same process, a bare Worker's first answer took 36–38 ms instead of 25–27 and a
 * thread's start slowed alike (a large heap and finished threads behind them), so the figure
 * depended on what ran before it.
 */
export async function starts(): Promise<void> {
  runAlone(import.meta.url);
}

async function measureStarts(): Promise<void> {
  const best = async (measure: () => Promise<number>): Promise<number> => {
    let min = Infinity;
    for (let i = 0; i < RUNS; i++) min = Math.min(min, await measure());
    return min;
  };
  const bare = await best(bareMs);
  printFigure({ bench: 'threads', metric: `start a thread + spawn on it, cold, ms to the first message handled (best of ${RUNS}; baseline: a bare Worker answering its first message)`, value: await best(() => coldMs()), baseline: bare, target: '< 50 ms' });
  const packed = pack();
  try {
    const pkg = (await import(pathToFileURL(path.join(packed, 'lib/index.js')).href)) as Package;
    printFigure({ bench: 'threads', metric: `start a thread + spawn on it, cold, from the packed package (.ci/pack.mjs), ms to the first message handled (best of ${RUNS}; baseline: a bare Worker answering its first message)`, value: await best(() => coldMs(1, WORK, pkg)), baseline: await best(bareMs), target: '< 50 ms' });
  } finally {
    rmSync(packed, { recursive: true, force: true });
  }
  printFigure({ bench: 'threads', metric: `start a thread + spawn on it from a module importing the package's index, cold, ms to the first message handled (best of ${RUNS}; baseline: the same from a module importing none of it)`, value: await best(() => coldMs(1, WORK_INDEXED)), baseline: await best(() => coldMs(1)) });
  printFigure({ bench: 'threads', metric: `a lost thread replaced from a warm spare (spares: 1), ms from its end to the first message handled on its replacement (best of ${RUNS}; baseline: a bare Worker answering its first message)`, value: await best(() => replacedMs(1)), baseline: bare, target: '< 50 ms' });
  printFigure({ bench: 'threads', metric: `a lost thread replaced cold (no spare), ms from its end to the first message handled on its replacement (best of ${RUNS}; baseline: a bare Worker answering its first message)`, value: await best(() => replacedMs(0)), baseline: bare });
  const n = os.availableParallelism();
  printFigure({ bench: 'threads', metric: `Threads.start() (${n} threads) + spawn on each, cold, ms to the last first message handled (best of ${RUNS}; baseline: ${n} bare Workers started at once, each answering its first message)`, value: await best(() => coldMs(n)), baseline: await best(() => bareMs(n)) });
}

if (isMain(import.meta.url)) await measureStarts();
