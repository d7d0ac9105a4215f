/**
 * The types of a discoro computation that its parts share: its options, a job's options and
 * function, and what the node handling and job starting need of the computation.
 * @module
 */
import type { MonitorTarget } from '../../../runtime/Coro.js';
import type { ActingWaitOptions } from '../../../runtime/coroTypes.js';
import type { Scheduler } from '../../../runtime/Scheduler.js';
import type { Location } from '../../../transports/net/Location.js';
import type { NetworkOptions } from '../../../transports/net/peerOptions.js';
import type { Network } from '../../remote/Network.js';
import type { Component, ResolvedComponents } from './components.js';
import type { DiscoroStatus } from './discoroStatus.js';
import type { NodeAllocation } from './nodeAllocation.js';
import type { PoolServer, ServerPool } from './ServerPool.js';

/**
 * A job's function: the name of a function a component exports (or a shipped function's name),
 * or a self-contained function (its source travels with the job unless a component exports a
 * function of that name). It is called with the job's coroutine, then the job's arguments.
 * @example
 * ```ts
 * const byName: JobFunction = 'compute';
 * const shipped: JobFunction = async (coro: unknown, n: number) => n * n;
 * ```
 */
export type JobFunction = string | ((coro: any, ...args: any[]) => unknown);

/**
 * Options of a Computation. Durations in ms.
 * @example
 * ```ts
 * const options: ComputationOptions = { components: ['./work.js'], nodes: ['127.0.0.1:9706'], secret: 'shared' };
 * ```
 */
export interface ComputationOptions {
  /** ES module files (imported by every server), data files, folders, self-contained functions. */
  components: Component[];
  /** What dashboards call it (default: its components' names). */
  name?: string;
  /** Nodes to use (`host:port`); with `discover`, also the nodes that appear on the network. */
  nodes?: Array<string | Location>;
  /** Also use discoronodes that become peers (default: true when no `nodes` are given). */
  discover?: boolean;
  /** Receives every DiscoroStatus (a coroutine, or anything with `send`). */
  status?: MonitorTarget;
  nodeAllocations?: NodeAllocation[];
  /**
   * Hold each node at `node-discovered` (its slots reserved) until `enableNode(node, ...setupArgs)`;
   * meanwhile the client may send it files (`net.sendFile(node, file, { dir: computation.id })`).
   */
  disableNodes?: boolean;
  /**
   * Hold each server at `server-discovered` until `enableServer(location, ...setupArgs)`, which
   * runs its `serverSetup` with those arguments.
   */
  disableServers?: boolean;
  /** Run once per node before its servers start; must return 0 or undefined. */
  nodeSetup?: { fn: JobFunction; args?: unknown[] };
  /** Run in each server before it takes jobs; must return 0 or undefined. */
  serverSetup?: { fn: JobFunction; args?: unknown[] };
  /** How often the client tells its nodes it is alive (default 10000). */
  pulseInterval?: number;
  /** A node closes the computation after this long without a pulse (default 10 × pulseInterval). */
  zombiePeriod?: number;
  /** Time a node gets to start its servers (default 30000). */
  setupTimeout?: number;
  /**
   * A CPU job is sent to a busy server, to wait there for its turn, while that server's CPU jobs
   * take less than this (ms, as the client sees them; default 5, 0: never). Tiny jobs then do not
   * wait a round trip between each other; longer ones never queue behind another.
   */
  sendAheadBelow?: number;
  /** Scheduler of the client (default: the default scheduler). */
  scheduler?: Scheduler;
  /** Networking to use when the scheduler has none yet (it is started at schedule() and stopped at close()). */
  network?: NetworkOptions;
  /** Shorthand for `network.secret` (anything that takes). The computation keeps it where nothing prints it. */
  secret?: NonNullable<NetworkOptions['secret']>;
}

/**
 * Options of one job.
 * @example
 * ```ts
 * const options: JobOptions = { where: '127.0.0.1:9707', cpu: false, timeout: 5000 };
 * ```
 */
export interface JobOptions extends ActingWaitOptions {
  /** A node (`host` or `host:port`) or a server (`host:port`); default: the least loaded. */
  where?: string;
  /** CPU job (default true): at most one per server, waits for a free one. False: an async job. */
  cpu?: boolean;
}

/**
 * Options of `schedule()`: its wait, and which servers it waits for: `'all'` (default) those of
 * every node found (nodes that failed, wait for slots or are held aside), `'first'` the first one.
 * @example
 * ```ts
 * const options: ScheduleOptions = { timeout: 30_000, servers: 'first' };
 * ```
 */
export interface ScheduleOptions extends ActingWaitOptions {
  servers?: 'first' | 'all';
}

/**
 * A job of a computation as the computation sees it: whether it is a CPU job, whether it still
 * runs (or starts), and how to give up on it.
 * @example
 * ```ts
 * const run: ComputationRun = { cpu: true, isLive: true, cancel: () => undefined };
 * ```
 */
export interface ComputationRun {
  readonly cpu: boolean;
  readonly isLive: boolean;
  /** Terminated if it runs, or as soon as it starts. */
  cancel(): void;
}

/**
 * What the parts of a computation (its nodes, its jobs) use of it.
 * @example
 * ```ts
 * const core: ComputationCore = obj; // a Computation
 * core.publish({ kind: 'computation-scheduled', id: core.id });
 * ```
 */
export interface ComputationCore {
  readonly id: string;
  readonly options: Readonly<ComputationOptions>;
  readonly scheduler: Scheduler;
  readonly pulseInterval: number;
  readonly zombiePeriod: number;
  readonly components: ResolvedComponents;
  readonly pool: ServerPool;
  readonly net: Network | undefined;
  /** Its jobs started and not ended (their starts may be in flight). */
  readonly runs: Set<ComputationRun>;
  readonly isScheduled: boolean;
  publish(s: DiscoroStatus): void;
  serverReady(): void;
  /** Its nodes' states changed (schedule() may be waiting for them to settle). */
  nodesChanged(): void;
  /** A job ended, or was refused (close() waits for its jobs). */
  jobEnded(): void;
  scheduleFailed(error: Error): void;
  /** A server is lost (however that was seen): it takes no more jobs, its jobs end with ServerLostError. */
  serverLost(server: PoolServer, reason: string): void;
}
