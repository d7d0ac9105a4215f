/**
 * A discoro computation, from its client: components shipped to discoronodes, one server
 * process per CPU slot there, and jobs (coroutines running a component's function) on them.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { ActingWaitOptions } from '../../../runtime/coroTypes.js';
import { checkWaitOptions } from '../../../runtime/options.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import type { Scheduler } from '../../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../../runtime/Wait.js';
import { WaiterQueue } from '../../../runtime/WaiterQueue.js';
import type { Network } from '../../remote/Network.js';
import { ComputationClosedError, ServerLostError } from '../../actorErrors.js';
import type { ResolvedComponents } from './components.js';
import { resolveComputationOptions } from './computationOptions.js';
import { joinNetwork, type NetworkHold } from './computationNetwork.js';
import type { ServerInfo } from '../protocol.js';
import { StatusFeed, type DiscoroStatus, type StatusOptions } from './discoroStatus.js';
import { ComputationNodes } from './ComputationNodes.js';
import { ComputationCluster } from './ComputationCluster.js';
import { ComputationJobs } from './ComputationJobs.js';
import { ServerPool, type PoolServer } from './ServerPool.js';
import type { ComputationCore, ComputationOptions, ComputationRun, ScheduleOptions } from './computationTypes.js';
import type { UntypedJobs } from './jobTypes.js';

export type { ComputationOptions, JobFunction, JobOptions, ScheduleOptions } from './computationTypes.js';
export type { RunResultsOptions } from './jobResults.js';
export type { BatchItem, JobArgs, JobFn, JobName, JobValue, LooseJobName, UntypedJobs } from './jobTypes.js';

/**
 * A computation. `M`, its component map (`typeof import('./jobs.js')`), types the jobs named by
 * a string; without one, any name is taken with any arguments.
 * @example
 * ```ts
 * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'], secret: 'shared' });
 * if (await computation.schedule({ timeout: 30_000 })) {
 *   log(await computation.runResults('compute', [[1], [2], [3]]));
 *   await computation.close();
 * }
 * ```
 */
// Structurally a ComputationCore (its parts take `this` as one); not declared, so that the published
// declarations, which strip the internal members, stay consistent.
export class Computation<M extends object = UntypedJobs> extends ComputationJobs<M> implements AsyncDisposable {
  /** Its id on every node. */
  readonly id = `c-${randomBytes(8).toString('hex')}`;
  readonly scheduler: Scheduler;
  readonly pulseInterval: number;
  readonly zombiePeriod: number;
  /** Its options as given, without the secret (kept where nothing prints it). */
  readonly options: Readonly<ComputationOptions>;
  /** @internal */ readonly feed: StatusFeed;
  /** @internal */ readonly pool: ServerPool;
  /** @internal */ net: Network | undefined;
  /** @internal */ readonly components: ResolvedComponents;
  /** @internal Its jobs started and not ended (their starts may be in flight). */
  readonly runs = new Set<ComputationRun>();
  readonly #secret: NonNullable<ComputationOptions['network']>['secret'];
  private state: 'new' | 'scheduling' | 'scheduled' | 'closing' | 'closed' = 'new';
  private network: NetworkHold | undefined;
  /** Why it closed while scheduling (schedule() rejects with it). */
  private failure: Error | undefined;
  /** schedule() calls waiting for a first server, and for the initial servers (`servers: 'all'`). */
  private readonly scheduledWaiters = new WaiterQueue();
  private readonly settledWaiters = new WaiterQueue();
  private readonly nodeSet: ComputationNodes;
  /** close() waits here for jobs to end. */
  private readonly endWaiters = new WaiterQueue();
  private closed: Promise<void> | undefined;
  /** A second close({ terminate: true }) cuts the wait of the first short. */
  private terminateNow = false;
  private cluster: ComputationCluster | undefined;

  constructor(options: ComputationOptions) {
    super();
    const r = resolveComputationOptions(options);
    this.options = r.options;
    this.#secret = r.secret;
    this.components = r.components;
    this.scheduler = r.scheduler;
    this.pulseInterval = r.pulseInterval;
    this.zombiePeriod = r.zombiePeriod;
    this.pool = new ServerPool(this.scheduler, r.sendAheadBelow);
    this.feed = new StatusFeed(this.scheduler);
    this.nodeSet = new ComputationNodes(this);
  }

  /** True between a successful schedule() and close(). */
  get isScheduled(): boolean {
    return this.state === 'scheduled';
  }

  /**
   * Status messages from now on, until the computation closes. An iterator keeps at most `limit`
   * statuses it was not read yet (default 10,000; Infinity: all); beyond that the oldest are
   * dropped, and the next read gives `{ kind: 'statuses-dropped', count }` first.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * for await (const s of computation.status()) if (s.kind === 'job-finished') log(s.value);
   * ```
   */
  status(options?: StatusOptions): AsyncIterableIterator<DiscoroStatus> {
    return this.feed.iterate(options);
  }

