/**
 * The process-wide context tracker behind `Coro.current()`: created the first time a scheduler
 * asks for it (`new Scheduler({ trackCurrent: true })`), since tracking costs throughput.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';

let tracker: AsyncLocalStorage<unknown> | undefined;

/**
 * The tracker, if any scheduler enabled it.
 * @example
 * ```ts
 * const running = currentTracker()?.getStore();
 * ```
 */
export function currentTracker(): AsyncLocalStorage<unknown> | undefined {
  return tracker;
}

/**
 * The tracker, created on first call.
 * @example
 * ```ts
 * const t = enableTracker();
 * ```
 */
export function enableTracker(): AsyncLocalStorage<unknown> {
  return (tracker ??= new AsyncLocalStorage());
}
