/**
 * The main process of a discoronode, as a tree of coroutines on its own scheduler:
 *
 * ```
 * discoronode (Supervisor)
 * ├─ client-status       posts the node's events to the clients they concern
 * ├─ failed-jobs         logs each failed job, keeps the last ones
 * ├─ peer-nodes          the other nodes it knows (for its dashboard's cluster page)
 * ├─ pid-file            records the server processes for --clean
 * ├─ spares (Supervisor) ── spare-<k>: one idle server process each
 * ├─ computations (Supervisor)
 * │   └─ computation-<id>: its slots, folder, pulses, node setup
 * │       └─ servers-<id> (Supervisor, started and stopped by it)
 * │           └─ server-<i>@<id>: owns one server process
 * └─ discoro-node        slots, FIFO queue, ports, service window, ticks
 * ```
 *
 * Every piece of state has one owner; the network's request handlers only ask the node's
 * coroutine (and, once it authorized the request, the computation's). Events travel on one
 * channel (`events`) that the status stream to the clients, the PID file, the dashboard and the
 * terminal subscribe to. Its dashboard (the `dashboard` option) is a coroutine of the same
 * scheduler, started with it and closed when it stops.
 * @module
 */
import os from 'node:os';
import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Coro } from '../../../runtime/Coro.js';
import type { Logger } from '../../../runtime/logging.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { TIMED_OUT, within } from '../../../runtime/within.js';
import type { WaitOptions } from '../../../runtime/options.js';
import { ForkedProcess, type ProcessOwner } from '../../../transports/io/ForkedProcess.js';
import { Channel } from '../../Channel.js';
import { Supervisor } from '../../Supervisor.js';
import type { ChildSpec } from '../../childSpec.js';
import { Network } from '../../remote/Network.js';
import type { FailedJobView, NodeView } from '../../dashboard/clusterSource.js';
import type { Readiness } from '../../dashboard/dashboardOptions.js';
import type { DashboardHandle } from '../../dashboard/serveDashboard.js';
import { CLIENT_EVENT, type NodeAvailability, type NodeInfo } from '../protocol.js';
import { FailedJobs } from './FailedJobs.js';
import { NodeDashboard } from './NodeDashboard.js';
import { PeerNodes } from './PeerNodes.js';
import { ServerCredentials } from './ServerCredentials.js';
import { clientStatus } from './clientStatus.js';
import { resolveNodeOptions, type DiscoroNodeOptions, type ResolvedNodeOptions } from './discoroNodeOptions.js';
import type { ClientRef, NodeChange } from './nodeEvents.js';
import { nodeAvailability } from './nodeAvailability.js';
import type { NodeComputation, ComputationHost } from './NodeComputation.js';
import { NodeMain } from './NodeMain.js';
import { call, CloseAtNode, Flush, SetEnabled, StopNode } from './nodeMessages.js';
import { installNodeRequests } from './nodeRequests.js';
import { pidFileWriter, takeFolder } from './pidFile.js';
import { SpareServers } from './SpareServers.js';

const SERVER_MAIN = fileURLToPath(new URL('../server/serverMain.js', import.meta.url));
/** Variables a job must not read: the node's secret and its dashboard token. */
const PRIVATE_ENV = ['DISCORO_SECRET', 'DISCORO_DASHBOARD_TOKEN'];

/**
 * A discoronode's main process (what `bin/discoronode` runs).
 * @example
 * ```ts
 * await using node = await DiscoroNode.start({ cpus: 2, secret: 'shared secret', destDir: '/tmp/discoro-a' });
 * log(`listening at ${node.location} with ${node.cpus} servers`);
 * ```
 */
export class DiscoroNode implements AsyncDisposable {
  /** What happens at the node (computations reserved and closed, servers up and lost, jobs reported...). */
  readonly events: Channel<NodeChange>;
  readonly #credentials: ServerCredentials;
  private readonly main: NodeMain;
  private readonly spares: SpareServers;
  private readonly children: ChildSpec[];
  private readonly failed: FailedJobs;
  private readonly peers: PeerNodes;
  private ownDashboard: NodeDashboard | undefined;
  private top!: Supervisor;
  private mainCoro!: Coro<any, void>;
  private statusCoro!: Coro<any, void>;
  private ended!: Promise<void>;

