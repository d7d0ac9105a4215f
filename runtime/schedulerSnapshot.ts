/**
 * Assembles `scheduler.snapshot()` from the live coroutines, the registries and the attached
 * network. Nothing here runs unless somebody asks: the hot paths only bump counters.
 * @module
 */
import type { CoroWaits } from './CoroWaits.js';
import type { SchedulerNetwork } from './networkPort.js';
import type { Registry } from './Registry.js';
import type { MessageCounters, SchedulerSnapshot } from './snapshotTypes.js';

/**
 * The parts of a scheduler a snapshot reads.
 * @example
 * ```ts
 * const snap = takeSnapshot({ coroutines: [], coroNames, channelNames, network: undefined, counters });
 * ```
 */
export interface SnapshotSource {
  coroutines: Iterable<CoroWaits<any, any>>;
  coroNames: Registry<any>;
  channelNames: Registry<{ readonly closed: boolean }>;
  network: SchedulerNetwork | undefined;
  counters: MessageCounters;
}

/**
 * A picture of `source` now.
 * @example
 * ```ts
 * const { coroutines } = takeSnapshot(source);
 * ```
 */
export function takeSnapshot(source: SnapshotSource): SchedulerSnapshot {
  const names = new Map<object, string[]>();
  for (const [name, coro] of source.coroNames.entries()) {
    const list = names.get(coro);
    if (list === undefined) names.set(coro, [name]);
    else list.push(name);
  }
  const coroutines = [...source.coroutines].map((coro) => coro.describe(names.get(coro) ?? []));
  const locks = coroutines.flatMap((c) => c.holds.map((resource) => ({ resource, holder: `${c.name}/${c.id}` })));
  const channels = [...source.channelNames.entries()].map(([name, channel]) => ({
    name,
    subscribers: (channel as { subscribers?: number }).subscribers ?? 0,
  }));
  return {
    at: Date.now(),
    coroutines,
    locks,
    channels,
    peers: source.network?.snapshotPeers?.() ?? [],
    counters: { ...source.counters },
  };
}
