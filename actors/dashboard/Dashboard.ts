/**
 * The dashboard as one coroutine (`dashboard`, a daemon on the scheduler it shows) that owns its
 * state: its HTTP server's requests arrive in its mailbox (`HttpExchange`), and so do the ends of
 * event streams (`HttpClosed`) and the cluster source's changes; its periodic work (sampling the
 * scheduler while a page is open, the jobs-per-second rate, the process metrics' windows, the
 * keep-alives, a burst of cluster changes merged into one event) is the timeout of its receive.
 * An action, which may wait for the cluster, runs in a coroutine of its own.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Coro } from '../../runtime/Coro.js';
import { ProcessMetrics } from '../../runtime/ProcessMetrics.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import { HttpClosed, HttpExchange, type HttpServer } from '../../transports/io/HttpServer.js';
import { clusterData, clusterNodes } from './clusterData.js';
import { describeAction, parseAction, performAction, type DashboardAction } from './dashboardActions.js';
import { DashboardMethodError, DashboardNotFoundError } from './dashboardErrors.js';
import { answerGet, type DashboardInfo, type GetContext } from './dashboardGets.js';
import type { DashboardSettings } from './dashboardOptions.js';
import { EventHub } from './EventHub.js';
import { replyError, replyJson, SECURITY_HEADERS } from './httpReply.js';
import { JobRate } from './JobRate.js';
import { checkHost, checkMethod, checkNoTokenInUrl, checkOrigin, checkToken } from './requestGuard.js';

const TICK = Symbol('tick');
/** The cluster source changed (sent once until the change is handled). */
const CLUSTER_CHANGED = Symbol('cluster changed');
/** An action was carried out: sample the scheduler now. */
const SAMPLE_NOW = Symbol('sample now');
/** Stop: end the streams and close the server. */
const CLOSE = Symbol('close');

/** The worker threads' snapshots, taken by a coroutine of their own (undefined: not taken). */
class ThreadsSample {
  constructor(readonly json: string | undefined, readonly key: string | undefined, readonly force: boolean) {}
}

const GET_ONLY = ['GET', 'HEAD'];
/** Probes answer whatever the Host header says: a Kubernetes probe names the pod's address. */
const PROBES = new Set(['/healthz', '/readyz']);
/** How long a burst of cluster changes is merged for. */
const CLUSTER_MERGE_MS = 20;
const SECOND_MS = 1000;
const KEEP_ALIVE_MS = 15_000;
/** The window of the event-loop delay in the process metrics. */
const LOOP_WINDOW_MS = 5000;

/**
 * The state and loop of a dashboard's coroutine; its fields are written by that coroutine only
 * (`clusterPending` also by the source's listener, to send one notice per burst).
 * @example
 * ```ts
 * const dashboard = new Dashboard(sched, settings, sched.logger); // settings: checkDashboardOptions({})
 * const coro = dashboard.start();
 * ```
 */
export class Dashboard {
  private readonly pages = new EventHub();
  private readonly clusterPages = new EventHub();
  private readonly rate: JobRate | undefined;
  private readonly process = new ProcessMetrics();
  private unsubscribe: (() => void) | undefined;
  private readonly gets: GetContext;
  private lastScheduler = '';
  private lastThreads = '';
  private threadsJson = '';
  private threadsPending = false;
  private lastNodes = '';
  private lastFailedSeq = 0;
  private clusterPending = false;
  private clusterAt = Infinity;
  private sampleAt = 0;
  private secondAt: number;
  private keepAliveAt: number;
  private windowAt: number;
  private coro!: Coro<unknown, void>;
  private server: HttpServer | undefined;
  private ended: Promise<void> | undefined;

