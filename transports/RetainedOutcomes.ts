/**
 * Outcomes kept for coroutines whose references were sent to other nodes, so
 * that a remote `finish()` or `monitor()` that arrives after the coroutine ended
 * still learns how it ended (asyncoro could not; pycos users asked for it).
 * Bounded: the oldest outcomes are forgotten first.
 * @module
 */
import type { Coro } from '../runtime/Coro.js';
import type { MonitorStatus } from '../runtime/MonitorStatus.js';
import type { Network } from './Network.js';

/** Most outcomes kept per network. */
export const RETAINED_OUTCOMES = 10_000;

const exported = new WeakSet<Coro<any, any>>();
const outcomes = new WeakMap<Network, Map<number, MonitorStatus>>();

/**
 * Called when a local coroutine's reference is encoded for another node: from then on its
 * outcome is kept after it ends.
 * @example
 * ```ts
 * retainOutcome(net, coro);
 * ```
 */
export function retainOutcome(net: Network, coro: Coro<any, any>): void {
  if (exported.has(coro) || !coro.isAlive) return;
  exported.add(coro);
  coro.notify({
    send(status: unknown): boolean {
      let kept = outcomes.get(net);
      if (kept === undefined) outcomes.set(net, (kept = new Map()));
      kept.set(coro.id, status as MonitorStatus);
      if (kept.size > RETAINED_OUTCOMES) kept.delete(kept.keys().next().value as number);
      return true;
    },
  });
}

/**
 * The kept outcome of the ended coroutine `id` named `name`, if any.
 * @example
 * ```ts
 * const status = retainedOutcome(net, 7, 'worker');
 * ```
 */
export function retainedOutcome(net: Network, id: number, name: string): MonitorStatus | undefined {
  const status = outcomes.get(net)?.get(id);
  return status !== undefined && status.coro.name === name ? status : undefined;
}
