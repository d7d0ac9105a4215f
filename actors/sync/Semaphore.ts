/**
 * Counting semaphores whose permits belong to the coroutines that acquired them.
 * @module
 */
import type { Coro } from '../../runtime/Coro.js';
import {  TimeoutError } from '../../runtime/runtimeErrors.js';
import { checkCount, checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import { acquireFor, checkActingCoro, checkReleaser } from './actingCoro.js';
import { LockGuard } from './LockGuard.js';
import { SemaphoreOverflowError } from '../actorErrors.js';

/**
 * A counting semaphore. `acquire` takes a permit (FIFO, direct hand-off: a released permit goes
 * straight to the oldest waiter). Permits belong to the coroutine that acquired them: if it ends
 * holding some, they are returned for it (and a warning is logged). As in `threading`, any
 * coroutine may `release`, which returns one of its own permits if it holds any, else adds one;
 * for signalling between coroutines prefer an {@link Event} or a message.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(3);
 * spawn(async (coro) => {
 *   using permit = await slots.guard(coro);
 *   await download();
 * });
 * ```
 */
export class Semaphore {
  private permits: number;
  /** @internal */
  readonly waiters = new WaiterQueue();
  /** @internal Its class name, what a coroutine waiting for it waits on in a snapshot. */
  readonly kind: string = this.constructor.name;
  private readonly holders = new Map<Coro<any, any>, number>();

  constructor(value = 1) {
    this.permits = checkCount(value, 'semaphore value');
  }

  /** Permits available now. */
  get value(): number {
    return this.permits;
  }

  /** Number of coroutines waiting to acquire. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Permits `coro` holds. */
  held(coro: Coro<any, any>): number {
    return this.holders.get(coro) ?? 0;
  }

  /**
   * Takes a permit for `coro`: true once taken, false if `timeout` passes first (`0` only tries).
   * @example
   * ```ts
   * if (await sem.acquire(coro, { timeout: 50 })) {
   *   try {
   *     await coro.sleep(10); // use the resource
   *   } finally {
   *     sem.release(coro);
   *   }
   * }
   * ```
   */
  acquire(coro: Coro<any, any>, options?: WaitOptions): Promise<boolean> {
    let timeout: number;
    try {
      checkActingCoro(coro, 'acquire a semaphore');
      timeout = checkWaitOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    return acquireFor(this, coro, timeout, options?.signal);
  }

  /** @internal Takes a permit for `coro` if one is free. */
  tryTake(coro: Coro<any, any>): boolean {
    if (this.permits === 0) return false;
    this.permits--;
    this.grant(coro);
    return true;
  }

  /**
   * Returns a permit: one `coro` holds if any, else a new one. The oldest waiter gets it at once.
   * @example
   * ```ts
   * sem.release(coro);
   * ```
   */
  release(coro: Coro<any, any>): void {
    checkReleaser(coro);
    this.checkRoom(coro);
    this.revoke(coro);
    this.handOff();
  }

  /** Takes a permit and returns a guard for `using`; TimeoutError where `acquire` returns false. */
  async guard(coro: Coro<any, any>, options?: WaitOptions): Promise<LockGuard> {
    if (!(await this.acquire(coro, options))) throw new TimeoutError('timed out acquiring a semaphore permit');
    return new LockGuard(() => this.release(coro));
  }

  /** @internal Returns the permits of a coroutine that ended holding them. */
  ownerEnded(coro: Coro<any, any>): void {
    const count = this.holders.get(coro) ?? 0;
    if (count === 0) return;
    coro.scheduler.logger.warn({ coro: String(coro), permits: count }, 'coroutine ended holding semaphore permits; returned for it');
    for (let i = 0; i < count; i++) {
      this.revoke(coro);
      this.handOff();
    }
  }

  /** Overridden by BoundedSemaphore to refuse a release above the initial value. */
  protected checkRoom(_coro: Coro<any, any>): void {}

  /** Permits in circulation: available plus held. */
  protected get total(): number {
    let held = 0;
    for (const n of this.holders.values()) held += n;
    return this.permits + held;
  }

  private grant(coro: Coro<any, any>): void {
    const n = this.holders.get(coro) ?? 0;
    this.holders.set(coro, n + 1);
    if (n === 0) coro.own(this, true);
  }

  /** Takes one permit back from `coro` if it holds any; frees one permit either way. */
  private revoke(coro: Coro<any, any>): void {
    const n = this.holders.get(coro) ?? 0;
    if (n > 1) this.holders.set(coro, n - 1);
    else if (n === 1) {
      this.holders.delete(coro);
      coro.own(this, false);
    }
    this.permits++;
  }

  private handOff(): void {
    while (this.permits > 0) {
      const next = this.waiters.shift();
      if (next === undefined) return;
      const coro = next.data as Coro<any, any>;
      if (!coro.isAlive) continue;
      this.permits--;
      this.grant(coro);
      if (next.wake(true)) continue;
      this.revoke(coro);
    }
  }
}

/**
 * A {@link Semaphore} that never holds more permits than it started with: a release that would
 * exceed that throws SemaphoreOverflowError and changes nothing.
 * @example
 * ```ts
 * const pool = new BoundedSemaphore(2);
 * pool.release(coro); // throws SemaphoreOverflowError: nothing was acquired
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  private readonly initial: number;

  constructor(value = 1) {
    super(value);
    this.initial = value;
  }

  protected override checkRoom(coro: Coro<any, any>): void {
    if (this.held(coro) === 0 && this.total >= this.initial) {
      throw new SemaphoreOverflowError(`releasing would exceed the semaphore's initial value ${this.initial}`);
    }
  }
}
