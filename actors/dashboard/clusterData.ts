/**
 * The cluster view's data as the dashboard sends it (`/api/cluster`, the `cluster` event): what a
 * ClusterSource reports, with each job's arguments turned into a bounded JSON preview, plus the
 * jobs-per-second history; and the cluster's Prometheus metrics.
 * @example
 * ```ts
 * const metrics = clusterMetrics({ nodes: [], servers: [], computations: [], jobs: [], counts: { submitted: 3, running: 1, done: 2, failed: 0 }, jobsPerSecond: [], at: Date.now() });
 * ```
 * @module
 */
import type { Metric } from '../../runtime/metrics.js';
import type { ClusterSource, ComputationView, JobCounts, JobView, NodeView, ServerView } from './clusterSource.js';

/**
 * A job as sent to the page: its arguments as text, at most 200 characters.
 * @example
 * ```ts
 * const j: JobData = { id: 'j-1', fn: 'render', argsPreview: '[1,"a"]', server: 's', node: 'n', computation: 'c-1', state: 'running', startTime: 0, endTime: null };
 * ```
 */
export type JobData = Omit<JobView, 'args'> & { argsPreview: string };

/**
 * Everything the cluster view shows, at one moment.
 * @example
 * ```ts
 * const empty: ClusterData = { at: Date.now(), nodes: [], servers: [], computations: [], jobs: [], counts: { submitted: 0, running: 0, done: 0, failed: 0 }, jobsPerSecond: [] };
 * ```
 */
export interface ClusterData {
  /** The server's `Date.now()` when taken (the page corrects job durations for clock skew with it). */
  at: number;
  nodes: NodeView[];
  servers: ServerView[];
  computations: ComputationView[];
  jobs: JobData[];
  counts: JobCounts;
  /** Jobs ended in each of the last seconds, oldest first. */
  jobsPerSecond: number[];
}

const PREVIEW_CHARS = 200;

/**
 * A JSON preview of a job's arguments, at most 200 characters (cut with `…`); bigints, functions,
 * symbols, buffers and cycles never throw.
 * @example
 * ```ts
 * argsPreview([1, 'a', { big: 10n }]); // '[1,"a",{"big":"10n"}]'
 * ```
 */
export function argsPreview(args: readonly unknown[]): string {
  const seen = new WeakSet<object>();
  let text: string;
  try {
    text = JSON.stringify(args, function (this: unknown, _key, value: unknown) {
      if (typeof value === 'bigint') return `${value}n`;
      if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
      if (typeof value === 'symbol') return value.toString();
      if (typeof value === 'object' && value !== null) {
        // Buffer.toJSON ran already: a buffer arrives here as { type: 'Buffer', data }.
        if ((value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) return `[Buffer ${(value as { data: unknown[] }).data.length} bytes]`;
        if (seen.has(value)) return '[circular]';
        seen.add(value);
      }
      return value;
    }) ?? '[]';
  } catch (err) {
    text = `[arguments not shown: ${(err as Error).message}]`;
  }
  return text.length <= PREVIEW_CHARS ? text : `${text.slice(0, PREVIEW_CHARS - 1)}…`;
}

/**
 * Reads a cluster source into ClusterData.
 * @example
 * ```ts
 * const data = clusterData(options.cluster, [0, 2, 3]); // the source, the last seconds' rates
 * ```
 */
export function clusterData(source: ClusterSource, jobsPerSecond: readonly number[]): ClusterData {
  return {
    at: Date.now(),
    nodes: [...source.nodes()],
    servers: [...source.servers()],
    computations: [...source.computations()],
    jobs: source.jobs().map(({ args, argsPreview: text, ...job }) => ({ ...job, argsPreview: text ?? argsPreview(args) })),
    counts: { ...source.counts() },
    jobsPerSecond: [...jobsPerSecond],
  };
}

/**
 * The nodes of the cluster page: every node the source knows (`clusterNodes()`, else `nodes()`),
 * each with its jobs; for a node whose counts the source does not know, the running jobs it lists
 * there (done and failed then unknown: -1).
 * @example
 * ```ts
 * for (const n of clusterNodes(options.cluster)) log(n.name, n.jobs?.running);
 * ```
 */
export function clusterNodes(source: ClusterSource): NodeView[] {
  const nodes = source.clusterNodes?.() ?? source.nodes();
  let running: Map<string, number> | undefined;
  return nodes.map((n) => {
    if (n.jobs !== undefined && n.jobs !== null) return { ...n };
    if (running === undefined) {
      running = new Map();
      for (const j of source.jobs()) if (j.state === 'running') running.set(j.node, (running.get(j.node) ?? 0) + 1);
    }
    return { ...n, jobs: { running: running.get(n.location) ?? 0, done: -1, failed: -1 } };
  });
}

/**
 * The cluster's metrics: jobs by state (submitted, done, failed as counters; running as a gauge),
 * and nodes and servers by state.
 * @example
 * ```ts
 * const names = clusterMetrics(clusterData(options.cluster, [])).map((m) => m.name);
 * ```
 */
export function clusterMetrics(data: ClusterData): Metric[] {
  const c = data.counts;
  const byState = (items: ReadonlyArray<{ state: string }>): Metric['samples'] => {
    const counts = new Map<string, number>();
    for (const i of items) counts.set(i.state, (counts.get(i.state) ?? 0) + 1);
    return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([state, value]) => ({ labels: { state }, value }));
  };
  return [
    {
      name: 'asyncoro_cluster_jobs_total',
      type: 'counter',
      help: 'Jobs submitted, done and failed (failed, terminated or abandoned) since the cluster source began.',
      samples: [
        { labels: { state: 'submitted' }, value: c.submitted },
        { labels: { state: 'done' }, value: c.done },
        { labels: { state: 'failed' }, value: c.failed },
      ],
    },
    { name: 'asyncoro_cluster_jobs_running', type: 'gauge', help: 'Jobs running now.', samples: [{ labels: {}, value: c.running }] },
    { name: 'asyncoro_cluster_nodes', type: 'gauge', help: 'Nodes by state.', samples: byState(data.nodes) },
    { name: 'asyncoro_cluster_servers', type: 'gauge', help: 'Servers by state.', samples: byState(data.servers) },
  ];
}
