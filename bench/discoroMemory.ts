/**
 * A discoro client's memory over many jobs: a discoronode with 2 server processes (a real
 * `discoronode` process) and a client in this process running `jobs` tiny jobs, a fresh computation
 * for each way a client runs them: `runResults` batches of 1,000 (`batch`), `runAsync` jobs with 100
 * in flight, each awaited through `value()` (`async`), `runResult` one after the other
 * (`sequential`), jobs that finish, fail, are refused or time out (`failing`), and batches while a
 * `status()` iterator nobody reads is open (`unread-status`). Figures (one JSON line each):
 * - the client's RSS (MiB) after all the jobs, against its RSS after the first 10,000 (the
 *   baseline: V8 and the job path warmed up);
 * - the client's heap used after a full GC, the same way (what the client retains).
 *
 * Each mode runs in a client process of its own (a fresh node too), so that its baseline is its
 * own first 10,000 jobs, not what the modes before it left in the process's heap and allocator.
 *
 * Run: `node dist/bench/discoroMemory.js [jobs=100000] [mode=all|batch|async|sequential|failing|unread-status]`.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Computation } from '../actors/discoro/client/Computation.js';
import { Scheduler } from '../index.js';
import { isMain, printFigure } from './figure.js';
import { listeningAt } from './nodeListening.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/discoronode.js');
const SECRET = 'bench secret';
const BASELINE_JOBS = 10_000;
const BATCH = 1000;
const IN_FLIGHT = 100;

function tiny(_coro: unknown, x: number): number {
  return x * 2 + 1;
}

type Mode = 'batch' | 'async' | 'sequential' | 'failing' | 'unread-status';

/** Runs `n` jobs starting at `from`, the way `mode` says; checks every value. */
async function runJobs(comp: Computation, mode: Mode, from: number, n: number): Promise<void> {
  const check = (k: number, v: unknown): void => {
    if (v !== tiny(undefined, k)) throw new Error(`job ${k}: ${String(v)}`);
  };
  if (mode === 'batch' || mode === 'unread-status') {
    for (let k = from; k < from + n; k += BATCH) {
      const args = Array.from({ length: Math.min(BATCH, from + n - k) }, (_, i) => k + i);
      const values = await comp.runResults(tiny, args);
      values.forEach((v, i) => check(args[i]!, v));
    }
  } else if (mode === 'async') {
    let next = from;
    const worker = async (): Promise<void> => {
      while (next < from + n) {
        const k = next++;
        const job = await comp.runAsync(tiny, k);
        if (job === false) throw new Error('no server');
        check(k, await job.value());
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  } else if (mode === 'failing') {
    // A quarter each: finished, failed (a stack and a cause come back), refused (no such function), timed out (terminated).
    for (let k = from; k < from + n; k += 100) {
      await Promise.all(Array.from({ length: 25 }, (_, i) => comp.runResult(tiny, k + i).then((v) => check(k + i, v))));
      await Promise.all(Array.from({ length: 25 }, () => comp.runResult(boom).then(() => Promise.reject(new Error('boom did not fail')), () => undefined)));
      await Promise.all(Array.from({ length: 25 }, () => comp.runResult<number>('noSuchFunction').then(() => Promise.reject(new Error('a job ran')), () => undefined)));
      await Promise.all(Array.from({ length: 25 }, () => comp.runResultWith({ timeout: 1, alarm: 0, cpu: false }, slow, 50)));
    }
  } else {
    for (let k = from; k < from + n; k++) check(k, await comp.runResult(tiny, k));
  }
}

function boom(): never {
  throw new Error('boom', { cause: new RangeError('the cause') });
}

async function slow(coro: { sleep(ms: number): Promise<unknown> }, ms: number): Promise<number> {
  await coro.sleep(ms);
  return ms;
}

/** A full GC (the bench turns --expose-gc on for itself), then the heap used, MiB. */
function heapAfterGc(): number {
  (runInNewContext('gc') as () => void)();
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const rss = (): number => process.memoryUsage().rss / 2 ** 20;

const MODES: Mode[] = ['batch', 'async', 'sequential', 'failing', 'unread-status'];

/** Every mode, each in a client process of its own (its figures on this process's stdout). */
export async function run(jobs = 100_000, modes: Mode[] = MODES): Promise<void> {
  for (const mode of modes) {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), String(jobs), mode], { stdio: ['ignore', 'inherit', 'inherit'] });
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`discoroMemory ${mode} exited with ${code}`);
  }
}

/** One mode in this process: a node process, a client here. */
async function runMode(jobs: number, mode: Mode): Promise<void> {
  setFlagsFromString('--expose-gc');
  const folder = mkdtempSync(path.join(os.tmpdir(), 'asyncoro-bench-memory-'));
  const node = spawn(process.execPath, [BIN, '--cpus', '2', '--no-discover', '--daemon', '--log-level', 'error', '--dest-dir', folder], { env: { ...process.env, DISCORO_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'inherit'] });
  const sched = new Scheduler();
  try {
    const location = await listeningAt(node);
    const comp = new Computation({ components: [tiny, boom, slow], nodes: [location], secret: SECRET, scheduler: sched });
    // An iterator nobody reads: it keeps its latest statuses only (status({ limit }), default 10,000).
    const unread = mode === 'unread-status' ? comp.status() : undefined;
    if (!(await comp.schedule({ timeout: 30_000 }))) throw new Error('no server within 30 s');
    await runJobs(comp, mode, 0, BASELINE_JOBS);
    const rss0 = rss();
    const heap0 = heapAfterGc();
    for (let k = BASELINE_JOBS; k < jobs; k += BASELINE_JOBS) {
      await runJobs(comp, mode, k, Math.min(BASELINE_JOBS, jobs - k));
      if (process.env.BENCH_TRACE !== undefined) console.error(JSON.stringify({ mode, jobs: k + BASELINE_JOBS, ...process.memoryUsage(), heap: heapAfterGc() }));
    }
    printFigure({ bench: 'discoroMemory', metric: `client_rss_mib_after_${jobs}_jobs_${mode}`, value: rss(), baseline: rss0 });
    printFigure({ bench: 'discoroMemory', metric: `client_heap_mib_after_gc_after_${jobs}_jobs_${mode}`, value: heapAfterGc(), baseline: heap0 });
    await comp.close();
    await unread?.return?.();
  } finally {
    await sched.terminate();
    node.kill('SIGTERM');
    await new Promise((r) => (node.exitCode !== null ? r(undefined) : node.once('exit', r)));
    rmSync(folder, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const jobs = Number(process.argv[2] ?? 100_000);
  const mode = process.argv[3];
  if (mode === undefined || mode === 'all') await run(jobs);
  else if (MODES.includes(mode as Mode)) await runMode(jobs, mode as Mode);
  else throw new Error(`no mode ${mode}: ${MODES.join(', ')} or all`);
}
