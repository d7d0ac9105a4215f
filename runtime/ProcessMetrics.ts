/**
 * The metrics of this Node.js process, for `/metrics` and the dashboard: memory (RSS, heap,
 * external), CPU time, event-loop delay (from `perf_hooks.monitorEventLoopDelay`, over windows the
 * owner closes with `rotate()`), garbage collections by kind (a `PerformanceObserver` of `gc`
 * entries), the resources keeping the loop alive (`process.getActiveResourcesInfo()`: handles and
 * requests by type) and, on Linux, open file descriptors. The family names are the ones
 * `prom-client`'s default metrics use, so that existing Node.js dashboards read them unchanged.
 * Each instance observes on its own (no global state) until `close()`.
 * @example
 * ```ts
 * const pm = new ProcessMetrics();
 * log(prometheusText(pm.metrics()));
 * pm.close();
 * ```
 * @module
 */
import { readdirSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import type { Metric } from './metrics.js';

/**
 * Event-loop delay over a window, in ms.
 * @example
 * ```ts
 * const d: LoopDelay = { mean: 10.2, p50: 10.1, p99: 12.5, max: 30, windowMs: 5000 };
 * ```
 */
export interface LoopDelay {
  mean: number;
  p50: number;
  p99: number;
  max: number;
  /** How long the window lasted. */
  windowMs: number;
}

/**
 * The process at one moment: bytes, ms, counts.
 * @example
 * ```ts
 * const s: ProcessSample = new ProcessMetrics().sample();
 * log(`${s.rss} bytes resident, loop delay p99 ${s.loopDelay.p99} ms`);
 * ```
 */
export interface ProcessSample {
  pid: number;
  uptimeMs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  loopDelay: LoopDelay;
  /** Collections so far and their total pause, by kind (`minor`, `major`, `incremental`, `weakcb`). */
  gc: Record<string, { count: number; ms: number }>;
  /** Resources keeping the event loop alive, by type (`TCPServerWrap`, `Timeout`, `FSReqCallback`...). */
  resources: Record<string, number>;
  /** Open file descriptors (null where /proc/self/fd cannot be read). */
  openFds: number | null;
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

const NS_PER_MS = 1e6;

/**
 * Observes this process.
 * @example
 * ```ts
 * const pm = new ProcessMetrics();
 * // every few seconds, from the owner's coroutine:
 * pm.rotate();
 * log(pm.sample().loopDelay.p99);
 * ```
 */
export class ProcessMetrics {
  private readonly loop: IntervalHistogram;
  private readonly gcObserver: PerformanceObserver;
  private readonly gcByKind = new Map<string, { count: number; ms: number }>();
  private windowStart = performance.now();
  private lastWindow: LoopDelay | undefined;
  private closed = false;

  /** `resolutionMs`: how often the event loop's delay is sampled (default 10). */
  constructor(options: { resolutionMs?: number } = {}) {
    this.loop = monitorEventLoopDelay({ resolution: options.resolutionMs ?? 10 });
    this.loop.enable();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = GC_KINDS[((entry as { detail?: { kind?: number } }).detail)?.kind ?? -1] ?? 'other';
        const k = this.gcByKind.get(kind) ?? { count: 0, ms: 0 };
        k.count++;
        k.ms += entry.duration;
        this.gcByKind.set(kind, k);
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  /** Closes the current event-loop window: `sample()` reports it until the next rotate. */
  rotate(): void {
    if (this.closed) return;
    this.lastWindow = this.window();
    this.loop.reset();
    this.windowStart = performance.now();
  }

  /** The process now; the event-loop delay of the last closed window (of the current one before any). */
  sample(): ProcessSample {
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    const resources: Record<string, number> = {};
    for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1;
    return {
      pid: process.pid,
      uptimeMs: Math.round(process.uptime() * 1000),
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      heapTotal: mem.heapTotal,
      external: mem.external,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      loopDelay: this.lastWindow ?? this.window(),
      gc: Object.fromEntries([...this.gcByKind].map(([kind, v]) => [kind, { ...v }])),
      resources,
      openFds: openFds(),
    };
  }

  /** The sample as Prometheus metric families. */
  metrics(): Metric[] {
    const s = this.sample();
    const gauge = (name: string, help: string, value: number): Metric => ({ name, type: 'gauge', help, samples: [{ labels: {}, value }] });
    const counter = (name: string, help: string, value: number): Metric => ({ name, type: 'counter', help, samples: [{ labels: {}, value }] });
    const gcKinds = Object.keys(s.gc).sort();
    const types = Object.keys(s.resources).sort();
    const out: Metric[] = [
      counter('process_cpu_user_seconds_total', 'User CPU time spent, in seconds.', s.cpuUserMs / 1000),
      counter('process_cpu_system_seconds_total', 'System CPU time spent, in seconds.', s.cpuSystemMs / 1000),
      gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch, in seconds.', Math.round((Date.now() - s.uptimeMs) / 1000)),
      gauge('process_resident_memory_bytes', 'Resident memory size, in bytes.', s.rss),
      gauge('nodejs_heap_size_total_bytes', 'V8 heap size, in bytes.', s.heapTotal),
      gauge('nodejs_heap_size_used_bytes', 'V8 heap used, in bytes.', s.heapUsed),
      gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript objects, in bytes.', s.external),
      gauge('nodejs_eventloop_lag_mean_seconds', 'Mean event-loop delay over the last window, in seconds.', s.loopDelay.mean / 1000),
      gauge('nodejs_eventloop_lag_p50_seconds', 'Median event-loop delay over the last window, in seconds.', s.loopDelay.p50 / 1000),
      gauge('nodejs_eventloop_lag_p99_seconds', '99th percentile of the event-loop delay over the last window, in seconds.', s.loopDelay.p99 / 1000),
      gauge('nodejs_eventloop_lag_max_seconds', 'Largest event-loop delay over the last window, in seconds.', s.loopDelay.max / 1000),
      { name: 'nodejs_gc_runs_total', type: 'counter', help: 'Garbage collections, by kind.', samples: gcKinds.map((kind) => ({ labels: { kind }, value: s.gc[kind]!.count })) },
      { name: 'nodejs_gc_duration_seconds_total', type: 'counter', help: 'Time spent in garbage collection, by kind, in seconds.', samples: gcKinds.map((kind) => ({ labels: { kind }, value: s.gc[kind]!.ms / 1000 })) },
      { name: 'nodejs_active_resources', type: 'gauge', help: 'Resources keeping the event loop alive (handles and requests), by type.', samples: types.map((type) => ({ labels: { type }, value: s.resources[type]! })) },
      gauge('nodejs_active_resources_total', 'Resources keeping the event loop alive.', types.reduce((n, t) => n + s.resources[t]!, 0)),
    ];
    if (s.openFds !== null) out.push(gauge('process_open_fds', 'Open file descriptors.', s.openFds));
    return out;
  }

  /** Stops observing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.loop.disable();
    this.gcObserver.disconnect();
  }

  private window(): LoopDelay {
    const h = this.loop;
    const windowMs = Math.round(performance.now() - this.windowStart);
    // An empty histogram (no sample yet) reports NaN and a huge min: say 0 instead.
    if (h.count === 0) return { mean: 0, p50: 0, p99: 0, max: 0, windowMs };
    return { mean: h.mean / NS_PER_MS, p50: h.percentile(50) / NS_PER_MS, p99: h.percentile(99) / NS_PER_MS, max: h.max / NS_PER_MS, windowMs };
  }
}

/** Open file descriptors of this process, where /proc tells (Linux); null elsewhere. */
function openFds(): number | null {
  try {
    return readdirSync('/proc/self/fd').length - 1; // the directory read opens one itself
  } catch {
    return null;
  }
}
