/**
 * The fairness budget of a scheduler: continuations run on microtasks, and once a turn of the
 * event loop has run them for `turnMs` milliseconds (or, when a count is given, after that many),
 * or one of the scheduler's own deadlines has fallen due, the rest wait for the next turn (one
 * `setImmediate`), so a busy coroutine cannot starve sockets or timers. The clock is read once
 * every `CHECK_EVERY` continuations, not for each: a turn holds the loop for at most `turnMs`
 * plus that many continuations, and a due deadline waits at most that many.
 *
 * Why time and not a count: a count small enough to bound the turn of slow continuations cuts a
 * round of cheap ones (10,000 coroutines woken together) into many turns, and every turn of the
 * loop costs a `setImmediate`, the loop's phases and, in V8, a chance to run a young-generation
 * collection early (10k live pairs ran 2-3× slower than the same pairs on plain promises).
 * @module
 */
import { Deque } from './Deque.js';
import { checkCount, describe } from './options.js';
import { InvalidArgumentError } from './runtimeErrors.js';

/** @internal Settled promises shared by every `ready(true/false/undefined)`: awaiting one allocates nothing. */
export const RESOLVED_TRUE = Promise.resolve(true);
const RESOLVED_FALSE = Promise.resolve(false);
const RESOLVED_UNDEFINED = Promise.resolve(undefined);

/**
 * Continuations between two readings of the clock (at ~50 ns a reading, under 1 ns each). It
 * also bounds how far a turn overruns `turnMs`: by the time of this many continuations.
 * @example
 * ```ts
 * log(`the clock is read every ${CHECK_EVERY} continuations`);
 * ```
 */
export const CHECK_EVERY = 64;

/** Milliseconds of continuations per turn of the event loop, by default. */
const DEFAULT_FAIRNESS_MS = 10;

/**
 * Counts the continuations of the current turn and defers those past the turn's budget.
 * @example
 * ```ts
 * const budget = new TurnBudget(2); // 2 ms of continuations per turn
 * budget.dispatch((v) => log(v), 'now, or after I/O');
 * ```
 */
export class TurnBudget {
  /** @internal Continuations this turn may still run before the next look at the clock (read on the hot path by Scheduler.dispatch). */
  left = 0;
  /** Continuations granted this turn so far (counted only against a `count` limit). */
  private granted = 0;
  private turnStart = 0;
  /** A `setImmediate` will end this turn (set by the turn's first continuation). */
  private turnPending = false;
  /** This turn's budget is spent: everything else waits for the next one. */
  private spent = false;
  private readonly deferred = new Deque<unknown>(64);

  /**
   * @param turnMs Milliseconds of continuations per turn (0: yield at every look at the clock).
   * @param count At most this many continuations per turn, however little time they take (a
   * bound for tests and for work that must interleave finely with I/O); default none.
   * @param nextDeadline The earliest pending deadline of the scheduler's timers (performance.now()
   * time; Infinity for none): once it has passed, the turn ends at the next look at the clock.
   */
  constructor(
    readonly turnMs: number,
    readonly count = Infinity,
    private readonly nextDeadline: () => number = () => Infinity,
  ) {}

  /**
   * The budget a scheduler's options ask for: `fairnessMs` (default 10) and `fairnessBudget` (a
   * count, default none), checked (`InvalidArgumentError` for a bad one).
   * @example
   * ```ts
   * const budget = TurnBudget.forScheduler({ fairnessMs: 2 }, () => Infinity);
   * ```
   */
  static forScheduler(options: { fairnessMs?: unknown; fairnessBudget?: unknown }, nextDeadline: () => number): TurnBudget {
    const count = options.fairnessBudget === undefined ? Infinity : checkCount(options.fairnessBudget, 'fairnessBudget', 1);
    const ms = options.fairnessMs === undefined ? DEFAULT_FAIRNESS_MS : options.fairnessMs;
    if (typeof ms !== 'number' || !(ms >= 0)) throw new InvalidArgumentError(`fairnessMs must be a non-negative number of milliseconds, got ${describe(ms)}`);
    return new TurnBudget(ms, count, nextDeadline);
  }

  /**
   * True while continuations wait for a later turn: this turn's budget is spent (found spent by a
   * look at the clock, or its count used up). Reads no clock.
   */
  get behind(): boolean {
    return this.spent || this.deferred.length > 0 || (this.left === 0 && this.granted >= this.count);
  }

  /** Takes one continuation from this turn's budget; false (nothing taken) when it is spent. */
  take(): boolean {
    const left = this.left;
    if (left > 0) {
      this.left = left - 1;
      return true;
    }
    return this.grant();
  }

  /**
   * The slow path of take(), once every CHECK_EVERY continuations: the first continuation of a
   * turn arranges the turn's end; a later one reads the clock and closes the turn once it has run
   * for turnMs (or granted `count`), or a deadline is due.
   */
  private grant(): boolean {
    if (this.spent) return false;
    const room = this.count - this.granted;
    if (!this.turnPending) {
      this.turnPending = true;
      this.turnStart = performance.now();
      setImmediate(this.onTurn);
    } else if (room <= 0 || this.due()) {
      this.spent = true;
      return false;
    }
    const chunk = room < CHECK_EVERY ? room : CHECK_EVERY;
    this.granted += chunk;
    this.left = chunk - 1;
    return true;
  }

  private due(): boolean {
    const now = performance.now();
    return now - this.turnStart >= this.turnMs || now >= this.nextDeadline();
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

  /** The turn ended: a new budget, spent first on what waited. */
  private readonly onTurn = (): void => {
    this.turnPending = false;
    this.spent = false;
    this.left = 0;
    this.granted = 0;
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
