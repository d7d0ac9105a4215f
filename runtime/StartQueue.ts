/**
 * Where new coroutines wait for their first step: started in creation order from one microtask,
 * not one closure each. First steps count against the fairness budget like any continuation: a
 * burst of spawns yields to timers and I/O every budget, and the rest start on the next turn.
 * Internal machinery of the scheduler.
 * @module
 */
import { Deque } from './Deque.js';
import type { TurnBudget } from './TurnBudget.js';

/**
 * First steps taken in one microtask before the next: the continuations the slice queued (a
 * receive answered at once, an `await`) run in between, so a burst of spawns does not pile up
 * thousands of half-started coroutines (all alive in the young generation at once) before any of
 * them goes on.
 */
const SLICE = 64;

/**
 * FIFO of coroutines to start.
 * @example
 * ```ts
 * // internal: each scheduler starts its coroutines through one (see Scheduler.adopt)
 * ```
 */
export class StartQueue {
  private readonly queue = new Deque<{ start(): void }>(64);
  private pending = false;
  /** The last reading of the clock for `now()`, and how many more spawns may share it. */
  private stamp = 0;
  private stampUses = 0;

  constructor(private readonly turns: TurnBudget) {}

  /** Queues `coro`'s first step. */
  push(coro: { start(): void }): void {
    this.queue.push(coro);
    if (!this.pending) {
      this.pending = true;
      this.stampUses = 0;
      queueMicrotask(this.startAll);
    }
  }

  /**
   * performance.now() in whole ms for a coroutine spawned now: the clock is read once every
   * SLICE spawns of one run of code (a burst of spawns reads it once per slice, not for
   * each), and afresh whenever a run begins or the queue starts coroutines.
   */
  now(): number {
    if (this.stampUses === 0) {
      this.stampUses = SLICE;
      this.stamp = Math.floor(performance.now()); // a small integer stays unboxed
    }
    this.stampUses--;
    return this.stamp;
  }

  private readonly startAll = (): void => {
    this.stampUses = 0;
    const q = this.queue;
    for (let n = 0; q.length > 0; n++) {
      // The slice's end first: a continuation taken from the budget is one that runs.
      if (n === SLICE) return queueMicrotask(this.startAll); // pending stays true
      if (!this.turns.take()) return this.turns.defer(this.startAll, undefined); // pending stays true
      q.shift()!.start();
    }
    this.pending = false;
  };
}
