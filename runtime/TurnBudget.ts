/**
 * The fairness budget of a scheduler: continuations run on microtasks, and after `size` of them
 * in one turn of the event loop the rest wait for the next turn (one `setImmediate`), so a busy
 * coroutine cannot starve sockets or timers.
 * @module
 */
import { Deque } from './Deque.js';

/** @internal Settled promises shared by every `ready(true/false/undefined)`: awaiting one allocates nothing. */
export const RESOLVED_TRUE = Promise.resolve(true);
const RESOLVED_FALSE = Promise.resolve(false);
const RESOLVED_UNDEFINED = Promise.resolve(undefined);

/**
 * Counts the continuations of the current turn and defers those over the budget.
 * @example
 * ```ts
 * const budget = new TurnBudget(1024);
 * budget.dispatch((v) => log(v), 'now, or after I/O');
 * ```
 */
export class TurnBudget {
  /** @internal Continuations left in this turn (read on the hot path by Scheduler.dispatch). */
  left: number;
  private turnPending = false;
  private readonly deferred = new Deque<unknown>(64);

  /** @param size Continuations per turn. */
  constructor(readonly size: number) {
    this.left = size;
  }

  /** True while continuations wait for a later turn: this turn's budget is spent. */
  get behind(): boolean {
    return this.left <= 0 || this.deferred.length > 0;
  }

  /** Takes one continuation from this turn's budget; false (nothing taken) when it is spent. */
  take(): boolean {
    const left = this.left;
    if (left > 0 && left !== this.size) {
      this.left = left - 1;
      return true;
    }
    return this.takeFirstOrNone();
  }

  /** take() for the first continuation of a turn (which arranges the next turn's reset), or none. */
  private takeFirstOrNone(): boolean {
    if (this.left <= 0) return false;
    if (this.left-- === this.size && !this.turnPending) {
      this.turnPending = true;
      setImmediate(this.onTurn);
    }
    return true;
  }

  /** Calls `settle(value)` on the next turn that has budget left. */
  defer(settle: (value: any) => void, value: unknown): void {
    this.deferred.push(settle);
    this.deferred.push(value);
  }

  /** Settles now, or after yielding to I/O when this turn's budget is spent. */
  dispatch(settle: (value: any) => void, value: unknown): void {
    if (this.take()) settle(value);
    else this.defer(settle, value);
  }

  /** A promise of `value` for a call that need not wait, still counted against the budget. */
  ready<T>(value: T): Promise<T> {
    if (this.take()) {
      // The common answers share one settled promise each: awaiting it allocates nothing.
      if (value === true) return RESOLVED_TRUE as Promise<T>;
      if (value === undefined) return RESOLVED_UNDEFINED as Promise<T>;
      if (value === false) return RESOLVED_FALSE as Promise<T>;
      return Promise.resolve(value);
    }
    return new Promise<T>((resolve) => this.defer(resolve, value));
  }

  private readonly onTurn = (): void => {
    this.turnPending = false;
    this.left = this.size;
    const q = this.deferred;
    while (q.length > 0 && this.take()) {
      const settle = q.shift() as (v: unknown) => void;
      settle(q.shift());
    }
    if (q.length > 0 && !this.turnPending) {
      this.turnPending = true;
      setImmediate(this.onTurn);
    }
  };
}
