/**
 * Options of a discoronode (what `bin/discoronode` builds from its flags, environment and config
 * file), their defaults and their validation. Durations are milliseconds.
 * @module
 */
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../../runtime/logging.js';
import { silentLogger } from '../../../runtime/logging.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import type { DashboardOptions } from '../../dashboard/dashboardOptions.js';
import { ServiceWindow } from './ServiceWindow.js';

/**
 * Options of {@link DiscoroNode.start}.
 * @example
 * ```ts
 * const options: DiscoroNodeOptions = { cpus: -1, host: '0.0.0.0', secret: process.env.DISCORO_SECRET, zombiePeriod: 60_000 };
 * ```
 */
export interface DiscoroNodeOptions {
  /** Server processes (CPU slots); negative leaves that many CPUs unused (default: one per CPU). */
  cpus?: number;
  /** Address the node and its servers listen on (default '127.0.0.1'), or several (each at the same port; the first is advertised unless extHost). */
  host?: string | string[];
  /** Address advertised to peers (NAT). */
  extHost?: string;
  /** TCP port of the node's main process (default 0: ephemeral). */
  port?: number;
  /** Ports for server processes (default: ephemeral ones). */
  serverPorts?: number[];
  /** Node name (default: the host name). Servers are `<name>_proc-<i>`. */
  name?: string;
  /** Working folder: PID file and computations (default `<tmpdir>/asyncoro/discoro/<name>`). */
  destDir?: string;
  /** Largest file a client may send (bytes; default unlimited). */
  maxFileSize?: number;
  /**
   * Folders of packages its computations' jobs may import, besides the node's own `asyncoro` and
   * `pino`: each one where `npm install --prefix DIR` installs (a folder with a `node_modules`),
   * or a `node_modules` folder itself. The first one that has a package wins; a package a
   * computation ships wins over them. Read when a computation is set up.
   */
  modules?: string[];
  /** The most a package tarball a computation ships may unpack to (bytes; default 256 MiB). */
  maxPackageSize?: number;
  secret?: string;
  /** Listen beyond loopback without a secret. */
  insecure?: boolean;
  tls?: { cert: string; key: string; ca?: string };
  /** Computations to serve, then stop (default -1: unlimited). */
  serve?: number;
  /** Daily service window, local `HH:MM` (see ServiceWindow): from start it takes computations... */
  serviceStart?: string;
  /** ...from stop it takes no new ones (those it serves go on)... */
  serviceStop?: string;
  /** ...and at end it closes those it serves (running jobs are terminated and reported). */
  serviceEnd?: string;
  /** @internal For tests: the clock the service window reads (ms since the epoch; default Date.now). */
  now?: () => number;
  /** How often the node checks its clients' pulses and sends its availability (default 10000). */
  pulseInterval?: number;
  /**
   * The longest a client may stay silent (no pulse) before its computation is closed (default
   * 100000): a client asks for its own zombie period and is granted at most this.
   */
  zombiePeriod?: number;
  /** Computations that may wait for slots at once (default 100); each client may have one waiting. */
  maxWaiting?: number;
  /**
   * How often a computation's servers may fail and be restarted (each after a backoff delay that
   * grows with the restarts in the window) before the node gives up and closes the computation:
   * at most `maxRestarts` within `withinMs` (default 10 per server slot within 5000 ms).
   */
  serverRestarts?: { maxRestarts: number; withinMs: number };
  /** Time running jobs get when the node stops (default 5000). */
  gracePeriod?: number;
  /** Remove what a node that crashed left in the working folder. */
  clean?: boolean;
  /** Peers to connect to (`host:port`). */
  peers?: string[];
  /** UDP discovery (default true). */
  discover?: boolean;
  udpPort?: number;
  /** Peer heartbeat and loss detection of the node and its servers (defaults 1000 / 5000). */
  heartbeatInterval?: number;
  peerTimeout?: number;
  /**
   * Server processes kept started and idle, so that a computation's servers start at once
   * (default: one per CPU; 0 forks every server when a computation asks). Each serves one
   * computation only and is removed with it.
   */
  spareServers?: number;
  /** Time a server gets to start and load the components (default 30000). */
  startTimeout?: number;
  /** Level for the servers' loggers (default 'warn'). */
  logLevel?: string;
  logger?: Logger;
  /** Failed jobs the node keeps for its dashboard and `/api/failed-jobs` (default 100, at most 10000; 0: none, each is still logged). */
  failedJobs?: number;
  /**
   * Its web dashboard (none by default; `discoronode` serves one unless `--no-dashboard`): where
   * it listens and the token of its actions. It shows the node's cluster view, the cluster page of
   * the nodes it knows, and answers `/readyz` for the node.
   */
  dashboard?: NodeDashboardOptions;
}

