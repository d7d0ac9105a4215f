/**
 * The options and the counters of a scheduler.
 * @module
 */
import type { Logger } from './logging.js';
import type { MessageCounters } from './snapshotTypes.js';

/**
 * Options of a scheduler.
 * @example
 * ```ts
 * const sched = new Scheduler({ logger: pino(), fairnessMs: 2 });
 * ```
 */
export interface SchedulerOptions {
  /** pino logger; default: the shared stderr logger at the `ASYNCORO_LOG` level (warn). */
  logger?: Logger;
  /**
   * Continuations run on microtasks; once a turn of the event loop has run them for this many
   * milliseconds (the clock is read every 64 of them), or a deadline of this scheduler falls due,
   * the rest wait for the next turn, after Node's timers and I/O. Default 10.
   */
  fairnessMs?: number;
  /** At most this many continuations per turn as well, however quick (default: no count limit). */
  fairnessBudget?: number;
  /** Track the running coroutine for `Coro.current()` (uses AsyncLocalStorage, costs throughput). */
  trackCurrent?: boolean;
}

/**
 * Counters of a scheduler: coroutines and messages (see MessageCounters).
 * @example
 * ```ts
 * const { live, sent, deadLetters } = sched.stats;
 * ```
 */
export type SchedulerStats = MessageCounters;
