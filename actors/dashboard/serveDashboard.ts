/**
 * `serveDashboard`: a live web dashboard of a scheduler (and, given a ClusterSource, of a
 * cluster), on `node:http` alone, embeddable in any service. One page, updated over server-sent
 * events (`GET /events`; any number of tabs, each gets every update); the same data as JSON
 * (`/api/info`, `/api/snapshot`, `/api/cluster`) and `/metrics` in the Prometheus text format;
 * actions as POSTs that need the token. Secure by default: loopback only unless told otherwise,
 * and beyond loopback only with a token; every response carries a restrictive CSP.
 * @example
 * ```ts
 * const dash = await serveDashboard(sched, { port: 9800, token: 'a-long-random-secret-token' });
 * log(dash.url); // http://127.0.0.1:9800/
 * await dash.close();
 * ```
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { prometheusText, schedulerMetrics } from '../../runtime/metrics.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import type { SchedulerSnapshot } from '../../runtime/snapshotTypes.js';
import { ListenError } from '../../transports/io/ioErrors.js';
import { clusterData, clusterMetrics } from './clusterData.js';
import { describeAction, parseAction, performAction, type DashboardAction } from './dashboardActions.js';
import { DashboardMethodError, DashboardNotFoundError } from './dashboardErrors.js';
import { checkDashboardOptions, type DashboardOptions, type DashboardSettings } from './dashboardOptions.js';
import { EventHub } from './EventHub.js';
import { replyError, replyJson, reply, SECURITY_HEADERS } from './httpReply.js';
import { JobRate } from './JobRate.js';
import { PAGE_ASSETS } from './page/pageAssets.js';
import { checkHost, checkMethod, checkNoTokenInUrl, checkOrigin, checkToken } from './requestGuard.js';

/**
 * A running dashboard.
 * @example
 * ```ts
 * await using dash = await serveDashboard(sched);
 * log(dash.url, dash.clients);
 * ```
 */
export interface DashboardHandle extends AsyncDisposable {
  /** Where the page is, e.g. `http://127.0.0.1:9800/`. */
  readonly url: string;
  /** The port it listens on (useful with `port: 0`). */
  readonly port: number;
  /** Event streams open now (one per open page). */
  readonly clients: number;
  /** Stops listening and ends every event stream; resolves once the server is closed. */
  close(): Promise<void>;
}

const GET_ONLY = ['GET', 'HEAD'];

/** The dashboard's state: its server, its event streams and the samplers that feed them. */
class Dashboard {
  readonly server: Server;
  private readonly hub: EventHub;
  private readonly rate: JobRate | undefined;
  private readonly unsubscribe: (() => void) | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private lastScheduler = '';
  private lastThreads = '';
  private threadsJson = '';
  private threadsPending = false;
  private clusterPending: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private dropExitHook: (() => void) | undefined;

  constructor(private readonly scheduler: Scheduler, private readonly settings: DashboardSettings, private readonly log: Logger) {
    this.hub = new EventHub({ onEmpty: () => this.stopSampling() });
    const cluster = settings.cluster;
    if (cluster !== undefined) {
      const ended = (): number => {
        const c = cluster.counts();
        return c.done + c.failed;
      };
      this.rate = new JobRate(ended);
      this.rate.start(() => this.hub.broadcast('rate', JSON.stringify({ jobsPerSecond: this.rate!.history() })));
      this.unsubscribe = cluster.subscribe(() => this.clusterChanged());
    }
    this.server = createServer((req, res) => void this.handle(req, res));
    this.dropExitHook = scheduler.atExit(() => this.close());
  }

  info(): { cluster: boolean; threads: boolean; actions: boolean; refreshMs: number } {
    return { cluster: this.settings.cluster !== undefined, threads: this.settings.threads !== undefined, actions: this.settings.token !== undefined, refreshMs: this.settings.refreshMs };
  }

  get clients(): number {
    return this.hub.size;
  }

  private snapshot(): SchedulerSnapshot {
    return this.scheduler.snapshot();
  }

  private clusterJson(): string {
    return JSON.stringify(clusterData(this.settings.cluster!, this.rate?.history() ?? []));
  }