  constructor(private readonly scheduler: Scheduler, private readonly settings: DashboardSettings, private readonly log: Logger) {
    const cluster = settings.cluster;
    const now = performance.now();
    this.secondAt = now + SECOND_MS;
    this.keepAliveAt = now + KEEP_ALIVE_MS;
    this.windowAt = now + LOOP_WINDOW_MS;
    if (cluster !== undefined) {
      this.rate = new JobRate(() => {
        const c = cluster.counts();
        return c.done + c.failed;
      });
      this.lastFailedSeq = lastSeq(cluster.failedJobs?.() ?? []);
    }
    this.gets = {
      scheduler, settings, process: this.process,
      info: () => this.info(),
      rate: () => this.rate?.history() ?? [],
      openStream: (req, res) => this.openStream(req, res),
      openClusterStream: (req, res) => this.openClusterStream(req, res),
    };
  }

  /** Event streams open now. */
  get clients(): number {
    return this.pages.size + this.clusterPages.size;
  }

  /** Spawns its coroutine (a daemon: it does not keep the scheduler from finishing). */
  start(): Coro<unknown, void> {
    this.coro = this.scheduler.spawnWith({ name: 'dashboard', daemon: true }, (c: Coro<unknown, void>) => this.run(c));
    this.unsubscribe = this.settings.cluster?.subscribe(() => {
      if (this.clusterPending) return;
      this.clusterPending = true;
      this.coro.send(CLUSTER_CHANGED);
    });
    return this.coro;
  }

  /** The server it answers for (it closes it when it stops). */
  attach(server: HttpServer): void {
    this.server = server;
  }

  /** Stops it; resolves once its server is closed. */
  close(): Promise<void> {
    this.ended ??= (this.coro.isAlive ? (this.coro.send(CLOSE), this.coro.finish()) : Promise.resolve()).then(
      () => undefined,
      () => undefined,
    );
    return this.ended;
  }

  info(): DashboardInfo {
    const c = this.settings.cluster;
    return {
      title: this.settings.title, cluster: c !== undefined, threads: this.settings.threads !== undefined, actions: this.settings.token !== undefined, refreshMs: this.settings.refreshMs,
      failedJobs: typeof c?.failedJobs === 'function', clusterNodes: c !== undefined,
    };
  }

  private async run(coro: Coro<unknown, void>): Promise<void> {
    try {
      for (;;) {
        const m = await coro.receive({ timeout: Math.max(0, this.nextDue() - performance.now()), alarm: TICK });
        if (m === CLOSE) break;
        if (m instanceof HttpExchange) this.request(m.req, m.res);
        else if (m instanceof HttpClosed) this.pages.drop(m.res) || this.clusterPages.drop(m.res);
        else if (m === CLUSTER_CHANGED) this.clusterAt = Math.min(this.clusterAt, performance.now() + CLUSTER_MERGE_MS);
        else if (m === SAMPLE_NOW) this.sampleScheduler();
        else if (m instanceof ThreadsSample) this.threadsSampled(m);
        this.ticks(); // due even while requests keep coming
      }
    } finally {
      this.unsubscribe?.();
      this.pages.closeAll();
      this.clusterPages.closeAll();
      this.process.close();
      // Without the coroutine, which may be terminated.
      await this.server?.close({ timeout: 5000 });
    }
  }

  private nextDue(): number {
    let at = Math.min(this.secondAt, this.windowAt, this.clusterAt);
    if (this.pages.size > 0) at = Math.min(at, this.sampleAt);
    if (this.clients > 0) at = Math.min(at, this.keepAliveAt);
    return at;
  }

  private ticks(): void {
    const now = performance.now() + 1; // the timer heap may fire up to half a millisecond early
    if (now >= this.clusterAt) {
      this.clusterAt = Infinity;
      this.clusterPending = false;
      this.clusterFlush();
    }
    if (this.pages.size > 0 && now >= this.sampleAt) {
      this.sampleAt = now + this.settings.refreshMs;
      this.sampleScheduler();
      this.sampleThreads(false);
    }
    if (now >= this.secondAt) {
      this.secondAt = now + SECOND_MS;
      this.everySecond();
    }
    if (now >= this.windowAt) {
      this.windowAt = now + LOOP_WINDOW_MS;
      this.process.rotate();
    }
    if (now >= this.keepAliveAt) {
      this.keepAliveAt = now + KEEP_ALIVE_MS;
      this.pages.keepAlive();
      this.clusterPages.keepAlive();
    }
  }