  /** @internal Publishes a status message. */
  publish(s: DiscoroStatus): void {
    this.options.status?.send(s);
    this.cluster?.observe(s);
    this.feed.publish(s);
  }

  /**
   * Reserves its nodes, ships its components and starts its servers. With `servers: 'all'` (the
   * default) resolves true once the servers of every node it found are up (nodes that failed,
   * wait for slots or are held by `disableNodes` aside), so that jobs submitted next spread over
   * all of them; with `'first'`, once a first server is ready (the others go on starting). At the
   * timeout: true if a first server is up, else false. Rejects when no node can be used
   * (AuthenticationError, PeerUnreachableError, ComponentError naming the component and node,
   * SetupFailedError...), once the computation has closed and let go of what it took (its
   * network, if it started it): a new Computation starts afresh.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * if (!(await computation.schedule({ timeout: 10_000 }))) log('no server within 10 s');
   * ```
   */
  async schedule(options?: ScheduleOptions): Promise<boolean> {
    const timeout = checkWaitOptions(options);
    const servers = options?.servers ?? 'all';
    if (servers !== 'all' && servers !== 'first') throw new InvalidArgumentError(`servers must be 'first' or 'all', got ${String(servers).slice(0, 40)}`);
    if (this.state === 'closing' || this.state === 'closed') throw new ComputationClosedError(`computation ${this.id} is closed${this.failure === undefined ? '' : `: its schedule failed (${this.failure.message})`}`, this.failure === undefined ? undefined : { cause: this.failure });
    if (this.state === 'scheduled' && (servers === 'first' || !this.nodeSet.settling())) return true;
    if (this.state === 'new') {
      this.state = 'scheduling';
      const discover = this.options.discover ?? (this.options.nodes ?? []).length === 0;
      try {
        this.network = await joinNetwork(this.scheduler, this.id, this.options.network, this.#secret, discover);
      } catch (err) {
        this.state = 'new';
        throw err;
      }
      this.net = this.network.net;
      this.nodeSet.start(this.net, this.options.nodes ?? [], discover);
    }
    const wait = new Wait<boolean>(this.scheduler, this.scheduler.actor(options?.coro), WaitKind.Other);
    wait.alarm = false;
    (servers === 'all' ? this.settledWaiters : this.scheduledWaiters).push(wait);
    const p = wait.start(timeout, options?.signal);
    this.nodeSet.checkFailed();
    return (await p) || this.state === 'scheduled';
  }

  /** @internal A first server is ready. */
  serverReady(): void {
    if (this.state !== 'scheduling') return;
    this.state = 'scheduled';
    this.publish({ kind: 'computation-scheduled', id: this.id });
    for (const w of this.scheduledWaiters.drain()) w.wake(true);
    this.nodesChanged();
  }

  /** @internal Its nodes' states changed: the initial servers may all be up. */
  nodesChanged(): void {
    if (this.state === 'scheduled' && this.settledWaiters.length > 0 && !this.nodeSet.settling()) for (const w of this.settledWaiters.drain()) w.wake(true);
  }

  /** @internal Every node failed: the computation closes, then schedule() rejects with `error`. */
  scheduleFailed(error: Error): void {
    if (this.state !== 'scheduling') return;
    this.failure = error;
    void this.close({ terminate: true }).catch(() => undefined);
  }

  /** @internal */
  protected jobCore(scheduled: boolean): ComputationCore {
    const closed = this.state === 'closing' || this.state === 'closed';
    if (closed || (scheduled && this.state !== 'scheduled')) throw new ComputationClosedError(`computation ${this.id} is ${closed ? 'closed' : 'not scheduled'}`);
    return this;
  }

  /** @internal A job ended (or was refused). */
  jobEnded(): void {
    if (this.endWaiters.length > 0) for (const w of this.endWaiters.drain()) w.wake(true);
  }

  /** @internal A server is lost: it takes no more jobs, and each of its jobs ends with ServerLostError. */
  serverLost(server: PoolServer, reason: string): void {
    if (this.pool.lose(server, (s) => new ServerLostError(`server ${s.info.location} was lost: ${reason}`))) {
      this.publish({ kind: 'server-disconnected', server: server.info, reason });
    }
  }

  /**
   * Nodes with servers of this computation (`host:port` of each node).
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * log(computation.nodes());
   * ```
   */
  nodes(): string[] {
    return [...new Set([...this.pool.servers.values()].map((s) => s.info.node))];
  }

  /** Its servers now. */
  servers(): ServerInfo[] {
    return [...this.pool.servers.values()].map((s) => s.info);
  }

  /** Takes no more jobs at `node` (`host:port`); false when the computation knows no such node (it is held anyway, should it appear). */
  disableNode(node: string): boolean {
    this.pool.setNodeEnabled(node, false);
    return this.knowsNode(node);
  }

  /**
   * Takes jobs at `node` again; a node held by `disableNodes` is set up now, its node setup
   * getting `setupArgs` (when given) instead of the `nodeSetup.args`.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], disableNodes: true });
   * for await (const s of computation.status()) if (s.kind === 'node-discovered') computation.enableNode(s.node.location, 'data-1.csv');
   * ```
   */
  enableNode(node: string, ...setupArgs: unknown[]): boolean {
    this.pool.setNodeEnabled(node, true);
    this.nodeSet.enable(node, setupArgs.length > 0 ? setupArgs : undefined);
    return this.knowsNode(node);
  }

  private knowsNode(node: string): boolean {
    return this.nodeSet.has(node) || this.pool.ofNode(node).length > 0;
  }

  /**
   * The computation as the dashboard's cluster view sees it (created at the first call, kept
   * after): its nodes with their pulses, servers, jobs and counts, and the actions. Ask for it
   * before schedule() to see everything from the start.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * const dash = await serveDashboard(computation.scheduler, { cluster: computation.clusterSource() });
   * ```
   */
  clusterSource(): ComputationCluster {
    return (this.cluster ??= new ComputationCluster(this));
  }

  /** Takes no more jobs at a server / takes them again; false for an unknown server. */
  disableServer(location: string): boolean {
    return this.pool.setServerEnabled(location, false);
  }
  /**
   * Takes jobs at a server again; a server held by `disableServers` runs its server setup first
   * (with `setupArgs` when given). False for an unknown server.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], disableServers: true, serverSetup: { fn: 'load' } });
   * for await (const s of computation.status()) if (s.kind === 'server-discovered') computation.enableServer(s.server.location, 'part-1.csv');
   * ```
   */
  enableServer(location: string, ...setupArgs: unknown[]): boolean {
    if (this.nodeSet.enableServer(location, setupArgs.length > 0 ? setupArgs : undefined)) return true;
    return this.pool.setServerEnabled(location, true);
  }


  /**
   * Closes it: takes no more jobs (those waiting for a server fail with ComputationClosedError),
   * waits for running CPU jobs (and async ones with `awaitAsync`) up to `timeout` ms, terminates
   * the rest when `terminate` (or the timeout passed), waits for their ends to be reported, then
   * every node stops its servers and removes the shipped files. A second call waits for the first
   * (with `terminate`, it cuts the first's wait short). Aborting `signal` ends the wait for the
   * jobs (they are terminated) and close() rejects with its reason once closed.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * await computation.close({ awaitAsync: true, timeout: 10_000 });
   * await computation.close({ terminate: true });
   * ```
   */
  async close(options?: { awaitAsync?: boolean; terminate?: boolean; timeout?: number; signal?: AbortSignal }): Promise<void> {
    const timeout = checkWaitOptions(options);
    if (this.closed !== undefined) {
      if (options?.terminate === true) {
        this.terminateNow = true;
        this.jobEnded();
      }
      return this.closed;
    }
    this.closed = this.closeNow(options ?? {}, timeout);
    return this.closed;
  }

  /** `close({ terminate: true })`, for `await using`: the jobs still running are terminated and reported. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close({ terminate: true });
  }

  private async closeNow(options: { awaitAsync?: boolean; terminate?: boolean; signal?: AbortSignal }, timeout: number): Promise<void> {
    this.state = 'closing';
    this.terminateNow = options.terminate === true;
    this.pool.failWaiters(new ComputationClosedError(`computation ${this.id} is closing`));
    const deadline = performance.now() + timeout;
    const waitFor = (run: ComputationRun): boolean => run.isLive && (options.awaitAsync === true || run.cpu);
    let aborted: unknown;
    try {
      while (!this.terminateNow && [...this.runs].some(waitFor) && performance.now() < deadline) {
        if (!(await this.jobsEnd(timeout === Infinity ? Infinity : deadline - performance.now(), options.signal))) break;
      }
    } catch (err) {
      aborted = err; // the wait ends; closing goes on, then close() rejects with the reason
    }
    for (const run of [...this.runs]) run.cancel();
    // Their ends (terminated, or lost) are reported before the nodes are told.
    const reported = performance.now() + (this.net?.requestTimeout ?? 10_000);
    while (this.runs.size > 0 && performance.now() < reported) if (!(await this.jobsEnd(reported - performance.now()))) break;
    await this.nodeSet.close();
    this.state = 'closed';
    this.publish({ kind: 'computation-closed', id: this.id });
    await this.network?.release();
    // schedule() calls still waiting end now, with nothing of the computation left behind.
    const failed = this.failure ?? new ComputationClosedError(`computation ${this.id} was closed`);
    for (const w of [...this.scheduledWaiters.drain(), ...this.settledWaiters.drain()]) w.fail(failed);
    if (aborted !== undefined) throw aborted;
  }

  /** Waits for a job to end: false on timeout. */
  private jobsEnd(ms: number, signal?: AbortSignal): Promise<boolean> {
    const w = new Wait<boolean>(this.scheduler, undefined, WaitKind.Other);
    w.alarm = false;
    this.endWaiters.push(w);
    return w.start(Math.max(0, ms), signal);
  }
}