  /** Sends the scheduler's snapshot to every page if it changed since the last one sent (ages aside: pages move them on). */
  private sampleScheduler(force = false): void {
    if (this.hub.size === 0) return;
    const snap = this.snapshot();
    const key = JSON.stringify({ ...snap, at: 0, coroutines: snap.coroutines.map((c) => ({ ...c, ageMs: 0 })) });
    if (!force && key === this.lastScheduler) return;
    this.lastScheduler = key;
    this.hub.broadcast('scheduler', JSON.stringify(snap));
  }

  /** Asks every thread for its snapshot (one round at a time) and sends them to the pages if they changed. */
  private async sampleThreads(force = false): Promise<void> {
    const threads = this.settings.threads;
    if (threads === undefined || this.threadsPending || this.hub.size === 0) return;
    this.threadsPending = true;
    try {
      const snaps = await threads.snapshot({ timeout: Math.max(this.settings.refreshMs, 1000) });
      const key = JSON.stringify(snaps.map((t) => ({ ...t, snapshot: t.snapshot === null ? null : { ...t.snapshot, at: 0, coroutines: t.snapshot.coroutines.map((c) => ({ ...c, ageMs: 0 })) } })));
      this.threadsJson = JSON.stringify(snaps);
      if (!force && key === this.lastThreads) return;
      this.lastThreads = key;
      this.hub.broadcast('threads', this.threadsJson);
    } catch (err) {
      this.log.debug({ err }, 'thread snapshots not taken');
    } finally {
      this.threadsPending = false;
    }
  }

  private startSampling(): void {
    this.sampler ??= setInterval(() => {
      this.sampleScheduler();
      void this.sampleThreads();
    }, this.settings.refreshMs);
    this.sampler.unref();
  }

  private stopSampling(): void {
    clearInterval(this.sampler);
    this.sampler = undefined;
  }

  /** Coalesces a burst of cluster changes into one event per page, a few ms later. */
  private clusterChanged(): void {
    if (this.hub.size === 0 || this.clusterPending !== undefined || this.closing !== undefined) return;
    this.clusterPending = setTimeout(() => {
      this.clusterPending = undefined;
      if (this.hub.size > 0) this.hub.broadcast('cluster', this.clusterJson());
    }, 20);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let allow: string[] = GET_ONLY;
    // Only the path is ever logged: a query string may carry what must not be kept.
    let path = '?';
    try {
      checkHost(req, this.settings);
      const url = new URL(req.url ?? '/', 'http://dashboard');
      path = url.pathname;
      checkNoTokenInUrl(url);
      const action = parseAction(path);
      if (action !== undefined) {
        allow = ['POST'];
        checkMethod(req, allow);
        checkOrigin(req);
        checkToken(req, this.settings.token);
        req.resume();
        return await this.act(action, req, res);
      }
      if (!this.knows(path)) throw new DashboardNotFoundError(`no page or endpoint ${path}`);
      checkMethod(req, GET_ONLY);
      this.get(path, req, res);
    } catch (err) {
      if (!(err instanceof DashboardMethodError || err instanceof DashboardNotFoundError)) this.log.info({ err: { code: (err as { code?: string }).code, message: (err as Error).message }, path, method: req.method, remote: req.socket.remoteAddress }, 'dashboard request refused');
      replyError(res, err, err instanceof DashboardMethodError ? { allow: allow.join(', ') } : {});
    }
  }

  /** Carries out an authorised action; each one, done or failed, is an audit line at warn (who, what, when; never the token). */
  private async act(action: DashboardAction, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const audit = { audit: 'dashboard', action: action.verb, target: `${action.kind} ${action.id}`, remote: req.socket.remoteAddress, at: new Date().toISOString() };
    try {
      await performAction(action, this.scheduler, this.settings.cluster);
    } catch (err) {
      this.log.warn({ ...audit, outcome: (err as { code?: string }).code ?? 'failed' }, 'dashboard action failed');
      throw err;
    }
    this.log.warn({ ...audit, outcome: 'done' }, 'dashboard action');
    replyJson(res, 200, { ok: true, action: describeAction(action) });
    setImmediate(() => this.sampleScheduler());
  }

  private knows(path: string): boolean {
    return PAGE_ASSETS.has(path) || ['/events', '/metrics', '/api/info', '/api/snapshot', '/api/cluster', '/api/threads'].includes(path);
  }

