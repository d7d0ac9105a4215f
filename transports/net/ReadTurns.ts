/**
 * The time a network's connections may spend handling received frames in one turn of the event
 * loop, shared by all of them (time from turns that spent less than a fifth of it is carried over
 * until one does). A connection that finds the turn's time spent stops reading (its
 * socket paused, so TCP holds the sender back) and goes on in the check phase (setImmediate) of
 * the same loop iteration, after the other sockets that were ready in its poll phase. The poll
 * phase and the check phase each spend at most this time plus one frame (whose decoding the
 * decode-cost check bounds), however many frames arrive at once from however many peers, so a
 * timer waits at most about two budgets. Connections
 * waiting for time go on in the order they began to wait, and one that spends a turn's time
 * waits behind the others: a peer that always has bytes to handle cannot starve another.
 * @module
 */
import { Deque } from '../../runtime/Deque.js';

/**
 * One turn's time for handling frames.
 * @example
 * ```ts
 * const turns = new ReadTurns(10);
 * if (turns.available) { const t = performance.now(); handle(frame); turns.spend(performance.now() - t); }
 * ```
 */
export class ReadTurns {
  private spent = 0;
  private resetPending = false;
  /** Continuations of the connections waiting for time, oldest first. */
  private readonly waiting = new Deque<() => void>();

  constructor(
    /** Milliseconds of frame handling per turn. */
    readonly turnMs: number,
  ) {}

  /** True while this turn has time left. */
  get available(): boolean {
    return this.spent < this.turnMs;
  }

  /** Records `ms` spent handling frames in this turn. */
  spend(ms: number): void {
    this.spent += ms;
    // A turn that spent little leaves its time to the next ones (a check-phase callback on every
    // turn would cost a round trip more than the frames do); from a fifth of the budget on, the
    // next turn starts with its full time. Scheduled before any connection's continuation.
    if (this.spent >= this.turnMs / 5) this.schedule();
  }

  /** Runs `resume` at a next turn, once those that waited before it had their time. */
  wait(resume: () => void): void {
    this.waiting.push(resume);
    this.schedule();
  }

  private schedule(): void {
    if (this.resetPending) return;
    this.resetPending = true;
    setImmediate(this.reset);
  }

  private readonly reset = (): void => {
    this.resetPending = false;
    this.spent = 0;
    const waiting = this.waiting;
    // A connection waits again only once the time is spent, so it queues behind those the turn
    // had no time for, which go first next time.
    while (waiting.length > 0 && this.available) waiting.shift()!();
    if (waiting.length > 0) this.schedule();
  };
}
