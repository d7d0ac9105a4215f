/**
 * An event flag coroutines can wait for.
 * @module
 */
import { checkWaitOptions } from '../../runtime/options.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';

/**
 * A flag: `set()` wakes every waiter, `clear()` resets it. It has no owner. Name the waiting
 * coroutine in `{ coro }` so that terminating it cancels the wait.
 * @example
 * ```ts
 * const started = new Event();
 * spawn(async (coro) => { if (await started.wait({ coro, timeout: 1000 })) log('go'); });
 * started.set();
 * ```
 */
export class Event {
  private flag = false;
  private readonly waiters = new WaiterQueue();

  constructor(private readonly scheduler?: Scheduler) {}

  get isSet(): boolean {
    return this.flag;
  }

  /** Number of waiting callers. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Sets the flag and wakes every waiter with true. */
  set(): void {
    this.flag = true;
    for (const w of this.waiters.drain()) w.wake(true);
  }

  /** Resets the flag; later waits block until the next `set()`. */
  clear(): void {
    this.flag = false;
  }

  /**
   * Resolves true once the flag is set (at once if it is), false if `timeout` passes first.
   * @example
   * ```ts
   * await event.wait({ coro, timeout: 100 });
   * ```
   */
  wait(options?: ActingWaitOptions): Promise<boolean> {
    let timeout: number;
    let owner: ReturnType<Scheduler['actor']>;
    const sched = options?.coro?.scheduler ?? this.scheduler ?? Scheduler.default();
    try {
      timeout = checkWaitOptions(options);
      owner = sched.actor(options?.coro);
    } catch (err) {
      return Promise.reject(err);
    }
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    const interrupt = owner?.pendingInterrupt(WaitKind.Other);
    if (interrupt !== undefined) return Promise.reject(interrupt);
    if (this.flag || timeout === 0) return sched.ready(this.flag);
    const wait = new Wait<boolean>(sched, owner, WaitKind.Other);
    wait.what = 'Event';
    wait.alarm = false;
    this.waiters.push(wait);
    return wait.start(timeout, options?.signal);
  }
}
