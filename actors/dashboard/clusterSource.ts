/**
 * What the dashboard's cluster view reads and acts on: a `ClusterSource` gives the nodes (with the
 * resources of their last pulse), their servers, the computations and the jobs as plain data,
 * tells when any of it changed, and carries the actions out. discoro implements it from a
 * computation's status stream; anything else that runs jobs on nodes can too.
 * @example
 * ```ts
 * const node: NodeView = { location: '10.0.0.5:9706', name: 'n1', state: 'initialized', enabled: true, cpus: 4, cpuLoad: 12.5, freeMemory: 2 ** 31, totalMemory: 2 ** 33, freeDisk: 2 ** 36, lastPulse: Date.now() };
 * ```
 * @module
 */

/**
 * One node as the cluster view shows it; the resources come from its last pulse (null before one).
 * @example
 * ```ts
 * const idle: NodeView = { location: '10.0.0.5:9706', name: 'n1', state: 'initialized', enabled: true, cpus: 2, cpuLoad: null, freeMemory: null, totalMemory: null, freeDisk: null, lastPulse: null };
 * ```
 */
export interface NodeView {
  /** `host:port`: the node's identity in actions (`disableNode(location)`). */
  location: string;
  name: string;
  /** What the source says of it: `discovered`, `initialized`, `waiting`, `closed`, `disconnected`, `failed`... */
  state: string;
  /** False once disabled: it takes no new jobs. */
  enabled: boolean;
  /** Server slots. */
  cpus: number;
  /** One-minute load average over the CPU count, in percent. */
  cpuLoad: number | null;
  /** Bytes. */
  freeMemory: number | null;
  /** Bytes (null if the source does not know it). */
  totalMemory: number | null;
  /** Free disk below the node's working folder, bytes. */
  freeDisk: number | null;
  /** When its last pulse arrived, ms since the epoch. */
  lastPulse: number | null;
  /** Its own dashboard's address, when it serves one and the source knows it (the cluster page links to it). */
  dashboard?: string | null;
  /** Computations it serves now, when the source knows. */
  computations?: number | null;
  /** Its jobs running, done and failed, when the source knows them (else the page counts the running ones it sees). */
  jobs?: { running: number; done: number; failed: number } | null;
  /** True for the node whose source this is (a node's own view of itself). */
  self?: boolean;
}

/**
 * One server process of a node.
 * @example
 * ```ts
 * const s: ServerView = { location: '10.0.0.5:9707', node: '10.0.0.5:9706', pid: 4242, index: 1, state: 'initialized', enabled: true };
 * ```
 */
export interface ServerView {
  /** `host:port`: the server's identity in actions and the `server` of its jobs. */
  location: string;
  /** The location of its node. */
  node: string;
  pid: number;
  /** 1..cpus on its node. */
  index: number;
  /** `initialized`, `closed`, `disconnected`... */
  state: string;
  enabled: boolean;
}

/**
 * One computation (a set of jobs sharing components and nodes).
 * @example
 * ```ts
 * const c: ComputationView = { id: 'c-1', name: 'render', state: 'scheduled' };
 * ```
 */
export interface ComputationView {
  /** Its identity in actions (`closeComputation(id)`) and the `computation` of its jobs. */
  id: string;
  name: string;
  /** `scheduled`, `closed`... */
  state: string;
  /** Whose it is: its client's address, when the source knows (a node does). */
  client?: string;
}

/**
 * Where a job is: `failed` threw, `terminated` was stopped, `abandoned` lost its server.
 * @example
 * ```ts
 * const ended = (s: JobState): boolean => s !== 'running';
 * ```
 */
export type JobState = 'running' | 'done' | 'failed' | 'terminated' | 'abandoned';

/**
 * One job. The source lists the running ones and may keep ended ones for a while.
 * @example
 * ```ts
 * const j: JobView = { id: 'j-7', fn: 'render', args: [7, { quality: 'high' }], server: '10.0.0.5:9707', node: '10.0.0.5:9706', computation: 'c-1', state: 'running', startTime: Date.now(), endTime: null };
 * ```
 */
