/**
 * What the dashboard answers to a GET (or HEAD): its pages and their files, the event streams,
 * the JSON endpoints, `/metrics` (the scheduler's, the cluster's and the process's, in the
 * Prometheus text format) and the probes `/healthz` (alive: 200 while the scheduler runs) and
 * `/readyz` (takes work now: 200, or 503 with the reason), which answer in the way Kubernetes
 * probes expect.
 * @example
 * ```ts
 * answerGet(context, '/readyz', req, res); // 200 { status: 'ready', reason } or 503 { status: 'not ready', reason }
 * ```
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { prometheusText, schedulerMetrics } from '../../runtime/metrics.js';
import type { ProcessMetrics } from '../../runtime/ProcessMetrics.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import { clusterData, clusterMetrics, clusterNodes } from './clusterData.js';
import { DashboardNotFoundError } from './dashboardErrors.js';
import type { DashboardSettings, Readiness } from './dashboardOptions.js';
import { reply, replyError, replyJson } from './httpReply.js';
import { PAGE_ASSETS } from './page/pageAssets.js';
import { checkMethod } from './requestGuard.js';

/**
 * What `/api/info` (and each stream's first event) says of the dashboard.
 * @example
 * ```ts
 * const info: DashboardInfo = { title: 'discoronode n1', cluster: true, threads: false, actions: false, refreshMs: 250, failedJobs: true, clusterNodes: true };
 * ```
 */
export interface DashboardInfo {
  title: string;
  /** A cluster source is attached. */
  cluster: boolean;
  /** Worker threads are attached. */
  threads: boolean;
  /** It has a token: actions are possible. */
  actions: boolean;
  refreshMs: number;
  /** The source keeps failed jobs. */
  failedJobs: boolean;
  /** There is a cluster page (`/cluster`). */
  clusterNodes: boolean;
}

/**
 * What answering a GET needs of the dashboard.
 * @example
 * ```ts
 * const context: GetContext = { scheduler: sched, settings, process: new ProcessMetrics(), info: () => info, rate: () => [], openStream, openClusterStream }; // ProcessMetrics from 'asyncoro'
 * ```
 */
export interface GetContext {
  readonly scheduler: Scheduler;
  readonly settings: DashboardSettings;
  readonly process: ProcessMetrics;
  info(): DashboardInfo;
  /** Jobs per second, the last minute. */
  rate(): number[];
  openStream(req: IncomingMessage, res: ServerResponse): void;
  openClusterStream(req: IncomingMessage, res: ServerResponse): void;
}

const GET_ONLY = ['GET', 'HEAD'];
const ENDPOINTS = new Set(['/events', '/events/cluster', '/metrics', '/healthz', '/readyz', '/api/info', '/api/snapshot', '/api/cluster', '/api/failed-jobs', '/api/nodes', '/api/process', '/api/threads']);
const PROMETHEUS = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Answers a GET or HEAD of `path`. Throws DashboardNotFoundError for an unknown path (or a cluster
 * endpoint without a cluster), DashboardMethodError for another method.
 * @example
 * ```ts
 * answerGet(context, '/api/snapshot', req, res);
 * ```
 */
export function answerGet(ctx: GetContext, path: string, req: IncomingMessage, res: ServerResponse): void {
  const asset = PAGE_ASSETS.get(path);
  if (asset === undefined && !ENDPOINTS.has(path)) throw new DashboardNotFoundError(`no page or endpoint ${path}`);
  checkMethod(req, GET_ONLY);
  if (asset !== undefined) return reply(res, 200, asset.contentType, asset.body);
  const cluster = ctx.settings.cluster;
  const needCluster = (): NonNullable<typeof cluster> => {
    if (cluster === undefined) throw new DashboardNotFoundError('no cluster is attached to this dashboard');
    return cluster;
  };
  switch (path) {
    case '/events':
      return req.method === 'HEAD' ? reply(res, 200, 'text/event-stream; charset=utf-8', '') : ctx.openStream(req, res);
    case '/events/cluster':
      needCluster();
      return req.method === 'HEAD' ? reply(res, 200, 'text/event-stream; charset=utf-8', '') : ctx.openClusterStream(req, res);
    case '/metrics': {
      const metrics = schedulerMetrics(ctx.scheduler.snapshot());
      if (cluster !== undefined) metrics.push(...clusterMetrics(clusterData(cluster, [])));
      metrics.push(...ctx.process.metrics());
      return reply(res, 200, PROMETHEUS, prometheusText(metrics));
    }
    case '/healthz': {
      const alive = ctx.scheduler.isRunning;
      return replyJson(res, alive ? 200 : 503, { status: alive ? 'alive' : 'stopping', pid: process.pid, uptimeMs: Math.round(process.uptime() * 1000) });
    }
    case '/readyz': {
      const r = readiness(ctx);
      return replyJson(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', reason: r.reason });
    }
    case '/api/info':
      return replyJson(res, 200, ctx.info());
    case '/api/snapshot':
      return replyJson(res, 200, ctx.scheduler.snapshot());
    case '/api/process':
      return replyJson(res, 200, ctx.process.sample());
    case '/api/threads': {
      const threads = ctx.settings.threads;
      if (threads === undefined) throw new DashboardNotFoundError('no threads are attached to this dashboard');
      // Each thread answers in its own time: the answer is written by a coroutine of its own.
      return void ctx.scheduler.spawnWith({ name: 'dashboard-threads', daemon: true }, async () => {
        try {
          replyJson(res, 200, await threads.snapshot({ timeout: 5000 }));
        } catch (err) {
          replyError(res, err);
        }
      });
    }
    case '/api/failed-jobs':
      return replyJson(res, 200, { jobs: needCluster().failedJobs?.() ?? [] });
    case '/api/nodes':
      return replyJson(res, 200, { at: Date.now(), nodes: clusterNodes(needCluster()) });
    default:
      return reply(res, 200, 'application/json; charset=utf-8', JSON.stringify(clusterData(needCluster(), ctx.rate())));
  }
}

/** The service's readiness: what its `readiness` option says (a check that throws is not ready), else whether the scheduler runs. */
function readiness(ctx: GetContext): Readiness {
  const check = ctx.settings.readiness;
  if (!ctx.scheduler.isRunning) return { ready: false, reason: 'stopping' };
  if (check === undefined) return { ready: true, reason: 'running' };
  try {
    const r = check();
    return { ready: r?.ready === true, reason: typeof r?.reason === 'string' ? r.reason : String(r?.reason) };
  } catch (err) {
    return { ready: false, reason: `the readiness check failed: ${(err as Error)?.message ?? String(err)}` };
  }
}
