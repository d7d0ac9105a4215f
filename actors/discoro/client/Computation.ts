/**
 * A discoro computation, from its client: components shipped to discoronodes, one server
 * process per CPU slot there, and jobs (coroutines running a component's function) on them.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { ActingWaitOptions } from '../../../runtime/coroTypes.js';
import { checkWaitOptions } from '../../../runtime/options.js';
import type { Scheduler } from '../../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../../runtime/Wait.js';
import { WaiterQueue } from '../../../runtime/WaiterQueue.js';
import { Network } from '../../remote/Network.js';
import { ComputationClosedError, ServerLostError } from '../../actorErrors.js';
import type { ResolvedComponents } from './components.js';
import { resolveComputationOptions } from './computationOptions.js';
import type { ServerInfo } from '../protocol.js';
import { StatusFeed, type DiscoroStatus } from './discoroStatus.js';
import type { JobCoro } from './JobCoro.js';
import { ComputationNodes } from './ComputationNodes.js';
import { ComputationCluster } from './ComputationCluster.js';
import { ServerPool, type PoolServer } from './ServerPool.js';
import { startJob } from './startJob.js';
import { runResults, runResultWith, type RunResultsOptions } from './jobResults.js';
import type { ComputationOptions, ComputationRun, JobFunction, JobOptions } from './computationTypes.js';

export type { ComputationOptions, JobFunction, JobOptions } from './computationTypes.js';

export type { RunResultsOptions } from './jobResults.js';

/**
 * A computation.
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
export class Computation implements AsyncDisposable {
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
  private ownNetwork = false;
  private readonly scheduledWaiters = new WaiterQueue();
  private readonly nodeSet: ComputationNodes;
  /** close() waits here for jobs to end. */
  private readonly endWaiters = new WaiterQueue();
  private closed: Promise<void> | undefined;
  /** A second close({ terminate: true }) cuts the wait of the first short. */
  private terminateNow = false;
  private cluster: ComputationCluster | undefined;

  constructor(options: ComputationOptions) {
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
   * Status messages from now on, until the computation closes.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * for await (const s of computation.status()) if (s.kind === 'job-finished') log(s.value);
   * ```
   */
  status(): AsyncIterableIterator<DiscoroStatus> {
    return this.feed.iterate();
  }

  /** @internal Publishes a status message. */
  publish(s: DiscoroStatus): void {
    this.options.status?.send(s);
    this.cluster?.observe(s);
    this.feed.publish(s);
  }

  /**
   * Reserves its nodes, ships its components and starts its servers. Resolves true once a first
   * server is ready (the other nodes go on initialising), false on timeout; rejects when no node
   * can be used (AuthenticationError, PeerUnreachableError, ComponentError naming the component
   * and node, SetupFailedError...).
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * if (!(await computation.schedule({ timeout: 10_000 }))) log('no server within 10 s');
   * ```
   */
  async schedule(options?: ActingWaitOptions): Promise<boolean> {
    const timeout = checkWaitOptions(options);
    if (this.state === 'closing' || this.state === 'closed') throw new ComputationClosedError(`computation ${this.id} is closed`);
    if (this.state === 'scheduled') return true;
    if (this.state === 'new') {
      this.state = 'scheduling';
      let net = Network.of(this.scheduler);
      const discover = this.options.discover ?? (this.options.nodes ?? []).length === 0;
      if (net === undefined) {
        // A client that names its nodes keeps to them (a leaf); one that discovers dials every node it hears of.
        const peering = this.options.network?.meshPeers === undefined ? { peering: discover ? 'mesh' : 'leaf' } as const : {};
        net = await Network.start(this.scheduler, { discover: false, ...peering, ...this.options.network, ...(this.#secret !== undefined ? { secret: this.#secret } : {}) });
        this.ownNetwork = true;
      }
      this.net = net;
      this.nodeSet.start(net, this.options.nodes ?? [], discover);
    }
    const wait = new Wait<boolean>(this.scheduler, this.scheduler.actor(options?.coro), WaitKind.Other);
    wait.alarm = false;
    this.scheduledWaiters.push(wait);
    const p = wait.start(timeout, options?.signal);
    this.nodeSet.checkFailed();
    return p;
  }

  /** @internal A first server is ready. */
  serverReady(): void {
    if (this.state !== 'scheduling') return;
    this.state = 'scheduled';
    this.publish({ kind: 'computation-scheduled', id: this.id });
    for (const w of this.scheduledWaiters.drain()) w.wake(true);
  }

  /** @internal Every node failed: schedule() rejects with `error`. */
  scheduleFailed(error: Error): void {
    if (this.state === 'scheduling') for (const w of this.scheduledWaiters.drain()) w.fail(error);
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
   * Runs a job with options: `where`, `cpu` (default true) and the wait for a free server
   * (`timeout` → false). Throws ComputationClosedError, InvalidArgumentError (bad function,
   * arguments that are not CBOR data), and what the server answers.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * const job = await computation.runWith({ where: '127.0.0.1', cpu: false, timeout: 5000 }, 'watch', me);
   * ```
   */
  async runWith<R = unknown>(options: JobOptions, fn: JobFunction, ...args: unknown[]): Promise<JobCoro<unknown, R> | false> {
    if (this.state !== 'scheduled') throw new ComputationClosedError(`computation ${this.id} is ${this.state === 'new' || this.state === 'scheduling' ? 'not scheduled' : 'closed'}`);
    return startJob<R>(this, options ?? {}, fn, args);
  }

  /**
   * A CPU job on the least loaded server; waits for a free one.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * const job = await computation.run('compute', 1, 2);
   * ```
   */
  run<R = unknown>(fn: JobFunction, ...args: unknown[]): Promise<JobCoro<unknown, R> | false> {
    return this.runWith<R>({}, fn, ...args);
  }

  /** A CPU job at a node or server (see JobOptions.where). */
  runAt<R = unknown>(where: string, fn: JobFunction, ...args: unknown[]): Promise<JobCoro<unknown, R> | false> {
    return this.runWith<R>({ where }, fn, ...args);
  }

  /** An async (I/O) job: any number per server, on the one running fewest jobs. */
  runAsync<R = unknown>(fn: JobFunction, ...args: unknown[]): Promise<JobCoro<unknown, R> | false> {
    return this.runWith<R>({ cpu: false }, fn, ...args);
  }

  /** An async job at a node or server. */
  runAsyncAt<R = unknown>(where: string, fn: JobFunction, ...args: unknown[]): Promise<JobCoro<unknown, R> | false> {
    return this.runWith<R>({ where, cpu: false }, fn, ...args);
  }

  /**
   * Runs a CPU job and waits for its value (throws its error; ServerLostError when its server is
   * lost, after `retries` more attempts elsewhere). On timeout (of the whole call) `alarm`.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * const v = await computation.runResultWith({ retries: 2, timeout: 60_000, alarm: null }, 'compute', 4);
   * ```
   */
  runResultWith<R = unknown, A = undefined>(options: JobOptions & { retries?: number; alarm?: A }, fn: JobFunction, ...args: unknown[]): Promise<R | A> {
    return runResultWith<R, A>(this, options, fn, args);
  }

  /**
   * runResultWith without options.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * const v = await computation.runResult('compute', 4);
   * ```
   */
  runResult<R = unknown>(fn: JobFunction, ...args: unknown[]): Promise<R> {
    return this.runResultWith<R, never>({}, fn, ...args);
  }

  /** runResult at a node or server. */
  runResultAt<R = unknown>(where: string, fn: JobFunction, ...args: unknown[]): Promise<R> {
    return this.runResultWith<R, never>({ where }, fn, ...args);
  }

  /**
   * Runs `fn` once per item of `argsList` (an array item is the argument list, anything else one
   * argument), spread over the servers; the values in input order. The first failure rejects;
   * false when `timeout` passes first.
   * @example
   * ```ts
   * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
   * const squares = await computation.runResults('square', [1, 2, 3], { onProgress: (done, total) => log(done, total) });
   * ```
   */
  runResults<R = unknown>(fn: JobFunction, argsList: readonly unknown[], options?: Omit<RunResultsOptions, 'timeout' | 'signal'>): Promise<R[]>;
  runResults<R = unknown>(fn: JobFunction, argsList: readonly unknown[], options: RunResultsOptions): Promise<R[] | false>;
  runResults<R = unknown>(fn: JobFunction, argsList: readonly unknown[], options: RunResultsOptions = {}): Promise<R[] | false> {
    return runResults<R>(this, fn, argsList, options);
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
    const wasScheduling = this.state !== 'scheduled';
    this.state = 'closing';
    this.terminateNow = options.terminate === true;
    this.pool.failWaiters(new ComputationClosedError(`computation ${this.id} is closing`));
    if (wasScheduling) this.scheduleFailed(new ComputationClosedError(`computation ${this.id} was closed`));
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
    if (this.ownNetwork) await this.net?.stop();
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