export interface JobView {
  /** Its identity in actions (`terminateJob(id)`). */
  id: string;
  /** The function's name ('' for an anonymous one). */
  fn: string;
  /** Its arguments; the dashboard shows a bounded JSON preview of them, which the page can hide. */
  args: readonly unknown[];
  /** The preview itself, when the source has only that (`args` is then ignored). */
  argsPreview?: string;
  /** The location of the server running it. */
  server: string;
  /** The location of that server's node. */
  node: string;
  /** The id of its computation. */
  computation: string;
  state: JobState;
  /** ms since the epoch. */
  startTime: number;
  /** When it ended, ms since the epoch (null while it runs). */
  endTime: number | null;
}

/**
 * Jobs by state since the source began: `failed` counts failed, terminated and abandoned jobs.
 * @example
 * ```ts
 * const c: JobCounts = { submitted: 10, running: 2, done: 7, failed: 1 };
 * ```
 */
export interface JobCounts {
  submitted: number;
  running: number;
  done: number;
  failed: number;
}

/**
 * A job that failed (threw), as the source keeps it: the error with its stack (from where the job
 * ran), a preview of the arguments, where and when it ran. `seq` grows with each failure the
 * source records, so that a reader can tell the new ones.
 * @example
 * ```ts
 * const f: FailedJobView = {
 *   seq: 1, id: '17@10.0.0.5:9707', fn: 'render', argsPreview: '[7]', server: '10.0.0.5:9707', node: '10.0.0.5:9706',
 *   computation: 'c-1', computationName: 'frames', error: { name: 'RangeError', message: 'bad frame 7', stack: 'RangeError: bad frame 7\n    at render (...)' },
 *   startTime: Date.now() - 20, endTime: Date.now(),
 * };
 * ```
 */
export interface FailedJobView {
  seq: number;
  /** The job's id (as in JobView). */
  id: string;
  fn: string;
  argsPreview: string;
  server: string;
  node: string;
  /** The id of its computation, and its name. */
  computation: string;
  computationName: string;
  error: { name: string; code?: string; message: string; stack: string };
  /** ms since the epoch. */
  startTime: number;
  endTime: number;
}

/**
 * The result of an action: true when done, false when the source knows no such job, computation,
 * node or server (the dashboard answers 404). A source that fails throws (the dashboard answers 500).
 * @example
 * ```ts
 * const r: ActionResult = Promise.resolve(true);
 * ```
 */
export type ActionResult = boolean | Promise<boolean>;

/**
 * The cluster behind the dashboard's cluster view. Reads are synchronous and cheap (the
 * dashboard calls them on every change); `subscribe` calls its listener after anything changed
 * (a pulse, a job created or ended, a server closed...), and returns the function that unsubscribes.
 * @example
 * ```ts
 * const cluster: ClusterSource = {
 *   nodes: () => [], servers: () => [], computations: () => [], jobs: () => [],
 *   counts: () => ({ submitted: 0, running: 0, done: 0, failed: 0 }),
 *   subscribe: (_listener) => () => {},
 *   terminateJob: (_id) => false, closeComputation: (_id) => false,
 *   enableNode: (_loc) => false, disableNode: (_loc) => false, enableServer: (_loc) => false, disableServer: (_loc) => false,
 * };
 * ```
 */
export interface ClusterSource {
  nodes(): readonly NodeView[];
  servers(): readonly ServerView[];
  computations(): readonly ComputationView[];
  jobs(): readonly JobView[];
  counts(): JobCounts;
  subscribe(listener: () => void): () => void;
  /** The last failed jobs it keeps, oldest first (optional: a source without it shows no history). */
  failedJobs?(): readonly FailedJobView[];
  /** Every node it knows, itself included, for the cluster page (optional: without it the page lists `nodes()`). */
  clusterNodes?(): readonly NodeView[];
  terminateJob(id: string): ActionResult;
  closeComputation(id: string): ActionResult;
  enableNode(location: string): ActionResult;
  disableNode(location: string): ActionResult;
  enableServer(location: string): ActionResult;
  disableServer(location: string): ActionResult;
}
