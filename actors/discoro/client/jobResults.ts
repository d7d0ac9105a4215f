/**
 * Waiting for the values of jobs, one (`runResultWith`) or many in input order (`runResults`): a
 * batch of jobs with one deadline and one signal for all of them. Each job waits its turn for a
 * server in the pool's queue, runs there, and delivers its one outcome to the batch (no wait per
 * job); a job whose server is lost (ServerLostError) runs again, on another server, up to
 * `retries` times. The batch ends at the first failure, at its timeout (the alarm) or when its
 * signal aborts (the reason), and then none of its jobs outlives it: those still waiting for a
 * server are taken out of the queue and never start, those running (or starting) are terminated,
 * each reported by its status (`job-terminated`).
 * @module
 */
import type { ActingWaitOptions } from '../../../runtime/coroTypes.js';
import type { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import { checkWaitOptions } from '../../../runtime/options.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Wait, WaitKind } from '../../../runtime/Wait.js';
import { TIMED_OUT } from '../../../runtime/within.js';
import { outcomeOf } from '../../remote/RemoteCoro.js';
import type { JobFunctionRef } from '../protocol.js';
import type { ComputationCore, JobFunction, JobOptions } from './computationTypes.js';
import { JobRun, type JobOwner } from './JobRun.js';
import type { PoolServer, PoolWaiter, Where } from './ServerPool.js';
import { cpuOption, encodeArgs, functionRef } from './startJob.js';

/**
 * Options of runResults: those of a job, retries after a lost server, and a progress callback; `timeout` → false.
 * @example
 * ```ts
 * const options: RunResultsOptions = { retries: 1, onProgress: (done, total) => log(`${done}/${total}`) };
 * ```
 */
export interface RunResultsOptions extends JobOptions {
  /** Runs of a job whose server was lost, after the first (a non-negative integer; default 0). */
  retries?: number;
  onProgress?: (done: number, total: number) => void;
}

function checkRetries(retries: unknown): number {
  if (retries === undefined) return 0;
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0) throw new InvalidArgumentError(`retries must be a non-negative integer, got ${String(retries).slice(0, 40)}`);
  return retries;
}

/** One job of a batch: its place in the pool's queue, and its attempts. */
class BatchJob implements PoolWaiter {
  attempts = 0;
  constructor(
    private readonly batch: JobBatch,
    readonly index: number,
    readonly args: unknown[],
    readonly encoded: Uint8Array,
    readonly where: Where,
    readonly cpu: boolean,
  ) {}

  grant(server: PoolServer): boolean {
    return this.batch.granted(this, server);
  }

  /** The computation closes: the batch ends, its running jobs are left to close(). */
  fail(error: Error): void {
    this.batch.fail(error, true);
  }
}

/** Jobs run for one call, and the call's one wait. */
class JobBatch implements JobOwner {
  private readonly jobs: BatchJob[];
  private readonly values: unknown[];
  private left: number;
  private done = 0;
  private over = false;
  private readonly live = new Set<JobRun>();
  private readonly wait: Wait<unknown[] | typeof TIMED_OUT>;
  private readonly settled: Promise<unknown[] | typeof TIMED_OUT>;
  private readonly progress: ((done: number, total: number) => void) | undefined;
  /** Ended by the computation's close, which waits for (or terminates) the jobs still running. */
  private leaveRunning = false;

  constructor(
    private readonly comp: ComputationCore,
    private readonly fn: JobFunctionRef,
    argsList: readonly unknown[][],
    options: RunResultsOptions,
    private readonly retries: number,
  ) {
    const timeout = checkWaitOptions(options);
    const cpu = cpuOption(options);
    // Every argument list is encoded (checked) before any job starts, and only once, retries included.
    this.jobs = argsList.map((args, k) => new BatchJob(this, k, args, encodeArgs(comp, args), options.where, cpu));
    this.values = new Array<unknown>(argsList.length);
    this.left = argsList.length;
    const sched = comp.scheduler;
    this.wait = new Wait(sched, sched.actor(options.coro), WaitKind.Other);
    this.wait.alarm = TIMED_OUT;
    this.wait.what = 'job results';
    this.wait.onCancel = () => this.stop(); // timed out, aborted, interrupted or failed: no job outlives the call
    this.progress = options.onProgress;
    this.settled = this.wait.start(timeout, options.signal);
  }