  private everySecond(): void {
    if (this.rate !== undefined) {
      this.rate.sample();
      this.pages.broadcast('rate', JSON.stringify({ jobsPerSecond: this.rate.history() }));
    }
    if (this.pages.size > 0) this.pages.broadcast('process', JSON.stringify(this.process.sample()));
    if (this.clusterPages.size > 0) this.sendNodes();
  }

  /** Sends the scheduler's snapshot to every page if it changed since the last one sent (ages aside: pages move them on). */
  private sampleScheduler(): void {
    if (this.pages.size === 0) return;
    const snap = this.scheduler.snapshot();
    const key = JSON.stringify({ ...snap, at: 0, coroutines: snap.coroutines.map((c) => ({ ...c, ageMs: 0 })) });
    if (key === this.lastScheduler) return;
    this.lastScheduler = key;
    this.pages.broadcast('scheduler', JSON.stringify(snap));
  }

  /** Asks the threads for their snapshots in a coroutine of its own (one round at a time); the answer comes back as a ThreadsSample. */
  private sampleThreads(force: boolean): void {
    const threads = this.settings.threads;
    if (threads === undefined || this.threadsPending || this.pages.size === 0) return;
    this.threadsPending = true;
    const timeout = Math.max(this.settings.refreshMs, 1000);
    this.scheduler.spawnWith({ name: 'dashboard-threads', daemon: true }, async () => {
      try {
        const snaps = await threads.snapshot({ timeout });
        // Ages aside: pages move them on.
        const key = JSON.stringify(snaps.map((t) => ({ ...t, snapshot: t.snapshot === null ? null : { ...t.snapshot, at: 0, coroutines: t.snapshot.coroutines.map((c) => ({ ...c, ageMs: 0 })) } })));
        this.coro.send(new ThreadsSample(JSON.stringify(snaps), key, force));
      } catch (err) {
        this.log.debug({ err }, 'thread snapshots not taken');
        this.coro.send(new ThreadsSample(undefined, undefined, force));
      }
    });
  }

  private threadsSampled(m: ThreadsSample): void {
    this.threadsPending = false;
    if (m.json === undefined || (!m.force && m.key === this.lastThreads)) return;
    this.threadsJson = m.json;
    this.lastThreads = m.key!;
    this.pages.broadcast('threads', m.json);
  }

  private clusterFlush(): void {
    const cluster = this.settings.cluster!;
    if (this.pages.size > 0) this.pages.broadcast('cluster', JSON.stringify(clusterData(cluster, this.rate?.history() ?? [])));
    const failed = cluster.failedJobs?.() ?? [];
    const fresh = failed.filter((f) => f.seq > this.lastFailedSeq);
    if (fresh.length > 0) {
      this.lastFailedSeq = lastSeq(failed);
      this.pages.broadcast('failed-jobs', JSON.stringify({ jobs: fresh, oldest: failed[0]!.seq }));
    }
    if (this.clusterPages.size > 0) this.sendNodes();
  }

