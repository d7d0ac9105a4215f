/**
 * What a discoro client, a discoronode and its server processes say to each other: the request
 * types between a client and a node (over the peer network, so authenticated and CBOR-encoded),
 * the events a node posts to a client, and the messages between a node and the server processes
 * it forks (over the IPC channel of `child_process.fork`).
 * @module
 */
import type { ShippedPackage } from './shippedPackages.js';

/**
 * Request types a node serves (client → node).
 * @example
 * ```ts
 * await net.request('127.0.0.1:9706', NodeRequests.info, [], { timeout: 5000 });
 * ```
 */
export const NodeRequests = {
  /** `[]` → NodeInfo. */
  info: 'discoro-info',
  /**
   * `[computationId, cpusWanted, zombiePeriod | null, name?]` (`name`: what the node's dashboard
   * and logs call the computation, at most 100 characters) → `{ granted, zombiePeriod }` or
   * `{ queued, zombiePeriod }` (its place in the queue, 1 first); `zombiePeriod` is the one granted:
   * the one asked for (null: the node's), at most the node's `--zombie-period`. Asked again by its
   * owner, the same answer. Refused with NotComputationOwnerError (the id is another client's),
   * WaitingLimitError (the client has one waiting already, or the queue is full),
   * OutOfServiceError, ComputationClosedError (stopping, `--serve` reached), InvalidArgumentError.
   */
  reserve: 'discoro-reserve',
  /**
   * `[computationId, ComputationManifest]` → ServerInfo[] once every server is ready (throws
   * ComponentError/SetupFailedError); from the client that reserved it only (NotComputationOwnerError).
   */
  setup: 'discoro-setup',
  /** `[computationId]`, one-way: the client is alive (as a request: `null`, or NotComputationOwnerError). */
  pulse: 'discoro-pulse',
  /** `[computationId]` → true once its servers and files are gone (or its waiting reservation dropped); owner only. */
  close: 'discoro-close',
} as const;

/**
 * The one-way request type a client serves (node → client): `[computationId, NodeEvent]`.
 * @example
 * ```ts
 * net.post('127.0.0.1:9706', CLIENT_EVENT, ['c-1', { kind: 'closed', reason: 'zombie' }]);
 * ```
 */
export const CLIENT_EVENT = 'discoro-event';

/**
 * Request types a server serves, to the client of its computation only (anyone else gets
 * NotComputationOwnerError). A job's outcome comes back as `exited [watchId, MonitorStatus]` of the
 * coroutine layer, and the server writes it after its reply to `run`: the reply always comes first.
 * @example
 * ```ts
 * const id = await peer.request(ServerRequests.run, [{ name: 'compute' }, net.codec.encode([1, 2]), true, watchId]);
 * ```
 */
export const ServerRequests = {
  /**
   * `[fn: JobFunctionRef, args: bytes (the CBOR of the argument list, encoded once by the client), cpu: boolean, watchId: number]`
   * → the id of the job's coroutine there (named JOB_CORO_NAME). Refused with UnknownJobFunctionError,
   * ComponentError (a shipped function that does not compile), InvalidArgumentError (arguments
   * that are not a CBOR list), ComputationClosedError (the server is closing).
   */
  run: 'discoro-run',
} as const;

/**
 * The name of every job's coroutine on a server (with its id, what a reference to it needs).
 * @example
 * ```ts
 * const isJob = (coro: { name: string }): boolean => coro.name === JOB_CORO_NAME;
 * ```
 */
export const JOB_CORO_NAME = 'discoro-job';

/**
 * The RCI name a server registers, with `setupOnEnable`, to run its setup when the client enables it.
 * @example
 * ```ts
 * setupRciName('c-1f2e'); // 'discoro-setup:c-1f2e'
 * ```
 */
export function setupRciName(computationId: string): string {
  return `discoro-setup:${computationId}`;
}

/**
 * What a node says about itself.
 * @example
 * ```ts
 * const info = (await net.request('127.0.0.1:9706', NodeRequests.info, [])) as NodeInfo;
 * ```
 */
export interface NodeInfo {
  /** The node's name (`--name`). */
  name: string;
  /** `host:port` of the node's main process. */
  location: string;
  /** Server slots (`--cpus`). */
  cpus: number;
  /** Slots no computation holds now. */
  freeCpus: number;
  /** `os.platform()`-`os.arch()` and the host name, as `linux-x64 (host)`. */
  platform: string;
  host: string;
  /** Its service window and `--serve` limit in words ('serving until 18:00', 'outside service window, next start 08:00', 'in service'). */
  service: string;
  avail: NodeAvailability;
  /** Where its dashboard is (absent: it serves none). */
  dashboard?: string;
  /** `serving`, `disabled` (by its operator), `out of service` (its window, `--serve` done) or `stopping`. */
  state?: 'serving' | 'disabled' | 'out of service' | 'stopping';
  /** Computations it serves now, and waiting for slots. */
  computations?: number;
  waiting?: number;
  /** Jobs running now, and done and failed so far, on its servers. */
  jobs?: { running: number; done: number; failed: number };
}