  private constructor(
    readonly net: Network,
    private readonly options: ResolvedNodeOptions,
    given: DiscoroNodeOptions,
    private readonly releaseFolder: () => void,
  ) {
    this.#credentials = new ServerCredentials(given);
    const sched = net.scheduler;
    this.events = new Channel<NodeChange>('discoro-node-events', { scheduler: sched });
    const env = { ...process.env };
    for (const name of PRIVATE_ENV) delete env[name];
    const fork = (owner: ProcessOwner): ForkedProcess => ForkedProcess.fork(SERVER_MAIN, { owner, env, scheduler: sched });
    const publish = (e: NodeChange): void => void (this.events.closed || this.events.send(e));
    this.spares = new SpareServers(options.spareServers, fork, () => publish({ kind: 'processes' }), sched);
    const computations = new Supervisor([], { name: 'computations', scheduler: sched });
    const o = options;
    const host: ComputationHost = {
      packages: { modules: o.modules, maxPackageSize: o.maxPackageSize },
      name: o.name, location: String(net.location), logger: sched.logger, scheduler: sched, root: o.destDir, startTimeout: o.startTimeout, logLevel: o.logLevel,
      serverRestarts: o.serverRestarts, publish, serverNetwork: (port) => this.#credentials.network(o, port), takeProcess: (owner) => this.spares.take(owner),
      tellClient: async (client, id, event) => {
        await call<boolean>(this.statusCoro, (r) => new Flush(r), 'the status stream', 5000).catch(() => undefined);
        await net.request(client, CLIENT_EVENT, [id, event], { timeout: net.requestTimeout }).catch(() => undefined);
      },
    };
    this.main = new NodeMain(o, { name: o.name, logger: sched.logger, computations, host, publish, measure: () => this.measure() });
    this.failed = new FailedJobs(o.failedJobs, String(net.location), sched.logger);
    this.peers = new PeerNodes(net);
    this.children = [
      { id: 'client-status', start: (c: Coro<any, void>) => clientStatus((this.statusCoro = c), this.events, net) },
      { id: 'failed-jobs', start: (c: Coro<any, void>) => this.failed.run(c, this.events) },
      { id: 'peer-nodes', start: (c: Coro<any, void>) => this.peers.run(c) },
      { id: 'pid-file', start: (c: Coro<any, void>) => pidFileWriter(c, this.events, options.destDir, () => this.serverPids()) },
      this.spares.childSpec(),
      computations.childSpec('computations'),
      { id: 'discoro-node', start: (c: Coro<any, void>) => this.runMain(c), restart: 'temporary' },
    ];
  }

  /**
   * Takes the working folder (PID file), starts networking and the node's coroutines. Throws
   * NodeFolderInUseError, InvalidArgumentError (bad options), InsecureNetworkError, ListenError.
   */
  static async start(options: DiscoroNodeOptions = {}): Promise<DiscoroNode> {
    const o = resolveNodeOptions(options);
    const release = takeFolder(o.destDir, { clean: o.clean });
    let net: Network | undefined;
    try {
      const sched = new Scheduler({ logger: o.logger });
      net = await Network.start(sched, {
        host: o.host, port: o.port, extHost: o.extHost, name: o.name, secret: options.secret, insecure: o.insecure, tls: options.tls,
        // A hub: it tells clients where the nodes it knows listen, and connects to its seeds only (no mesh of nodes).
        discover: o.discover, udpPort: o.udpPort, seeds: o.peers, peering: 'hub', destDir: o.destDir, maxFileSize: o.maxFileSize,
        heartbeatInterval: o.heartbeatInterval, peerTimeout: o.peerTimeout,
      });
      const node = new DiscoroNode(net, o, options, release);
      await node.launch();
      if (options.dashboard !== undefined) {
        node.ownDashboard = await NodeDashboard.serve(node, options.dashboard, net.location.host).catch(async (err: unknown) => {
          await node.stop({ grace: 0 });
          throw err;
        });
      }
      return node;
    } catch (err) {
      await net?.stop();
      await net?.scheduler.terminate();
      release();
      throw err;
    }
  }

