/**
 * discoro on loopback: a discoronode with 2 server processes, a client in this process.
 * Figures (one JSON line each, with a baseline measured in the same run):
 * - tiny CPU jobs/s through runResults over 10,000 jobs, against the local WorkerPool (2 threads)
 *   running the same function 10,000 times, for the first 10,000 of a fresh computation and again
 *   (the steady state, once V8 has optimised the job path);
 * - tiny async jobs/s over the 2 servers (same baseline, same two rounds);
 * - one-job round trip (runResult, sequential) median and p99 µs, against a WorkerPool task;
 * - schedule() to the first server initialized, ms, against forking a bare node process until it
 *   answers over IPC;
 * - idle server RSS (MiB) before any job and after the jobs above (a server keeps the outcomes of the
 *   latest 10,000 jobs for late finish() calls), against an idle bare node process;
 * - placement: 100 `runAsync` jobs submitted at once right after `schedule()` of a fresh
 *   computation, the most that ran on one of the 2 servers, against 50 (an even split).
 *
 * Run: `node dist/bench/discoro.js [jobs=10000] [roundTrips=300]`.
 * @module
 */
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Computation } from '../actors/discoro/client/Computation.js';
import { Scheduler, WorkerPool } from '../index.js';
import { isMain, printFigure } from './figure.js';
import { listeningAt } from './nodeListening.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/discoronode.js');
const SECRET = 'bench secret';

function tiny(_coro: unknown, x: number): number {
  return x * 2 + 1;
}
const tinyTask = (x: number): number => x * 2 + 1;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Forks a bare node process and waits for its first IPC message: the floor of starting a server. */
async function bareForkMs(): Promise<number> {
  const t = performance.now();
  const child = spawn(process.execPath, ['-e', "process.send('up'); process.on('disconnect', () => process.exit(0))"], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`bare node exited (${code})`)));
  });
  const ms = performance.now() - t;
  child.kill();
  return ms;
}

export async function run(jobs = 10_000, roundTrips = 300): Promise<void> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'asyncoro-bench-discoro-'));
  const node = spawn(process.execPath, [BIN, '--cpus', '2', '--no-discover', '--daemon', '--dest-dir', folder], { env: { ...process.env, DISCORO_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'inherit'] });
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const sched = new Scheduler();
  try {
    const location = await listeningAt(node);
    const comp = new Computation({ components: [tiny], nodes: [location], secret: SECRET, scheduler: sched });
    const statuses = comp.status();
    const t0 = performance.now();
    if (!(await comp.schedule({ timeout: 30_000, servers: 'first' }))) throw new Error('no server within 30 s');
    const scheduleMs = performance.now() - t0;
    for await (const s of statuses) if (s.kind === 'node-initialized') break;
    printFigure({ bench: 'discoro', metric: 'schedule_to_first_server_ms', value: scheduleMs, baseline: await bareForkMs() });
    const idleRss = rssMiB(comp.servers()[0]!.pid); // before any job: what an idle server costs

    const pool = new WorkerPool({ size: 2 });
    const args = Array.from({ length: jobs }, (_, k) => k);
    await pool.run(tinyTask, [0]);
    let t = performance.now();
    await Promise.all(args.map((x) => pool.run(tinyTask, [x])));
    const poolPerS = jobs / ((performance.now() - t) / 1000);

    await comp.runResults('tiny', args.slice(0, 200));
    // The first batch of a fresh computation runs while V8 still optimises the job path in the
    // client and the servers; the second shows the steady state. Both are reported.
    for (const round of ['first', 'steady']) {
      t = performance.now();
      const results = await comp.runResults<number>('tiny', args);
      const cpuPerS = jobs / ((performance.now() - t) / 1000);
      if (results[jobs - 1] !== tinyTask(jobs - 1)) throw new Error('wrong result');
      printFigure({ bench: 'discoro', metric: `tiny_cpu_jobs_per_s_runResults_${jobs}_over_2_servers_${round}`, value: cpuPerS, baseline: poolPerS });
      t = performance.now();
      await comp.runResults('tiny', args, { cpu: false });
      printFigure({ bench: 'discoro', metric: `tiny_async_jobs_per_s_over_2_servers_${round}`, value: jobs / ((performance.now() - t) / 1000), baseline: poolPerS });
    }

    const rtt: number[] = [];
    const poolRtt: number[] = [];
    for (let i = 0; i < roundTrips; i++) {
      let s = performance.now();
      await comp.runResult('tiny', i);
      rtt.push((performance.now() - s) * 1000);
      s = performance.now();
      await pool.run(tinyTask, [i]);
      poolRtt.push((performance.now() - s) * 1000);
    }
    rtt.sort((a, b) => a - b);
    poolRtt.sort((a, b) => a - b);
    printFigure({ bench: 'discoro', metric: 'one_job_round_trip_median_us', value: quantile(rtt, 0.5), baseline: quantile(poolRtt, 0.5) });
    printFigure({ bench: 'discoro', metric: 'one_job_round_trip_p99_us', value: quantile(rtt, 0.99), baseline: quantile(poolRtt, 0.99) });
    await pool.close();

    printFigure({ bench: 'discoro', metric: 'idle_server_rss_mib', value: idleRss, baseline: rssMiB(bare.pid!) });
    printFigure({ bench: 'discoro', metric: `server_rss_mib_after_${jobs * 4 + roundTrips + 200}_jobs`, value: rssMiB(comp.servers()[0]!.pid), baseline: rssMiB(bare.pid!) });
    await comp.close();

    const fresh = new Computation({ components: [tiny], nodes: [location], secret: SECRET, scheduler: sched });
    if (!(await fresh.schedule({ timeout: 30_000 }))) throw new Error('no server within 30 s');
    const jobsAtOnce = await Promise.all(Array.from({ length: 100 }, (_, k) => fresh.runAsync(tiny, k)));
    const perServer = new Map<string, number>();
    for (const job of jobsAtOnce) if (job !== false) perServer.set(job.server, (perServer.get(job.server) ?? 0) + 1);
    await Promise.all(jobsAtOnce.map((job) => (job === false ? undefined : job.value())));
    printFigure({ bench: 'discoro', metric: `placement_most_of_100_async_jobs_on_one_of_${fresh.servers().length}_servers`, value: Math.max(...perServer.values()), baseline: 50 });
    await fresh.close();
  } finally {
    await sched.terminate();
    node.kill('SIGTERM');
    bare.kill();
    await new Promise((r) => (node.exitCode !== null ? r(undefined) : node.once('exit', r)));
    rmSync(folder, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await run(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 300));