/**
 * A node's resources, sent with every pulse (from node:os and fs.statfs).
 * @example
 * ```ts
 * const avail: NodeAvailability = { location: '127.0.0.1:9706', cpuLoad: 12.5, freeMemory: 2 ** 30, freeDisk: undefined };
 * ```
 */
export interface NodeAvailability {
  /** Node location (`host:port`). */
  location: string;
  /** One-minute load average over the CPU count, in percent. */
  cpuLoad: number;
  /** Free memory, bytes. */
  freeMemory: number;
  /** Free disk below the node's working folder, bytes (undefined if statfs failed). */
  freeDisk: number | undefined;
  /** Total memory, bytes (absent from nodes of earlier versions). */
  totalMemory?: number;
}

/**
 * One server process of a computation on a node.
 * @example
 * ```ts
 * const server: ServerInfo = { location: '127.0.0.1:9707', node: '127.0.0.1:9706', pid: 4242, index: 1 };
 * ```
 */
export interface ServerInfo {
  /** `host:port` the server listens on. */
  location: string;
  /** The node's location. */
  node: string;
  pid: number;
  /** Index of the server on its node (1..cpus). */
  index: number;
}

/**
 * A function shipped as source text.
 * @example
 * ```ts
 * const shipped: ShippedFunction = { name: 'square', source: '(coro, x) => x * x' };
 * ```
 */
export interface ShippedFunction {
  name: string;
  source: string;
}

/**
 * How a job names its function: a name exported by a component, or a shipped function.
 * @example
 * ```ts
 * const byName: JobFunctionRef = { name: 'compute' };
 * ```
 */
export type JobFunctionRef = { name: string; source?: string };

/**
 * What a node needs to start a computation's servers (files were sent before).
 * @example
 * ```ts
 * const manifest: ComputationManifest = { modules: ['work.mjs'], sources: [] };
 * ```
 */
export interface ComputationManifest {
  /** Module paths (relative to the computation folder) each server imports, in order. */
  modules: string[];
  /** Functions shipped as source, compiled in each server. */
  sources: ShippedFunction[];
  /** Run in each server before it takes jobs; must return 0 or undefined. */
  serverSetup?: { fn: JobFunctionRef; args: unknown[] };
  /** Run the server setup only when the client enables the server (through `setupRciName`), with its arguments. */
  setupOnEnable?: boolean;
  /** Run once per node, in a short-lived process, before the servers start. */
  nodeSetup?: { fn: JobFunctionRef; args: unknown[] };
  /** Packages shipped for its jobs, installed in `PACKAGES_DIR` by the node before anything imports (absent: none). */
  packages?: ShippedPackage[];
}

/**
 * What a node posts to a client about one of its computations.
 * @example
 * ```ts
 * const e: NodeEvent = { kind: 'granted', cpus: 2 };
 * ```
 */
export type NodeEvent =
  | { kind: 'granted'; cpus: number }
  | { kind: 'server-lost'; server: ServerInfo; reason: string }
  | { kind: 'server-up'; server: ServerInfo }
  | { kind: 'avail'; avail: NodeAvailability }
  /** Its service window changed (stopped: it serves this computation but takes no new ones). */
  | { kind: 'service'; service: string }
  /** The node closes the computation gracefully: place no new jobs there; running ones finish. */
  | { kind: 'closing'; reason: string }
  /** The node's own dashboard held (or released) one of its servers, or the whole node when `server` is absent: no new jobs there. */
  | { kind: 'held'; server?: string; held: boolean }
  /** A server closed itself (a job called `closeServer`), its jobs all ended: it is gone, not lost. */
  | { kind: 'server-closed'; server: ServerInfo }
  | { kind: 'closed'; reason: string };

/**
 * Node → server over IPC.
 * @example
 * ```ts
 * const close: ToServer = { type: 'close', grace: 5000 };
 * ```
 */
export type ToServer =
  | {
      type: 'start';
      computationId: string;
      mode: 'server' | 'node-setup';
      index: number;
      nodeName: string;
      /** The computation folder (components are below it); the server works in `<folder>/server-<index>`. */
      folder: string;
      /**
       * The client that owns the computation, as the node's peer network knows it: the only peer
       * whose job requests, terminations, monitors and file transfers the server serves.
       */
      client: { location: string; incarnation: string };
      manifest: ComputationManifest;
      network: {
        /** Every address the node listens on. */
        host: string | string[];
        port: number;
        extHost?: string;
        secret?: string;
        insecure?: boolean;
        tls?: { cert: string; key: string; ca?: string };
        heartbeatInterval: number;
        peerTimeout: number;
        maxFileSize?: number;
      };
      logLevel: string;
    }
  | { type: 'close'; grace: number }
  /** Terminate the job running as coroutine `job`; answered by `terminated` with the same `ref`. */
  | { type: 'terminate'; ref: number; job: number };

