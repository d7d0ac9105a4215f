/**
 * The job calls of a Computation, typed by the function each job runs: `run(square, 3)` takes
 * `square`'s parameters after the job's coroutine and gives its value; with a typed component map
 * (`new Computation<typeof import('./jobs.js')>(...)`) a name does the same
 * (`run('countPrimes', 10)`). An untyped computation takes any name with any arguments, the
 * value's type given as a type argument (`runResult<number>('square', 3)`).
 * @module
 */
import type { JobCoro } from './JobCoro.js';
import { runResults, runResultWith, type RunResultsOptions } from './jobResults.js';
import type { BatchItem, JobArgs, JobFn, JobName, JobValue, LooseJobName } from './jobTypes.js';
import { startJob } from './startJob.js';
import type { ComputationCore, JobOptions } from './computationTypes.js';

type Started<R> = Promise<JobCoro<unknown, R> | false>;
/** Options of runResultWith: a job's, `retries` after a lost server, and the value on timeout. */
type ResultOptions<A> = JobOptions & { retries?: number; alarm?: A };
type Untimed = Omit<RunResultsOptions, 'timeout' | 'signal'>;

/**
 * A computation's job calls.
 * @example
 * ```ts
 * function square(_coro: unknown, x: number): number { return x * x; }
 * const computation = new Computation({ components: [square], nodes: ['127.0.0.1:9706'] });
 * const nine: number = await computation.runResult(square, 3);
 * ```
 */
export abstract class ComputationJobs<M extends object> {
  /**
   * @internal The computation its jobs run on: ComputationClosedError once it closes, and (when
   * `scheduled`) before it is scheduled.
   */
  protected abstract jobCore(scheduled: boolean): ComputationCore;

  /** Starts a job on the computation, which must be scheduled (else the call rejects with ComputationClosedError). */
  private async start(options: JobOptions, fn: string | JobFn, args: unknown[]): Started<unknown> {
    return startJob(this.jobCore(true), options, fn, args);
  }

  /** A job's value (a call before the computation is scheduled waits for a server; one after it closed rejects). */
  private async result(options: ResultOptions<unknown>, fn: string | JobFn, args: unknown[]): Promise<unknown> {
    return runResultWith(this.jobCore(false), options, fn, args);
  }

  /**
   * Runs a job with options: `where`, `cpu` (default true) and the wait for a free server
   * (`timeout` → false). Throws ComputationClosedError, InvalidArgumentError (bad function,
   * arguments that are not CBOR data), and what the server answers.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * const job = await computation.runWith({ where: '127.0.0.1', cpu: false, timeout: 5000 }, 'watch', me);
   * ```
   */
  runWith<F extends JobFn>(options: JobOptions, fn: F, ...args: JobArgs<F>): Started<JobValue<F>>;
  runWith<K extends JobName<M>>(options: JobOptions, fn: K, ...args: JobArgs<M[K]>): Started<JobValue<M[K]>>;
  runWith<R = unknown>(options: JobOptions, fn: LooseJobName<M>, ...args: unknown[]): Started<R>;
  runWith(options: JobOptions, fn: string | JobFn, ...args: unknown[]): Started<unknown> {
    return this.start(options ?? {}, fn, args);
  }

  /**
   * A CPU job on the least loaded server; waits for a free one.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * const job = await computation.run('compute', 1, 2);
   * ```
   */
  run<F extends JobFn>(fn: F, ...args: JobArgs<F>): Started<JobValue<F>>;
  run<K extends JobName<M>>(fn: K, ...args: JobArgs<M[K]>): Started<JobValue<M[K]>>;
  run<R = unknown>(fn: LooseJobName<M>, ...args: unknown[]): Started<R>;
  run(fn: string | JobFn, ...args: unknown[]): Started<unknown> {
    return this.start({}, fn, args);
  }

  /** A CPU job at a node or server (see JobOptions.where). */
  runAt<F extends JobFn>(where: string, fn: F, ...args: JobArgs<F>): Started<JobValue<F>>;
  runAt<K extends JobName<M>>(where: string, fn: K, ...args: JobArgs<M[K]>): Started<JobValue<M[K]>>;
  runAt<R = unknown>(where: string, fn: LooseJobName<M>, ...args: unknown[]): Started<R>;
  runAt(where: string, fn: string | JobFn, ...args: unknown[]): Started<unknown> {
    return this.start({ where }, fn, args);
  }

  /** An async (I/O) job: any number per server, on the one running fewest jobs. */
  runAsync<F extends JobFn>(fn: F, ...args: JobArgs<F>): Started<JobValue<F>>;
  runAsync<K extends JobName<M>>(fn: K, ...args: JobArgs<M[K]>): Started<JobValue<M[K]>>;
  runAsync<R = unknown>(fn: LooseJobName<M>, ...args: unknown[]): Started<R>;
  runAsync(fn: string | JobFn, ...args: unknown[]): Started<unknown> {
    return this.start({ cpu: false }, fn, args);
  }

