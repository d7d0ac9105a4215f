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
 * const sched = new Scheduler({ logger: pino(), fairnessBudget: 2048 });
 * ```
 */
export interface SchedulerOptions {
  /** pino logger; default: the shared stderr logger at the `ASYNCORO_LOG` level (warn). */
  logger?: Logger;
  /** Continuations run on microtasks; after this many the scheduler yields to I/O once. Default 1024. */
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