/**
 * A job running on a server, as the server reports it to its node (see JobReport).
 * @example
 * ```ts
 * const j: RunningJob = { id: 17, fn: 'compute', args: '[3,250]', startTime: Date.now() };
 * ```
 */
export interface RunningJob {
  /** The id of the job's coroutine in its server. */
  id: number;
  fn: string;
  /** A bounded JSON preview of its arguments. */
  args: string;
  /** ms since the epoch. */
  startTime: number;
}

/**
 * A job that threw, as its server reports it to its node (in a JobReport): its error with the
 * stack from the server (causes appended), a preview of its arguments, and when it ran. A job that
 * was terminated is not one.
 * @example
 * ```ts
 * const f: JobFailure = { id: 17, fn: 'compute', args: '[3]', error: { name: 'RangeError', message: 'n < 0', stack: 'RangeError: n < 0\n    at compute (...)' }, startTime: 1, endTime: 2 };
 * ```
 */
export interface JobFailure {
  /** The id of the job's coroutine in its server. */
  id: number;
  fn: string;
  /** A bounded JSON preview of its arguments. */
  args: string;
  /** `stack` at most a few KiB, `message` at most 1 KiB. */
  error: { name: string; code?: string; message: string; stack: string };
  /** ms since the epoch. */
  startTime: number;
  endTime: number;
}

/**
 * What a server tells its node about its jobs, at most every few tens of ms and only after a
 * change: the running count and totals since it started, the running jobs (at most
 * `RUNNING_JOBS_LISTED`; `running` may be more) and the jobs that failed since the last report
 * (at most `FAILURES_LISTED` of them; `failuresDropped` counts the rest).
 * @example
 * ```ts
 * const r: JobReport = { type: 'jobs', running: 1, done: 41, failed: 2, jobs: [{ id: 17, fn: 'compute', args: '[3]', startTime: Date.now() }] };
 * ```
 */
export interface JobReport {
  type: 'jobs';
  running: number;
  /** Jobs that returned a value. */
  done: number;
  /** Jobs that threw or were terminated. */
  failed: number;
  jobs: RunningJob[];
  /** Jobs that threw since the previous report. */
  failures?: JobFailure[];
  /** Failures since the previous report beyond those listed. */
  failuresDropped?: number;
}

/**
 * Server → node over IPC.
 * @example
 * ```ts
 * const ready: FromServer = { type: 'ready', location: '127.0.0.1:9707' };
 * ```
 */
export type FromServer =
  | { type: 'loaded' }
  | { type: 'ready'; location: string }
  | { type: 'setup-done' }
  | { type: 'failed'; code: string; message: string }
  | JobReport
  | { type: 'terminated'; ref: number; found: boolean }
  /** A job asked its server to close (`closeServer`): it takes no new job; `restart`: a fresh server should take its place. */
  | { type: 'retiring'; restart: boolean }
  /** The closing server's jobs have all ended (their outcomes sent): it waits for the node's `close` to exit. */
  | { type: 'retired' };

/**
 * What a job function gets as `this` on its server (a function declared with `function`, not an
 * arrow function): where it runs, memory that the jobs of this server process share (its server
 * setup's too), and `closeServer`, pycos's `dispycos_close_server`.
 * @example
 * ```ts
 * function checksum(this: JobContext, _coro: unknown, file: string): string {
 *   const data = this.memory.get(file) as string;
 *   this.closeServer({ restart: true }); // once this job (and any other running here) ends
 *   return `${file}: ${data.length}`;
 * }
 * ```
 */
export interface JobContext {
  /** `host:port` of this server. */
  readonly server: string;
  /** Its node's name, and its index there (1..cpus). */
  readonly node: string;
  readonly index: number;
  /** The computation's id. */
  readonly computation: string;
  /** Memory of this server process, shared by its jobs and its setup, gone with the process. */
  readonly memory: Map<string, unknown>;
  /**
   * Closes this server once its running jobs have ended (their results reach the client); it
   * takes no new job meanwhile (its client is told at once). With `restart`, the node starts a
   * fresh server process in its place (`server-closed`, then `server-initialized` at the client);
   * without, the slot stays empty until the computation closes.
   */
  closeServer(options?: { restart?: boolean }): void;
}

/**
 * A job's id in the cluster views: its coroutine's id at its server, as the node's view names it too.
 * @example
 * ```ts
 * jobId(17, '127.0.0.1:9707'); // '17@127.0.0.1:9707'
 * ```
 */
export function jobId(coroId: number, server: string): string {
  return `${coroId}@${server}`;
}
