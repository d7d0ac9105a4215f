/**
 * The options of `serveDashboard`, their defaults and their validation: where it listens, the
 * token its actions need, the cluster it shows and how often it samples the scheduler.
 * @example
 * ```ts
 * const options: DashboardOptions = { host: '127.0.0.1', port: 9800, token: 'a-long-random-secret-token' };
 * const settings = checkDashboardOptions(options);
 * ```
 * @module
 */
import { isIP } from 'node:net';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import type { ClusterSource } from './clusterSource.js';
import type { ThreadSnapshot } from '../threads/Threads.js';
import { InsecureDashboardError } from './dashboardErrors.js';
import { DashboardToken } from './DashboardToken.js';
import type { Secret } from '../../transports/net/Secret.js';

/**
 * Whether what the dashboard watches takes work now, for `/readyz`: a reason either way, in words.
 * @example
 * ```ts
 * const r: Readiness = { ready: false, reason: 'outside service window, next start 08:00' };
 * ```
 */
export interface Readiness {
  ready: boolean;
  reason: string;
}

/**
 * Where the dashboard reads the worker threads of the process from (a `Threads` group is one):
 * each thread's scheduler snapshot, asked at every sample; and, for the terminate action on
 * their coroutines, `terminateOn`.
 * @example
 * ```ts
 * const source: ThreadsSource = { snapshot: async () => [] };
 * ```
 */
export interface ThreadsSource {
  snapshot(options?: { timeout?: number }): Promise<ThreadSnapshot[]>;
  /** Terminates coroutine `id` on thread `thread` of that incarnation; false when it had ended (the page's terminate action on the threads' coroutines). */
  terminateOn?(thread: number, id: number, options?: { incarnation?: string; timeout?: number }): Promise<boolean>;
}

/**
 * How to serve the dashboard.
 * @example
 * ```ts
 * const options: DashboardOptions = { port: 0, refreshMs: 250 };
 * ```
 */
export interface DashboardOptions {
  /** Interface to listen on; `127.0.0.1` by default. Anything but loopback needs `token`. */
  host?: string;
  /** TCP port; 0 (the default) picks a free one (read it from the handle's `url`). */
  port?: number;
  /**
   * The secret the actions need (`Authorization: Bearer <token>`, never in the URL), at least 16
   * characters. Without one the dashboard is read-only. The page never shows it: the person types
   * it in; the dashboard keeps only its digest.
   */
  token?: string | Secret;
  /** The cluster view's data and actions; without it the page shows the scheduler only. */
  cluster?: ClusterSource;
  /** Worker threads (a `Threads` group) whose coroutines the page shows, thread by thread. */
  threads?: ThreadsSource;
  /** How often the scheduler is sampled while a page is open, in ms (250 by default, at least 20). */
  refreshMs?: number;
  /**
   * Host names (the `Host` header, without the port) the dashboard answers besides the address it
   * listens on. Bound to loopback it answers `localhost`, `127.0.0.1` and `[::1]` only, which
   * keeps DNS-rebinding pages out; bound to a wildcard address (`0.0.0.0`, `::`) it answers any.
   */
  allowedHosts?: readonly string[];
  /**
   * Whether the service takes work now (`GET /readyz` answers 200 or 503 with its reason); without
   * it, ready while the scheduler runs. Called on each probe: keep it cheap.
   */
  readiness?: () => Readiness;
  /** What the page calls what it shows (its title and heading): 'asyncoro dashboard' by default. */
  title?: string;
}

/**
 * Options checked, with defaults filled in.
 * @example
 * ```ts
 * const { host, port, loopback } = checkDashboardOptions({});
 * ```
 */
export interface DashboardSettings {
  host: string;
  port: number;
  /** The token's digest (the token itself is not kept). */
  token: DashboardToken | undefined;
  cluster: ClusterSource | undefined;
  threads: ThreadsSource | undefined;
  refreshMs: number;
  loopback: boolean;
  /** Lower-case host names accepted in the Host header; undefined: any. */
  hostNames: ReadonlySet<string> | undefined;
  readiness: (() => Readiness) | undefined;
  title: string;
}