  private get(path: string, req: IncomingMessage, res: ServerResponse): void {
    const asset = PAGE_ASSETS.get(path);
    if (asset !== undefined) return reply(res, 200, asset.contentType, asset.body);
    switch (path) {
      case '/events':
        return this.openStream(req, res);
      case '/metrics': {
        const metrics = schedulerMetrics(this.snapshot());
        if (this.settings.cluster !== undefined) metrics.push(...clusterMetrics(clusterData(this.settings.cluster, [])));
        return reply(res, 200, 'text/plain; version=0.0.4; charset=utf-8', prometheusText(metrics));
      }
      case '/api/info':
        return replyJson(res, 200, this.info());
      case '/api/snapshot':
        return replyJson(res, 200, this.snapshot());
      case '/api/threads':
        if (this.settings.threads === undefined) throw new DashboardNotFoundError('no threads are attached to this dashboard');
        return void this.settings.threads.snapshot({ timeout: 5000 }).then(
          (snaps) => replyJson(res, 200, snaps),
          (err: unknown) => replyError(res, err, {}),
        );
      default:
        if (this.settings.cluster === undefined) throw new DashboardNotFoundError('no cluster is attached to this dashboard');
        return reply(res, 200, 'application/json; charset=utf-8', this.clusterJson());
    }
  }

  private openStream(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'HEAD') return reply(res, 200, 'text/event-stream; charset=utf-8', '');
    if (this.closing !== undefined) return void res.destroy();
    this.hub.add(res, SECURITY_HEADERS);
    this.hub.send(res, 'info', JSON.stringify(this.info()));
    this.hub.send(res, 'scheduler', JSON.stringify(this.snapshot()));
    if (this.settings.cluster !== undefined) this.hub.send(res, 'cluster', this.clusterJson());
    if (this.settings.threads !== undefined) {
      if (this.lastThreads !== '') this.hub.send(res, 'threads', this.threadsJson); // the last sample, until a new one comes
      void this.sampleThreads(true);
    }
    this.startSampling();
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.dropExitHook?.();
      this.dropExitHook = undefined;
      this.stopSampling();
      clearTimeout(this.clusterPending);
      this.rate?.stop();
      this.unsubscribe?.();
      this.hub.closeAll();
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }
}

/** The address as it goes in a URL: IPv6 in brackets, a wildcard as the loopback address. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Serves the dashboard of `scheduler` (and of `options.cluster`, if given) and resolves once it
 * listens. Throws InvalidArgumentError for bad options, InsecureDashboardError for a host beyond
 * loopback without a token, and ListenError when the address cannot be bound.
 * @example
 * ```ts
 * const dash = await serveDashboard(sched, { host: '0.0.0.0', port: 9800, token: 'a-long-random-secret-token' });
 * log(`open ${dash.url}; it closes when the scheduler finishes`);
 * ```
 */
export async function serveDashboard(scheduler: Scheduler, options?: DashboardOptions): Promise<DashboardHandle> {
  if (typeof (scheduler as Partial<Scheduler> | null)?.snapshot !== 'function') throw new InvalidArgumentError('serveDashboard needs a Scheduler');
  const settings = checkDashboardOptions(options);
  const log = scheduler.logger.child({ component: 'dashboard' });
  const dashboard = new Dashboard(scheduler, settings, log);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      void dashboard.close();
      reject(new ListenError(`the dashboard cannot listen on ${settings.host}:${settings.port}: ${err.message}`, { cause: err }));
    };
    dashboard.server.once('error', onError);
    dashboard.server.listen(settings.port, settings.host, () => {
      dashboard.server.off('error', onError);
      dashboard.server.on('error', (err) => log.error({ err }, 'dashboard server error'));
      resolve();
    });
  });
  const address = dashboard.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  const url = `http://${urlHost(settings.host)}:${port}/`;
  log.info({ url, actions: settings.token !== undefined, cluster: settings.cluster !== undefined }, 'dashboard listening');
  return {
    url,
    port,
    get clients() {
      return dashboard.clients;
    },
    close: () => dashboard.close(),
    [Symbol.asyncDispose]: () => dashboard.close(),
  };
}