  /** The cluster page's node list to every cluster page, when it changed. */
  private sendNodes(): void {
    const nodes = clusterNodes(this.settings.cluster!);
    const key = JSON.stringify(nodes);
    if (key === this.lastNodes) return;
    this.lastNodes = key;
    this.clusterPages.broadcast('nodes', JSON.stringify({ at: Date.now(), nodes }));
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    let allow: string[] = GET_ONLY;
    // Only the path is ever logged: a query string may carry what must not be kept.
    let path = '?';
    try {
      const url = new URL(req.url ?? '/', 'http://dashboard');
      path = url.pathname;
      if (!PROBES.has(path)) checkHost(req, this.settings);
      checkNoTokenInUrl(url);
      const action = parseAction(path);
      if (action !== undefined) {
        allow = ['POST'];
        checkMethod(req, allow);
        checkOrigin(req);
        checkToken(req, this.settings.token);
        req.resume();
        return this.act(action, req, res);
      }
      answerGet(this.gets, path, req, res);
    } catch (err) {
      this.refused(err, path, req);
      replyError(res, err, err instanceof DashboardMethodError ? { allow: allow.join(', ') } : {});
    }
  }

  private refused(err: unknown, path: string, req: IncomingMessage): void {
    if (err instanceof DashboardMethodError || err instanceof DashboardNotFoundError) return;
    this.log.info({ err: { code: (err as { code?: string }).code, message: (err as Error).message }, path, method: req.method, remote: req.socket.remoteAddress }, 'dashboard request refused');
  }

  /** Carries out an authorised action in a coroutine of its own; each one, done or failed, is an audit line at warn (who, what, when; never the token). */
  private act(action: DashboardAction, req: IncomingMessage, res: ServerResponse): void {
    const audit = { audit: 'dashboard', action: action.verb, target: `${action.kind} ${action.id}`, remote: req.socket.remoteAddress, at: new Date().toISOString() };
    this.scheduler.spawnWith({ name: 'dashboard-action', daemon: true }, async () => {
      try {
        await performAction(action, this.scheduler, this.settings.cluster, this.settings.threads);
      } catch (err) {
        this.log.warn({ ...audit, outcome: (err as { code?: string }).code ?? 'failed' }, 'dashboard action failed');
        this.refused(err, `/api/${action.kind}s/.../${action.verb}`, req);
        return replyError(res, err);
      }
      this.log.warn({ ...audit, outcome: 'done' }, 'dashboard action');
      replyJson(res, 200, { ok: true, action: describeAction(action) });
      this.coro.send(SAMPLE_NOW);
    });
  }

  private openStream(req: IncomingMessage, res: ServerResponse): void {
    if (this.server?.isClosing === true) return void res.destroy();
    const cluster = this.settings.cluster;
    this.pages.add(res, SECURITY_HEADERS);
    this.pages.send(res, 'info', JSON.stringify(this.info()));
    this.pages.send(res, 'scheduler', JSON.stringify(this.scheduler.snapshot()));
    this.pages.send(res, 'process', JSON.stringify(this.process.sample()));
    if (cluster !== undefined) {
      this.pages.send(res, 'cluster', JSON.stringify(clusterData(cluster, this.rate?.history() ?? [])));
      if (cluster.failedJobs !== undefined) this.pages.send(res, 'failed-jobs', JSON.stringify({ jobs: cluster.failedJobs(), all: true }));
    }
    if (this.settings.threads !== undefined) {
      if (this.threadsJson !== '') this.pages.send(res, 'threads', this.threadsJson); // the last sample, until a new one comes
      this.sampleThreads(true);
    }
    if (this.pages.size === 1) this.sampleAt = performance.now() + this.settings.refreshMs;
  }

  private openClusterStream(_req: IncomingMessage, res: ServerResponse): void {
    if (this.server?.isClosing === true) return void res.destroy();
    this.clusterPages.add(res, SECURITY_HEADERS);
    this.clusterPages.send(res, 'info', JSON.stringify(this.info()));
    if (this.settings.cluster !== undefined) this.clusterPages.send(res, 'nodes', JSON.stringify({ at: Date.now(), nodes: clusterNodes(this.settings.cluster) }));
  }
}

function lastSeq(failed: ReadonlyArray<{ seq: number }>): number {
  return failed.length === 0 ? 0 : failed[failed.length - 1]!.seq;
}