const CLUSTER_METHODS = ['nodes', 'servers', 'computations', 'jobs', 'counts', 'subscribe', 'terminateJob', 'closeComputation', 'enableNode', 'disableNode', 'enableServer', 'disableServer'] as const;

/**
 * True for addresses of the loopback interface (`127.0.0.0/8`, `::1`) and `localhost`.
 * @example
 * ```ts
 * isLoopback('127.0.0.1'); // true
 * isLoopback('0.0.0.0'); // false
 * ```
 */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}

const describe = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v));

/**
 * Validates `serveDashboard`'s options: bad values throw InvalidArgumentError, listening beyond
 * loopback without a token throws InsecureDashboardError.
 * @example
 * ```ts
 * checkDashboardOptions({ host: '0.0.0.0' }); // throws InsecureDashboardError
 * ```
 */
export function checkDashboardOptions(options: DashboardOptions | undefined): DashboardSettings {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidArgumentError(`dashboard options must be an object, got ${describe(options)}`);
  }
  const { host = '127.0.0.1', port = 0, token, cluster, threads, refreshMs = 250, allowedHosts = [], readiness, title = 'asyncoro dashboard' } = options ?? {};
  if (typeof host !== 'string' || host === '' || /[\s/]/.test(host)) throw new InvalidArgumentError(`dashboard host must be a host name or address, got ${describe(host)}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`dashboard port must be an integer in 0..65535, got ${describe(port)}`);
  // Never echo the token itself: only what is wrong with it.
  const digest = token === undefined ? undefined : DashboardToken.from(token);
  if (typeof refreshMs !== 'number' || !Number.isFinite(refreshMs) || refreshMs < 20) throw new InvalidArgumentError(`dashboard refreshMs must be a number of ms, at least 20, got ${describe(refreshMs)}`);
  if (cluster !== undefined) {
    const missing = CLUSTER_METHODS.filter((m) => typeof (cluster as unknown as Record<string, unknown> | null)?.[m] !== 'function');
    if (missing.length > 0) throw new InvalidArgumentError(`dashboard cluster must be a ClusterSource; missing: ${missing.join(', ')}`);
  }
  if (typeof title !== 'string' || title.trim() === '' || title.length > 120) throw new InvalidArgumentError(`dashboard title must be a text of 1 to 120 characters, got ${describe(title)}`);
  if (readiness !== undefined && typeof readiness !== 'function') throw new InvalidArgumentError(`dashboard readiness must be a function, got ${describe(readiness)}`);
  if (threads !== undefined && typeof (threads as Partial<ThreadsSource> | null)?.snapshot !== 'function') throw new InvalidArgumentError('dashboard threads must be a Threads group (anything with snapshot())');
  if (!Array.isArray(allowedHosts) || allowedHosts.some((h) => typeof h !== 'string' || h === '')) {
    throw new InvalidArgumentError('dashboard allowedHosts must be an array of host names');
  }
  const loopback = isLoopback(host);
  if (!loopback && token === undefined) {
    throw new InsecureDashboardError(`the dashboard listens on ${host}, beyond loopback: give it a token (its actions would be open to the network)`);
  }
  const wildcard = host === '0.0.0.0' || host === '::' || host === '[::]';
  const hostNames = wildcard && allowedHosts.length === 0
    ? undefined
    : new Set([host, ...(loopback ? ['localhost', '127.0.0.1', '[::1]'] : []), ...allowedHosts].map(bracketed));
  return { host, port, token: digest, cluster, threads, refreshMs, loopback, hostNames, readiness, title };
}

/** An IPv6 address as it appears in a Host header (`[::1]`), lower case. */
function bracketed(host: string): string {
  const h = host.toLowerCase();
  return isIP(h) === 6 ? `[${h}]` : h;
}
