/**
 * Waiting for the values of jobs: one (with retries after a lost server) or many, in input order.
 * @module
 */
import { checkWaitOptions } from '../../../runtime/options.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { ServerLostError } from '../../actorErrors.js';
import type { JobFunction, JobOptions } from './computationTypes.js';
import type { JobCoro } from './JobCoro.js';

/** What these need of a computation. */
interface Runner {
  readonly isScheduled: boolean;
  runWith<R>(options: JobOptions, fn: JobFunction, ...args: unknown[]): Promise<JobCoro<unknown, R> | false>;
}

/**
 * Options of runResults: those of a job, retries after a lost server, and a progress callback; `timeout` → false.
 * @example
 * ```ts
 * const options: RunResultsOptions = { retries: 1, onProgress: (done, total) => log(`${done}/${total}`) };
 * ```
 */
export interface RunResultsOptions extends JobOptions {
  retries?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs a CPU job and waits for its value; after a ServerLostError runs it again, up to `retries` times.
 * @example
 * ```ts
 * const v = await runResultWith(obj, { retries: 1 }, 'square', [3]);
 * ```
 */
export async function runResultWith<R, A>(comp: Runner, options: JobOptions & { retries?: number; alarm?: A }, fn: JobFunction, args: unknown[]): Promise<R | A> {
  const timeout = checkWaitOptions(options);
  const retries = options.retries ?? 0;
  if (!Number.isInteger(retries) || retries < 0) throw new InvalidArgumentError('retries must be a non-negative integer');
  const deadline = performance.now() + timeout;
  const left = (): number | undefined => (timeout === Infinity ? undefined : Math.max(0, deadline - performance.now()));
  const TIMED_OUT = Symbol('timed out');
  for (let attempt = 0; ; attempt++) {
    const job = await comp.runWith<R>({ ...options, timeout: left() }, fn, ...args);
    if (job === false) return options.alarm as A;
    try {
      const v = await job.finish({ timeout: left(), signal: options.signal, coro: options.coro, alarm: TIMED_OUT });
      return v === TIMED_OUT ? (options.alarm as A) : (v as R);
    } catch (err) {
      if (!ServerLostError.is(err) || attempt >= retries || !comp.isScheduled) throw err;
    }
  }
}

/**
 * Runs `fn` once per item of `argsList` (an array item is the argument list, anything else one
 * argument); the values in input order, or false when `timeout` passes first.
 * @example
 * ```ts
 * const squares = await runResults(obj, 'square', [1, 2, 3], {});
 * ```
 */
export async function runResults<R>(comp: Runner, fn: JobFunction, argsList: readonly unknown[], options: RunResultsOptions): Promise<R[] | false> {
  if (!Array.isArray(argsList)) throw new InvalidArgumentError('runResults needs an array of argument lists');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new InvalidArgumentError('onProgress must be a function');
  let done = 0;
  const TIMED_OUT = Symbol('timed out');
  const results = await Promise.all(argsList.map(async (a) => {
    const v = await runResultWith<R, typeof TIMED_OUT>(comp, { ...options, alarm: TIMED_OUT }, fn, Array.isArray(a) ? a : [a]);
    if (v !== TIMED_OUT) options.onProgress?.(++done, argsList.length);
    return v;
  }));
  return results.includes(TIMED_OUT as never) ? false : (results as R[]);
}
