/**
 * A mutual-exclusion lock owned by a coroutine.
 * @module
 */
import { Coro } from '../../runtime/Coro.js';
import { WaitKind } from '../../runtime/Wait.js';
import { InvalidArgumentError, TimeoutError } from '../../runtime/runtimeErrors.js';
import { checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import { acquireFor, checkActingCoro, checkReleaser } from './actingCoro.js';
import { LockGuard } from './LockGuard.js';
import { NotOwnerError } from '../actorErrors.js';

/**
 * A lock that belongs to the coroutine holding it. Waiters are served first come, first served,
 * with direct hand-off: `release` makes the oldest waiter the owner before it even runs, so a
 * newcomer cannot barge in. Only the owner may release (`NotOwnerError` otherwise).
 *
 * If the owner ends while holding the lock (returns, fails or is terminated), the lock is
 * released for it, as a robust mutex does, and a warning is logged. The next owner can tell:
 * `abandonedBy` names the coroutine that died holding it, until that next owner releases it.
 * The data the lock protected may be half-updated; check it before trusting it.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * spawn(async (coro) => {
 *   if (await lock.acquire(coro, { timeout: 100 })) {
 *     try { shared.count++; } finally { lock.release(coro); }
 *   }
 * });
 * ```
 */
export class Lock {
  protected holder: Coro<any, any> | undefined = undefined;
  protected depth = 0;
  /** @internal */
  readonly waiters = new WaiterQueue();
  /** @internal Its class name, what a coroutine waiting for it waits on in a snapshot. */
  readonly kind: string = this.constructor.name;
  /** The coroutine that ended while holding the lock, until the next owner releases it. */
  abandonedBy: Coro<any, any> | undefined = undefined;

  /** The coroutine holding the lock, if any. */
  get owner(): Coro<any, any> | undefined {
    return this.holder;
  }

  get locked(): boolean {
    return this.holder !== undefined;
  }

  /** Number of coroutines waiting to acquire. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Acquires the lock for `coro`. Resolves true once held, false if `timeout` passes first
   * (`timeout: 0` only tries). Aborting `signal` or terminating `coro` cancels the wait.
   * @example
   * ```ts
   * const held = await lock.acquire(coro, { timeout: 500 });
   * ```
   */
  acquire(coro: Coro<any, any>, options?: WaitOptions): Promise<boolean> {
    // The hot path: a free lock nobody waits for, taken by a live coroutine with nothing pending.
    if (options === undefined && this.holder === undefined && this.waiters.length === 0 && coro instanceof Coro && coro.pendingInterrupt(WaitKind.Other) === undefined) {
      this.take(coro, 1);
      return coro.scheduler.ready(true);
    }
    let timeout: number;
    try {
      checkActingCoro(coro, 'acquire a lock');
      timeout = checkWaitOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.holder === coro) {
      if (!this.reentrant) return Promise.reject(new InvalidArgumentError(`${coro} already holds this Lock (it is not re-entrant: use RLock)`));
      this.depth++;
      return coro.scheduler.ready(true);
    }
    return acquireFor(this, coro, timeout, options?.signal);
  }

  /** @internal Takes the lock for `coro` if it is free. */
  tryTake(coro: Coro<any, any>): boolean {
    if (this.holder !== undefined) return false;
    this.take(coro, 1);
    return true;
  }

  /**
   * Releases the lock held by `coro`; the oldest waiter becomes the owner at once.
   * @example
   * ```ts
   * lock.release(coro);
   * ```
   */
  release(coro: Coro<any, any>): void {
    checkReleaser(coro);
    if (this.holder !== coro) throw new NotOwnerError(`${String(coro)} does not hold this lock`);
    if (--this.depth > 0) return;
    this.abandonedBy = undefined;
    this.handOff();
  }

  /**
   * Acquires and returns a guard for `using`; throws TimeoutError where `acquire` returns false.
   * @example
   * ```ts
   * using held = await lock.guard(coro, { timeout: 100 });
   * ```
   */
  async guard(coro: Coro<any, any>, options?: WaitOptions): Promise<LockGuard> {
    if (!(await this.acquire(coro, options))) throw new TimeoutError('timed out acquiring the lock');
    return new LockGuard(() => this.release(coro));
  }

  /** @internal Called when a coroutine that holds the lock ends. */
  ownerEnded(coro: Coro<any, any>): void {
    if (this.holder !== coro) return;
    coro.scheduler.logger.warn({ coro: String(coro) }, 'coroutine ended holding a lock; released for it');
    this.depth = 0;
    this.handOff();
    this.abandonedBy = coro;
  }

  protected get reentrant(): boolean {
    return false;
  }

  /** Makes `coro` the owner at `depth`. */
  protected take(coro: Coro<any, any>, depth: number): void {
    this.holder = coro;
    this.depth = depth;
    coro.own(this, true);
  }

  /** Gives the lock to the oldest live waiter, or frees it. */
  protected handOff(): void {
    const previous = this.holder;
    this.holder = undefined;
    this.depth = 0;
    previous?.own(this, false);
    for (let next = this.waiters.shift(); next !== undefined; next = this.waiters.shift()) {
      const coro = next.data as Coro<any, any>;
      if (!coro.isAlive) continue;
      this.take(coro, 1);
      if (next.wake(true)) return;
      this.holder = undefined;
      coro.own(this, false);
    }
  }
}