  /** The values in input order, or TIMED_OUT. */
  run(): Promise<unknown[] | typeof TIMED_OUT> {
    if (this.left === 0) this.wait.wake(this.values);
    for (const job of this.jobs) {
      if (this.over || this.wait.settled) break;
      this.comp.pool.enqueue(job);
    }
    return this.settled;
  }

  /** The pool offers `job` a server. */
  granted(job: BatchJob, server: PoolServer): boolean {
    if (this.over) return false;
    job.attempts++;
    const run = new JobRun(this.comp, server, job.cpu, this.fn, job.args, this, job.index);
    this.live.add(run);
    run.start(job.encoded);
    return true;
  }

  started(): boolean {
    return !this.over;
  }

  refused(run: JobRun, error: Error): void {
    this.live.delete(run);
    this.fail(error);
  }

  ended(run: JobRun, status: MonitorStatus): void {
    this.live.delete(run);
    if (this.over) return;
    const job = this.jobs[run.key]!;
    if (status.reason === 'peer-lost' && job.attempts <= this.retries && this.comp.isScheduled) {
      this.comp.pool.enqueue(job); // its server was lost: again, elsewhere
      return;
    }
    let value: unknown;
    try {
      value = outcomeOf(status, run.job ?? run);
    } catch (err) {
      return this.fail(err as Error);
    }
    this.values[run.key] = value;
    this.left--;
    try {
      this.progress?.(++this.done, this.jobs.length);
    } catch (err) {
      return this.fail(err as Error);
    }
    if (this.left === 0) {
      this.over = true;
      this.wait.wake(this.values);
    }
  }

  /** Ends the call with `error` (the first failure wins); `leaveRunning` when the computation closes. */
  fail(error: Error, leaveRunning = false): void {
    if (this.over) return;
    this.leaveRunning = leaveRunning;
    this.wait.fail(error); // → stop()
  }

  private stop(): void {
    if (this.over) return;
    this.over = true;
    const queued = new Set<PoolWaiter>(this.jobs);
    this.comp.pool.withdrawAll((w) => queued.has(w));
    if (!this.leaveRunning) for (const run of [...this.live]) run.cancel();
  }
}

/**
 * Runs a CPU job (or, with `cpu: false`, an async one) and waits for its value; after a
 * ServerLostError runs it again elsewhere, up to `retries` times. On timeout (of the whole call)
 * `alarm`; an abort rejects with the signal's reason. Either way the job is terminated.
 * @example
 * ```ts
 * const v = await runResultWith(obj, { retries: 1 }, 'square', [3]);
 * ```
 */
export async function runResultWith<R, A>(comp: ComputationCore, options: JobOptions & { retries?: number; alarm?: A }, fn: JobFunction, args: unknown[]): Promise<R | A> {
  const retries = checkRetries(options.retries);
  const result = await new JobBatch(comp, functionRef(comp, fn), [args], options, retries).run();
  return result === TIMED_OUT ? (options.alarm as A) : (result[0] as R);
}

/**
 * Runs `fn` once per item of `argsList` (an array item is the argument list, anything else one
 * argument); the values in input order, or false when `timeout` passes first. The first failure
 * rejects, and the jobs still running are terminated.
 * @example
 * ```ts
 * const squares = await runResults(obj, 'square', [1, 2, 3], {});
 * ```
 */
export async function runResults<R>(comp: ComputationCore, fn: JobFunction, argsList: readonly unknown[], options: RunResultsOptions): Promise<R[] | false> {
  if (!Array.isArray(argsList)) throw new InvalidArgumentError('runResults needs an array of argument lists');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new InvalidArgumentError('onProgress must be a function');
  const retries = checkRetries(options.retries);
  const lists = argsList.map((a) => (Array.isArray(a) ? (a as unknown[]) : [a]));
  const result = await new JobBatch(comp, functionRef(comp, fn), lists, options, retries).run();
  return result === TIMED_OUT ? false : (result as R[]);
}

export type { ActingWaitOptions };