/**
 * Where a node's dashboard listens, and its token (the node supplies its cluster, readiness and title).
 * @example
 * ```ts
 * const dashboard: NodeDashboardOptions = { host: '0.0.0.0', port: 9800, token: process.env.DISCORO_DASHBOARD_TOKEN };
 * ```
 */
export type NodeDashboardOptions = Omit<DashboardOptions, 'cluster' | 'readiness' | 'title'>;

/**
 * The options with their defaults, without the secret and the TLS certificate and key (the node
 * keeps those out of sight and hands them only to its server processes).
 * @example
 * ```ts
 * const o: ResolvedNodeOptions = resolveNodeOptions({ cpus: 1 });
log(o.destDir);
 * ```
 */
export type ResolvedNodeOptions = Required<Omit<DiscoroNodeOptions, 'extHost' | 'secret' | 'tls' | 'maxFileSize' | 'udpPort' | 'serviceStart' | 'serviceStop' | 'serviceEnd' | 'dashboard'>> &
  Pick<DiscoroNodeOptions, 'extHost' | 'maxFileSize' | 'udpPort'> & {
    /** A secret is set (the secret itself is kept out of every options object). */
    hasSecret: boolean;
    /** Undefined: always in service. */
    service: ServiceWindow | undefined;
  };

/**
 * CPUs of this machine.
 * @example
 * ```ts
 * log(`${machineCpus()} CPUs`);
 * ```
 */