  get name(): string {
    return this.options.name;
  }
  get location(): string {
    return String(this.net.location);
  }
  get scheduler(): Scheduler {
    return this.net.scheduler;
  }
  get logger(): Logger {
    return this.net.scheduler.logger;
  }
  get root(): string {
    return this.options.destDir;
  }
  get cpus(): number {
    return this.options.cpus;
  }
  get logLevel(): string {
    return this.options.logLevel;
  }
  get startTimeout(): number {
    return this.options.startTimeout;
  }
  /** The computations it serves, by id. */
  get computations(): ReadonlyMap<string, NodeComputation> {
    return this.main.computations;
  }
  /** Slots no computation holds. */
  get freeCpus(): number {
    return this.main.freeCpus;
  }
  /** Computations served to the end so far. */
  get servedCount(): number {
    return this.main.served;
  }
  /** Computations waiting for a slot. */
  get waiting(): number {
    return this.main.queue.length;
  }
  /** Computations waiting for a slot, in order. */
  get waitingList(): ReadonlyArray<{ readonly id: string; readonly name: string; readonly client: ClientRef['location'] }> {
    return this.main.queue.map((e) => ({ id: e.id, name: e.name, client: e.client.location }));
  }
  /** Its service window and `serve` limit in words: 'serving until 18:00', 'outside service window, next start 08:00'. */
  get serviceStatus(): string {
    return this.main.serviceStatus;
  }
  get isStopping(): boolean {
    return this.main.stopping || !this.mainCoro.isAlive;
  }
  /** `serving` (takes new computations), `disabled`, `out of service` (its window, `serve` reached) or `stopping`. */
  get state(): 'serving' | 'disabled' | 'out of service' | 'stopping' {
    return this.isStopping ? 'stopping' : this.main.takes.state;
  }
  /** False once disabled: it grants no slots (computations wait) and its clients start no jobs here. */
  get enabled(): boolean {
    return this.main.enabled;
  }
  /** The availability measured at the last pulse, and when (undefined before the first). */
  get lastAvail(): { avail: NodeAvailability; at: number } | undefined {
    return this.main.lastAvail === undefined ? undefined : { avail: this.main.lastAvail, at: this.main.availAt! };
  }
  /** Jobs running, done and failed so far, in every computation (as their servers last reported). */
  get jobTotals(): { running: number; done: number; failed: number } {
    const t = { running: 0, ...this.main.pastJobs };
    for (const c of this.main.computations.values()) {
      const j = c.jobTotals;
      t.running += j.running;
      t.done += j.done;
      t.failed += j.failed;
    }
    return t;
  }

  /** The last failed jobs it keeps (`failedJobs` of them), oldest first. */
  get failedJobs(): FailedJobView[] {
    return this.failed.list();
  }

  /** The other discoronodes it knows (its peers that are nodes), as its cluster page shows them. */
  get peerNodes(): NodeView[] {
    return this.peers.list();
  }

  /** Its dashboard, when it serves one. */
  get dashboard(): DashboardHandle | undefined {
    return this.ownDashboard?.handle;
  }

  /** Where other hosts reach its dashboard (its address for a dashboard on a wildcard address); undefined without one. */
  get dashboardUrl(): string | undefined {
    return this.ownDashboard?.address;
  }

  /**
   * Whether it takes new computations now (`/readyz`): not while stopping, disabled by its
   * operator, outside its service window, or once `serve` computations are taken.
   * @example
   * ```ts
   * const { ready, reason } = node.readiness(); // e.g. false, 'outside service window, next start 08:00'
   * ```
   */
  readiness(): Readiness {
    if (this.isStopping) return { ready: false, reason: 'stopping' };
    const t = this.main.takes;
    return { ready: t.state === 'serving', reason: t.reason };
  }

  /** Pids of its server processes now (spares, servers, node setups). */
  serverPids(): number[] {
    return [...this.spares.pids, ...[...this.main.computations.values()].flatMap((c) => c.pids)];
  }

  /**
   * Disables or enables the node: a disabled node queues new computations and tells its clients
   * to start no new jobs here (running ones go on); enabling grants the waiting ones.
   * @example
   * ```ts
   * await node.setEnabled(false); // e.g. before maintenance; await node.setEnabled(true) to serve again
   * ```
   */
  async setEnabled(enabled: boolean): Promise<void> {
    if (typeof enabled !== 'boolean') throw new InvalidArgumentError('enabled must be a boolean');
    await call<boolean>(this.mainCoro, (r) => new SetEnabled(enabled, r), this.what);
  }

  /** Closes computation `id` here at once (its client hears `reason`); false when it serves (or queues) no such computation. */
  async closeById(id: string, reason: string): Promise<boolean> {
    if (typeof id !== 'string' || typeof reason !== 'string') throw new InvalidArgumentError('closeById needs a computation id and a reason');
    return (await call<number>(this.mainCoro, (r) => new CloseAtNode(id, undefined, 0, reason, r), this.what)) > 0;
  }

