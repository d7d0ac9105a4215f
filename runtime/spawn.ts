/**
 * Shorthands for starting coroutines on the default scheduler (or a given one).
 * @module
 */
import { Coro, type CoroFunction, type SpawnOptions } from './Coro.js';
import { InvalidArgumentError } from './runtimeErrors.js';
import { describe } from './options.js';
import { Scheduler } from './Scheduler.js';

/**
 * Starts a coroutine on the default scheduler.
 * @example
 * ```ts
 * const c = spawn(async (coro, n: number) => n + 1, 41);
 * log(await c.value()); // 42
 * ```
 */
export function spawn<M = unknown, R = unknown, A extends unknown[] = []>(fn: CoroFunction<M, R, A>, ...args: A): Coro<M, R> {
  return Scheduler.default().spawnWith({}, fn, ...args);
}

/**
 * Starts a coroutine with options (name, daemon, bounded mailbox, scheduler).
 * @example
 * ```ts
 * spawnWith({ name: 'server', daemon: true }, async (coro) => {
 *   for (;;) log(await coro.receive());
 * });
 * ```
 */
export function spawnWith<M = unknown, R = unknown, A extends unknown[] = []>(options: SpawnOptions, fn: CoroFunction<M, R, A>, ...args: A): Coro<M, R> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(`spawn options must be an object, got ${describe(options)}`);
  }
  const { scheduler, ...rest } = options;
  return (scheduler ?? Scheduler.default()).spawnWith(rest, fn, ...args);
}