  /** An async job at a node or server. */
  runAsyncAt<F extends JobFn>(where: string, fn: F, ...args: JobArgs<F>): Started<JobValue<F>>;
  runAsyncAt<K extends JobName<M>>(where: string, fn: K, ...args: JobArgs<M[K]>): Started<JobValue<M[K]>>;
  runAsyncAt<R = unknown>(where: string, fn: LooseJobName<M>, ...args: unknown[]): Started<R>;
  runAsyncAt(where: string, fn: string | JobFn, ...args: unknown[]): Started<unknown> {
    return this.start({ where, cpu: false }, fn, args);
  }

  /**
   * Runs a CPU job and waits for its value (throws its error; ServerLostError when its server is
   * lost, after `retries` more attempts elsewhere). On timeout (of the whole call) `alarm`.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * const v = await computation.runResultWith({ retries: 2, timeout: 60_000, alarm: null }, 'compute', 4);
   * ```
   */
  runResultWith<F extends JobFn, A = undefined>(options: ResultOptions<A>, fn: F, ...args: JobArgs<F>): Promise<JobValue<F> | A>;
  runResultWith<K extends JobName<M>, A = undefined>(options: ResultOptions<A>, fn: K, ...args: JobArgs<M[K]>): Promise<JobValue<M[K]> | A>;
  runResultWith<R = unknown, A = undefined>(options: ResultOptions<A>, fn: LooseJobName<M>, ...args: unknown[]): Promise<R | A>;
  runResultWith(options: ResultOptions<unknown>, fn: string | JobFn, ...args: unknown[]): Promise<unknown> {
    return this.result(options, fn, args);
  }

  /**
   * runResultWith without options.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * const v = await computation.runResult('compute', 4);
   * ```
   */
  runResult<F extends JobFn>(fn: F, ...args: JobArgs<F>): Promise<JobValue<F>>;
  runResult<K extends JobName<M>>(fn: K, ...args: JobArgs<M[K]>): Promise<JobValue<M[K]>>;
  runResult<R = unknown>(fn: LooseJobName<M>, ...args: unknown[]): Promise<R>;
  runResult(fn: string | JobFn, ...args: unknown[]): Promise<unknown> {
    return this.result({}, fn, args);
  }

  /** runResult at a node or server. */
  runResultAt<F extends JobFn>(where: string, fn: F, ...args: JobArgs<F>): Promise<JobValue<F>>;
  runResultAt<K extends JobName<M>>(where: string, fn: K, ...args: JobArgs<M[K]>): Promise<JobValue<M[K]>>;
  runResultAt<R = unknown>(where: string, fn: LooseJobName<M>, ...args: unknown[]): Promise<R>;
  runResultAt(where: string, fn: string | JobFn, ...args: unknown[]): Promise<unknown> {
    return this.result({ where }, fn, args);
  }

  /**
   * Runs `fn` once per item of `argsList` (an array item is the argument list, anything else one
   * argument), spread over the servers; the values in input order. The first failure rejects;
   * false when `timeout` passes first.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * const squares = await computation.runResults('square', [1, 2, 3], { onProgress: (done, total) => log(done, total) });
   * ```
   */
  runResults<F extends JobFn>(fn: F, argsList: ReadonlyArray<BatchItem<JobArgs<F>>>, options?: Untimed): Promise<Array<JobValue<F>>>;
  runResults<F extends JobFn>(fn: F, argsList: ReadonlyArray<BatchItem<JobArgs<F>>>, options: RunResultsOptions): Promise<Array<JobValue<F>> | false>;
  runResults<K extends JobName<M>>(fn: K, argsList: ReadonlyArray<BatchItem<JobArgs<M[K]>>>, options?: Untimed): Promise<Array<JobValue<M[K]>>>;
  runResults<K extends JobName<M>>(fn: K, argsList: ReadonlyArray<BatchItem<JobArgs<M[K]>>>, options: RunResultsOptions): Promise<Array<JobValue<M[K]>> | false>;
  runResults<R = unknown>(fn: LooseJobName<M>, argsList: readonly unknown[], options?: Untimed): Promise<R[]>;
  runResults<R = unknown>(fn: LooseJobName<M>, argsList: readonly unknown[], options: RunResultsOptions): Promise<R[] | false>;
  async runResults(fn: string | JobFn, argsList: readonly unknown[], options: RunResultsOptions = {}): Promise<unknown[] | false> {
    return runResults(this.jobCore(false), fn, argsList, options);
  }
}
