/**
 * Outcomes kept for coroutines whose references were sent to other nodes, so that a remote
 * `finish()` or `monitor()` that arrives after the coroutine ended still learns how it ended
 * (asyncoro could not; pycos users asked for it). Bounded: the oldest outcomes go first.
 * @module
 */
import type { Coro } from '../../runtime/Coro.js';
import type { MonitorStatus } from '../../runtime/MonitorStatus.js';
import type { Scheduler } from '../../runtime/Scheduler.js';

/** Most outcomes kept per scheduler. */
export const RETAINED_OUTCOMES = 10_000;

const bySchedulers = new WeakMap<Scheduler, RetainedOutcomes>();

/**
 * The kept outcomes of one scheduler's coroutines.
 * @example
 * ```ts
 * RetainedOutcomes.of(sched).retain(coro);            // when its reference is sent
 * RetainedOutcomes.of(sched).outcome(coro.id, 'worker'); // later, after it ended
 * ```
 */
export class RetainedOutcomes {
  private readonly exported = new WeakSet<Coro<any, any>>();
  private readonly kept = new Map<number, MonitorStatus>();

  /** The outcomes of `scheduler`'s coroutines (one set per scheduler, whichever network sent them). */
  static of(scheduler: Scheduler): RetainedOutcomes {
    let outcomes = bySchedulers.get(scheduler);
    if (outcomes === undefined) bySchedulers.set(scheduler, (outcomes = new RetainedOutcomes()));
    return outcomes;
  }

  /** From now on, `coro`'s outcome is kept after it ends (idempotent). */
  retain(coro: Coro<any, any>): void {
    if (this.exported.has(coro) || !coro.isAlive) return;
    this.exported.add(coro);
    coro.notify({
      passive: true,
      send: (status: unknown): boolean => {
        this.kept.set(coro.id, status as MonitorStatus);
        if (this.kept.size > RETAINED_OUTCOMES) this.kept.delete(this.kept.keys().next().value as number);
        return true;
      },
    });
  }

  /** The kept outcome of the ended coroutine `id` named `name`, if any. */
  outcome(id: number, name: string): MonitorStatus | undefined {
    const status = this.kept.get(id);
    return status !== undefined && status.coro.name === name ? status : undefined;
  }

  /** Outcomes kept now. */
  get size(): number {
    return this.kept.size;
  }
}
