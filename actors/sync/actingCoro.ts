/**
 * Validation shared by the synchronisation primitives: the acting coroutine.
 * @module
 */
import { Coro } from '../../runtime/Coro.js';
import { CoroFinishedError, InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { WaitKind } from '../../runtime/Wait.js';
import type { WaiterQueue } from '../../runtime/WaiterQueue.js';

/**
 * Throws InvalidArgumentError unless `coro` is a local coroutine, CoroFinishedError if it has ended.
 * @example
 * ```ts
 * checkActingCoro(coro, 'acquire');
 * ```
 */
export function checkActingCoro(coro: unknown, action: string): Coro<any, any> {
  if (!(coro instanceof Coro)) throw new InvalidArgumentError(`${action} needs the acting coroutine as its first argument`);
  if (!coro.isAlive) throw new CoroFinishedError(`${coro} has ended and cannot ${action}`);
  return coro;
}

/**
 * Throws InvalidArgumentError unless `coro` is a coroutine (an ended one may still be named).
 * @example
 * ```ts
 * checkReleaser(coro);
 * ```
 */
export function checkReleaser(coro: unknown): Coro<any, any> {
  if (!(coro instanceof Coro)) throw new InvalidArgumentError('release needs the owning coroutine as its argument');
  return coro;
}

/** What acquireFor needs of a lock or semaphore. */
export interface Acquirable {
  readonly waiters: WaiterQueue;
  /** What a coroutine waiting for it is waiting on, for snapshots: its class name, read once (a function's name is slow to read). */
  readonly kind: string;
  /** Takes the resource for `coro` if it is free now. */
  tryTake(coro: Coro<any, any>): boolean;
}

/**
 * The acquire path shared by locks and semaphores: honour an aborted signal and a pending
 * interrupt, take the resource at once when nobody waits and it is free, else queue `coro`
 * FIFO (the release hands the resource over directly) until `timeout` (false).
 * @example
 * ```ts
 * const taken = await acquireFor(lock, coro, 1000, undefined); // what lock.acquire(coro, { timeout: 1000 }) does
 * ```
 */
export function acquireFor(resource: Acquirable, coro: Coro<any, any>, timeout: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const interrupt = coro.pendingInterrupt(WaitKind.Other);
  if (interrupt !== undefined) return Promise.reject(interrupt);
  if (resource.waiters.length === 0 && resource.tryTake(coro)) return coro.scheduler.ready(true);
  if (timeout === 0) return coro.scheduler.ready(false);
  // Locks and semaphores drop a waiter once they wake it: its wait can serve the coroutine's next acquire.
  const wait = coro.reusableWait();
  wait.alarm = false;
  wait.data = coro;
  wait.what = resource.kind;
  resource.waiters.push(wait);
  return wait.start(timeout, signal);
}
