/**
 * `serveDashboard`: a live web dashboard of a scheduler (and, given a ClusterSource, of a
 * cluster), on `node:http` alone, embeddable in any service. One page, updated over server-sent
 * events (`GET /events`; any number of tabs, each gets every update), and a cluster page
 * (`/cluster`) of every node the source knows; the same data as JSON (`/api/*`), `/metrics` in
 * the Prometheus text format (with the process's own metrics), the probes `/healthz` and
 * `/readyz`; actions as POSTs that need the token. Secure by default: loopback only unless told
 * otherwise, and beyond loopback only with a token; every response carries a restrictive CSP.
 * The dashboard is a coroutine of the scheduler it shows (see Dashboard).
 * @example
 * ```ts
 * const dash = await serveDashboard(sched, { port: 9800, token: 'a-long-random-secret-token' });
 * log(dash.url); // http://127.0.0.1:9800/
 * await dash.close();
 * ```
 * @module
 */
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import { HttpServer } from '../../transports/io/HttpServer.js';
import { ListenError } from '../../transports/io/ioErrors.js';
import { Dashboard } from './Dashboard.js';
import { checkDashboardOptions, type DashboardOptions } from './dashboardOptions.js';

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
  const coro = dashboard.start();
  let server: HttpServer;
  try {
    server = await HttpServer.listen({ owner: coro, host: settings.host, port: settings.port, scheduler });
  } catch (err) {
    await dashboard.close();
    const why = ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message;
    throw new ListenError(`the dashboard cannot listen on ${settings.host}:${settings.port}: ${why}`, { cause: err });
  }
  dashboard.attach(server);
  const dropExitHook = scheduler.atExit(() => dashboard.close());
  const close = (): Promise<void> => {
    dropExitHook();
    return dashboard.close();
  };
  const port = server.port;
  const url = `http://${urlHost(settings.host)}:${port}/`;
  log.info({ url, actions: settings.token !== undefined, cluster: settings.cluster !== undefined }, 'dashboard listening');
  return {
    url,
    port,
    get clients() {
      return dashboard.clients;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
