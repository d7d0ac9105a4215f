/**
 * A condition variable with its own re-entrant lock, as in asyncoro.
 * @module
 */
import type { Coro } from '../../runtime/Coro.js';
import {  TimeoutError } from '../../runtime/runtimeErrors.js';
import { checkCount, checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import { checkActingCoro, checkReleaser } from './actingCoro.js';
import { LockGuard } from './LockGuard.js';
import { RLock } from './RLock.js';
import { NotOwnerError } from '../actorErrors.js';

/**
 * A condition variable. Its lock (an {@link RLock}) is acquired and released through it; `wait`
 * must be called while holding it, releases it fully while waiting and holds it again, at the
 * same depth, before returning (also after a timeout). Waiters are notified in FIFO order.
 *
 * @example
 * ```ts
 * const ready = new Condition();
 * // consumer
 * await ready.acquire(coro);
 * while (queue.length === 0) await ready.wait(coro);
 * const item = queue.shift();
 * ready.release(coro);
 * // producer
 * await ready.acquire(coro); queue.push(item); ready.notify(coro); ready.release(coro);
 * ```
 */
export class Condition {
  private readonly lock = new RLock();
  private readonly waiters = new WaiterQueue();

  /** The coroutine holding the condition's lock. */
  get owner(): Coro<any, any> | undefined {
    return this.lock.owner;
  }

  /** Number of coroutines in `wait`. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Acquires the condition's lock (see {@link Lock.acquire}). */
  acquire(coro: Coro<any, any>, options?: WaitOptions): Promise<boolean> {
    return this.lock.acquire(coro, options);
  }

  /** Releases the condition's lock (NotOwnerError if `coro` does not hold it). */
  release(coro: Coro<any, any>): void {
    this.lock.release(coro);
  }

  /** Acquires the lock and returns a guard for `using` (TimeoutError on timeout). */
  async guard(coro: Coro<any, any>, options?: WaitOptions): Promise<LockGuard> {
    if (!(await this.acquire(coro, options))) throw new TimeoutError('timed out acquiring the condition lock');
    return new LockGuard(() => this.release(coro));
  }

  /**
   * Releases the lock, waits for `notify` (true) or the timeout (false), then re-acquires the lock.
   * NotOwnerError if `coro` does not hold the lock.
   * @example
   * ```ts
   * const notified = await cond.wait(coro, { timeout: 1000 });
   * ```
   */
  async wait(coro: Coro<any, any>, options?: WaitOptions): Promise<boolean> {
    checkActingCoro(coro, 'wait on a condition');
    const timeout = checkWaitOptions(options);
    if (this.lock.owner !== coro) throw new NotOwnerError(`${coro} must hold the condition's lock to wait`);
    if (options?.signal?.aborted) throw options.signal.reason;
    const wait = new Wait<boolean>(coro.scheduler, coro, WaitKind.Other);
    wait.what = 'Condition';
    wait.alarm = false;
    this.waiters.push(wait);
    const depth = this.lock.releaseAll(coro);
    let notified: boolean;
    try {
      notified = await wait.start(timeout, options?.signal);
    } finally {
      // Like Python, the lock is held again on return, however the wait ended (unless the
      // coroutine is being terminated: then its acquire throws and the lock stays free).
      await this.lock.acquire(coro);
      this.lock.restoreDepth(coro, depth);
    }
    return notified;
  }

  /**
   * Wakes up to `n` waiting coroutines (they run once they re-acquire the lock).
   * @example
   * ```ts
   * cond.notify(coro, 2);
   * ```
   */
  notify(coro: Coro<any, any>, n = 1): void {
    checkReleaser(coro);
    checkCount(n, 'n');
    if (this.lock.owner !== coro) throw new NotOwnerError(`${coro} must hold the condition's lock to notify`);
    for (let i = 0; i < n; i++) {
      const w = this.waiters.shift();
      if (w === undefined) return;
      if (!w.wake(true)) i--;
    }
  }

  /** Wakes every waiting coroutine. */
  notifyAll(coro: Coro<any, any>): void {
    this.notify(coro, this.waiters.length);
  }
}
