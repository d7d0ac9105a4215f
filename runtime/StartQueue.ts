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

  constructor(private readonly turns: TurnBudget) {}

  /** Queues `coro`'s first step. */
  push(coro: { start(): void }): void {
    this.queue.push(coro);
    if (!this.pending) {
      this.pending = true;
      queueMicrotask(this.startAll);
    }
  }

  private readonly startAll = (): void => {
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
