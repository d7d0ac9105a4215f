/**
 * discoro under repeated faults: a discoronode with 2 server processes (a real `discoronode`
 * process) and a client in this process running tiny CPU jobs through `runResults` with
 * `retries`, batch after batch until the kills are over, while a random server of the computation
 * is SIGKILLed (by pid) every `killEveryMs` for `killForMs` (a kill that falls due while no server
 * is up hits the next one to come up). Figures, each beside the same run without kills:
 * - jobs/s through the kills;
 * - every job's value arrives exactly once (each batch's values checked), 0 failures, 0 hangs
 *   (each batch bounded by a timeout), and one `job-abandoned` per retried attempt;
 * - after the kills the node serves a new computation.
 *
 * Run: `node dist/bench/discoroChaos.js [jobsPerBatch=10000] [killForMs=10000] [killEveryMs=500]`.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Computation } from '../actors/discoro/client/Computation.js';
import type { DiscoroStatus } from '../actors/discoro/client/discoroStatus.js';
import { Scheduler } from '../index.js';
import { isMain, printFigure } from './figure.js';
import { listeningAt } from './nodeListening.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/discoronode.js');
const SECRET = 'bench secret';
/** No batch may take longer than this: a hang fails the bench. */
const BATCH_TIMEOUT_MS = 120_000;

function tiny(_coro: unknown, x: number): number {
  return x * 2 + 1;
}

interface Phase {
  jobs: number;
  ms: number;
  kills: number;
  counts: Record<string, number>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs batches of `n` jobs for at least `forMs` (killing a server every `killEveryMs` when given); checks every value. */
async function phase(comp: Computation, n: number, forMs: number, killEveryMs: number | undefined): Promise<Phase> {
  const counts: Record<string, number> = {};
  const statuses = (async () => {
    for await (const s of comp.status() as AsyncIterable<DiscoroStatus>) counts[s.kind] = (counts[s.kind] ?? 0) + 1;
  })();
  const args = Array.from({ length: n }, (_, k) => k);
  let kills = 0, jobs = 0, due = 0, ticks = 0;
  const start = performance.now();
  // A kill falls due every killEveryMs; one due while no server is up is paid as soon as one is.
  const clock = killEveryMs === undefined ? undefined : setInterval(() => {
    if (killEveryMs !== undefined && ticks < Math.floor(forMs / killEveryMs)) {
      ticks++;
      due++;
    }
  }, killEveryMs);
  const killer = killEveryMs === undefined ? undefined : setInterval(() => {
    if (due === 0) return;
    const alive = comp.servers().filter((s) => isAlive(s.pid));
    const victim = alive[Math.floor(Math.random() * alive.length)];
    if (victim === undefined) return;
    process.kill(victim.pid, 'SIGKILL');
    due--;
    kills++;
  }, 5);
  try {
    while (performance.now() - start < forMs || due > 0) {
      const values = await comp.runResults<number>('tiny', args, { retries: 10, timeout: BATCH_TIMEOUT_MS });
      if (values === false) throw new Error(`a batch of ${n} jobs did not end within ${BATCH_TIMEOUT_MS} ms`);
      for (let k = 0; k < n; k++) if (values[k] !== tiny(undefined, k)) throw new Error(`job ${k}: ${values[k]}`);
      jobs += n;
    }
  } finally {
    clearInterval(clock);
    clearInterval(killer);
  }
  const ms = performance.now() - start;
  void statuses;
  return { jobs, ms, kills, counts };
}

export async function run(jobsPerBatch = 10_000, killForMs = 10_000, killEveryMs = 500): Promise<void> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'asyncoro-bench-chaos-'));
  const node = spawn(process.execPath, [BIN, '--cpus', '2', '--no-discover', '--daemon', '--dest-dir', folder], { env: { ...process.env, DISCORO_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'inherit'] });
  const sched = new Scheduler();
  const pids = new Set<number>();
  try {
    const location = await listeningAt(node);
    const computation = async (): Promise<Computation> => {
      const comp = new Computation({ components: [tiny], nodes: [location], secret: SECRET, scheduler: sched });
      const statuses = comp.status();
      if (!(await comp.schedule({ timeout: 30_000 }))) throw new Error('no server within 30 s');
      for await (const s of statuses) if (s.kind === 'node-initialized') break;
      await comp.runResults('tiny', Array.from({ length: 2000 }, (_, k) => k)); // warm the job path
      return comp;
    };
    const calm = await computation();
    const without = await phase(calm, jobsPerBatch, killForMs, undefined);
    await calm.close();
    const comp = await computation();
    const withKills = await phase(comp, jobsPerBatch, killForMs, killEveryMs);
    for (const s of comp.servers()) pids.add(s.pid);
    await comp.close();
    const c = withKills.counts;
    const failures = (c['job-failed'] ?? 0) + (c['job-terminated'] ?? 0);
    const retried = c['job-abandoned'] ?? 0;
    if (failures !== 0) throw new Error(`${failures} jobs failed or were terminated`);
    if ((c['job-finished'] ?? 0) !== withKills.jobs) throw new Error(`${c['job-finished']} job-finished statuses for ${withKills.jobs} jobs: a value arrived twice, or not at all`);
    printFigure({ bench: 'discoroChaos', metric: `tiny_cpu_jobs_per_s_runResults_retries_2_servers_one_killed_every_${killEveryMs}ms`, value: withKills.jobs / (withKills.ms / 1000), baseline: without.jobs / (without.ms / 1000) });
    printFigure({ bench: 'discoroChaos', metric: 'servers_killed', value: withKills.kills });
    printFigure({ bench: 'discoroChaos', metric: 'jobs_each_value_exactly_once', value: withKills.jobs });
    printFigure({ bench: 'discoroChaos', metric: 'jobs_run_again_after_their_server_was_lost', value: retried });
    printFigure({ bench: 'discoroChaos', metric: 'jobs_failed_or_hung', value: failures });
    // The node serves a new computation after the kills.
    const after = await computation();
    const ok = (await after.runResult<number>('tiny', 20)) === tiny(undefined, 20);
    for (const s of after.servers()) pids.add(s.pid);
    await after.close();
    printFigure({ bench: 'discoroChaos', metric: 'node_serves_a_new_computation_after', value: ok ? 1 : 0 });
  } finally {
    await sched.terminate();
    node.kill('SIGTERM');
    await new Promise((r) => (node.exitCode !== null ? r(undefined) : node.once('exit', r)));
    for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await run(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 10_000), Number(process.argv[4] ?? 500));
