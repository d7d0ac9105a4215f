/**
 * Counts the garbage collections V8 reports while a benchmark runs (young-generation scavenges
 * apart from the rest), through `perf_hooks` gc entries.
 * @module
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';

/** Collections counted between `start()` and `stop()`. */
export interface GcCounts {
  young: number;
  other: number;
  /** Time spent in them, ms. */
  ms: number;
}

/**
 * Counts collections from now until the returned function is called (and awaited: gc entries
 * are delivered asynchronously, after the collection).
 * @example
 * ```ts
 * const stop = countGcs(); work(); const { young } = await stop();
 * ```
 */
export function countGcs(): () => Promise<GcCounts> {
  const counts: GcCounts = { young: 0, other: 0, ms: 0 };
  let stopAt = Infinity;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.startTime > stopAt) continue;
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) counts.young++;
      else counts.other++;
      counts.ms += e.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return async () => {
    stopAt = performance.now();
    await new Promise((r) => setTimeout(r, 20));
    observer.disconnect();
    return counts;
  };
}