  /**
   * Closes every computation it serves (the `close` and `terminate` commands): gracefully, their
   * clients told at once so that they place no new jobs there and running jobs finish (however
   * long they take: `terminate` cuts that short), or at once, running jobs terminated and reported
   * to their clients. Waiting computations are told. The node goes on serving new computations.
   * Resolves with the number closed, once they are.
   */
  closeComputations(options: { terminate?: boolean } = {}): Promise<number> {
    const terminate = options.terminate === true;
    const reason = terminate ? 'terminated at the node' : 'closed at the node';
    return call<number>(this.mainCoro, (r) => new CloseAtNode(undefined, undefined, terminate ? 0 : Infinity, reason, r), this.what);
  }

  /** What `discoro-info` answers. */
  async info(): Promise<NodeInfo> {
    const state = this.state;
    return {
      name: this.name, location: this.location, cpus: this.cpus, freeCpus: this.freeCpus,
      platform: `${os.platform()}-${os.arch()}`, host: os.hostname(), service: this.serviceStatus, avail: await this.measure(),
      state, computations: this.computations.size, waiting: this.waiting, jobs: this.jobTotals,
      ...(this.ownDashboard === undefined ? {} : { dashboard: this.ownDashboard.address }),
    };
  }

  /**
   * Waits for the node to stop (by `stop()`, or after serving `serve` computations): true once it
   * has, false when `timeout` ms pass first; rejects with the signal's reason when it aborts, and
   * with the node's failure if its coroutines failed.
   * @example
   * ```ts
   * await node.stopped({ signal: AbortSignal.timeout(60_000) });
   * ```
   */
  async stopped(options?: WaitOptions): Promise<boolean> {
    return (await within(this.net.scheduler, this.ended, options)) !== TIMED_OUT;
  }

  /**
   * Stops: running jobs get `grace` ms (default: the gracePeriod option) and are then terminated
   * (their clients see them terminated), servers are stopped, clients are told, peers get a goodbye.
   */
  async stop(options?: { grace?: number }): Promise<void> {
    const grace = options?.grace ?? this.options.gracePeriod;
    if (typeof grace !== 'number' || !(grace >= 0)) throw new InvalidArgumentError('grace must be a non-negative number of ms');
    if (this.mainCoro.isAlive) await call<boolean>(this.mainCoro, (r) => new StopNode(grace, r), this.what).catch(() => undefined);
    await this.ended.catch(() => undefined);
  }

  /** `await using node = await DiscoroNode.start(...)` stops it (with its grace period) at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** What JSON.stringify and the logger show: who it is and how busy (nothing secret). */
  toJSON(): object {
    return { name: this.name, location: this.location, cpus: this.cpus, freeCpus: this.freeCpus, computations: this.computations.size, waiting: this.waiting };
  }

  [inspect.custom](): string {
    return `DiscoroNode ${inspect(this.toJSON())}`;
  }

  private get what(): string {
    return `discoronode ${this.name}`;
  }

  /** Starts the coroutines, installs the request handlers, and gives the spares a moment to load. */
  private async launch(): Promise<void> {
    this.top = await Supervisor.start(this.children, { name: 'discoronode', scheduler: this.scheduler });
    this.ended = this.mainCoro.finish().then(
      () => this.teardown(),
      async (err: unknown) => {
        this.logger.error({ err }, 'discoro: the node failed');
        await this.teardown();
        throw err;
      },
    );
    this.ended.catch(() => undefined); // awaited by stopped() and stop(), not by everyone
    installNodeRequests(this.net, { coro: this.mainCoro, what: this.what, info: () => this.info() });
    await this.spares.warm({ timeout: Math.min(this.options.startTimeout, 10_000) });
  }

  /** The node's coroutine hears of peers (a lost client's computations close) while it runs, not after: a stop's goodbyes are no dead letters. */
  private async runMain(coro: Coro<any, void>): Promise<void> {
    const unwatch = this.net.peerStatus((this.mainCoro = coro));
    await this.main.run(coro).finally(unwatch);
  }

  private measure(): Promise<NodeAvailability> {
    return nodeAvailability(this.location, this.root);
  }

  /** After the node's coroutine ended: the last events reach the clients, then everything stops. */
  private async teardown(): Promise<void> {
    await call<boolean>(this.statusCoro, (r) => new Flush(r), 'the status stream', 5000).catch(() => undefined);
    await this.ownDashboard?.close();
    await this.top.stop();
    this.events.close();
    await this.net.stop();
    await this.net.scheduler.terminate();
    this.releaseFolder();
  }
}
