/**
 * Bounding a promise the runtime did not create (a file open, a worker draining) by the usual
 * `{ timeout, signal }`: the scheduler's timer heap arms the deadline, as for every other wait.
 * @module
 */
import type { ActingWaitOptions } from './coroTypes.js';
import { checkWaitOptions } from './options.js';
import type { Scheduler } from './Scheduler.js';
import { Wait, WaitKind } from './Wait.js';

/** What `within` resolves with when the deadline passes first. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * Resolves with what `promise` resolves with, or TIMED_OUT when `timeout` ms pass first; rejects
 * with the signal's reason when it aborts, or with what `promise` rejects with. A value that
 * arrives too late goes to `late` (to close a handle nobody will use), an error that does is dropped.
 * @example
 * ```ts
 * import { open } from 'node:fs/promises';
 * const handle = await within(sched, open('data.bin'), { timeout: 1000 }, (h) => void h.close());
 * if (handle !== TIMED_OUT) await handle.close();
 * ```
 */
export function within<T>(sched: Scheduler, promise: Promise<T>, options: ActingWaitOptions | undefined, late?: (value: T) => void): Promise<T | typeof TIMED_OUT> {
  let timeout: number;
  try {
    timeout = checkWaitOptions(options);
  } catch (err) {
    promise.then(late, () => undefined);
    return Promise.reject(err);
  }
  const wait = new Wait<T | typeof TIMED_OUT>(sched, sched.actor(options?.coro), WaitKind.Other);
  wait.alarm = TIMED_OUT;
  wait.what = 'I/O';
  promise.then(
    (value) => {
      if (!wait.wake(value)) late?.(value);
    },
    (err: unknown) => void wait.fail(err),
  );
  return wait.start(timeout, options?.signal);
}