export function machineCpus(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

/** The `node_modules` folder of each `modules` entry (absolute); InvalidArgumentError for one that has none. */
function modulesFolders(modules: unknown): string[] {
  if (modules === undefined) return [];
  if (!Array.isArray(modules) || !modules.every((m) => typeof m === 'string' && m.length > 0)) throw new InvalidArgumentError('modules must be a list of folders');
  return modules.map((m: string) => {
    const dir = path.resolve(m);
    const folder = path.basename(dir) === 'node_modules' ? dir : path.join(dir, 'node_modules');
    let isDir = false;
    try {
      isDir = statSync(folder).isDirectory();
    } catch {
      // reported below
    }
    if (!isDir) throw new InvalidArgumentError(`modules folder ${m} has no node_modules folder (install packages there with npm install --prefix ${m} <package>)`);
    return folder;
  });
}

function positive(v: unknown, what: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(`${what} must be a positive number of ms`);
  return v;
}

function maxPackageSize(v: unknown): number {
  if (v === undefined) return 256 * 2 ** 20;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new InvalidArgumentError('maxPackageSize must be a positive number of bytes');
  return v;
}

/**
 * Applies the defaults; InvalidArgumentError for a bad value (e.g. more CPUs than the machine has).
 * @example
 * ```ts
 * const o = resolveNodeOptions({ cpus: -1 }); // one server per CPU but one
 * ```
 */
export function resolveNodeOptions(options: DiscoroNodeOptions): ResolvedNodeOptions {
  const have = machineCpus();
  const c = options.cpus ?? have;
  if (!Number.isInteger(c)) throw new InvalidArgumentError('cpus must be an integer');
  if (c > have) throw new InvalidArgumentError(`cpus ${c} is more than the ${have} of this machine`);
  const cpus = c <= 0 ? have + c : c;
  if (cpus <= 0) throw new InvalidArgumentError(`cpus ${c} leaves no CPU of the ${have} of this machine`);
  const name = options.name ?? os.hostname();
  const serve = options.serve ?? -1;
  if (!Number.isInteger(serve) || serve === 0 || serve < -1) throw new InvalidArgumentError('serve must be a positive integer (or -1: unlimited)');
  const ports = options.serverPorts ?? [];
  if (!Array.isArray(ports) || !ports.every((p) => Number.isInteger(p) && p > 0 && p < 65536)) throw new InvalidArgumentError('server ports must be TCP ports');
  const spareServers = options.spareServers ?? cpus;
  if (!Number.isInteger(spareServers) || spareServers < 0) throw new InvalidArgumentError('spareServers must be a non-negative integer');
  const service = ServiceWindow.from({ start: options.serviceStart, stop: options.serviceStop, end: options.serviceEnd });
  if (options.now !== undefined && typeof options.now !== 'function') throw new InvalidArgumentError('now must be a function returning ms since the epoch');
  const heartbeatInterval = positive(options.heartbeatInterval, 'heartbeatInterval', 1000);
  const maxWaiting = options.maxWaiting ?? 100;
  if (!Number.isInteger(maxWaiting) || maxWaiting < 0) throw new InvalidArgumentError('maxWaiting must be a non-negative integer');
  const failedJobs = options.failedJobs ?? 100;
  if (!Number.isInteger(failedJobs) || failedJobs < 0 || failedJobs > 10_000) throw new InvalidArgumentError('failedJobs must be an integer in 0..10000');
  if (options.dashboard !== undefined && (options.dashboard === null || typeof options.dashboard !== 'object')) throw new InvalidArgumentError('dashboard must be an object of dashboard options');
  const r = options.serverRestarts ?? { maxRestarts: 10 * cpus, withinMs: 5000 };
  if (r === null || typeof r !== 'object' || !Number.isInteger(r.maxRestarts) || r.maxRestarts < 0 || !(typeof r.withinMs === 'number' && r.withinMs > 0)) {
    throw new InvalidArgumentError('serverRestarts must be { maxRestarts: an integer ≥ 0, withinMs: a positive number of ms }');
  }
  return {
    cpus,
    host: options.host ?? '127.0.0.1',
    extHost: options.extHost,
    port: options.port ?? 0,
    serverPorts: ports,
    name,
    destDir: path.resolve(options.destDir ?? path.join(os.tmpdir(), 'asyncoro', 'discoro', name)),
    maxFileSize: options.maxFileSize,
    modules: modulesFolders(options.modules),
    maxPackageSize: maxPackageSize(options.maxPackageSize),
    hasSecret: options.secret !== undefined && options.secret.length > 0,
    insecure: options.insecure ?? false,
    serve,
    service,
    now: options.now ?? Date.now,
    pulseInterval: positive(options.pulseInterval, 'pulseInterval', 10_000),
    zombiePeriod: positive(options.zombiePeriod, 'zombiePeriod', 100_000),
    maxWaiting,
    serverRestarts: { maxRestarts: r.maxRestarts, withinMs: r.withinMs },
    gracePeriod: options.gracePeriod ?? 5000,
    clean: options.clean ?? false,
    peers: options.peers ?? [],
    discover: options.discover ?? true,
    udpPort: options.udpPort,
    heartbeatInterval,
    peerTimeout: positive(options.peerTimeout, 'peerTimeout', Math.max(5000, heartbeatInterval * 3)),
    spareServers,
    startTimeout: positive(options.startTimeout, 'startTimeout', 30_000),
    logLevel: options.logLevel ?? 'warn',
    logger: options.logger ?? silentLogger(),
    failedJobs,
  };
}
