/**
 * The main process of a discoronode: it listens on the peer network, splits its CPU slots among
 * the computations of its clients (a computation that finds no free slot waits in FIFO order),
 * forks one server process per slot for each computation, watches the clients' pulses and
 * closes the computations of clients that are lost or silent for their zombie period.
 * @module
 */
import os from 'node:os';
import type { Logger } from '../../../runtime/logging.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Location } from '../../../transports/net/Location.js';
import type { Peer } from '../../../transports/net/Peer.js';
import { PeerStatus } from '../../../transports/net/PeerStatus.js';
import { Network } from '../../remote/Network.js';
import { ComputationClosedError, OutOfServiceError } from '../../actorErrors.js';
import { CLIENT_EVENT, NodeRequests, type NodeAvailability, type NodeEvent, type NodeInfo, type ToServer } from '../protocol.js';
import { NodeComputation, type ComputationHost } from './NodeComputation.js';
import { computationId, reserveBody, setupBody } from './nodeRequestBodies.js';
import { nodeAvailability } from './nodeAvailability.js';
import { NodeService } from './NodeService.js';
import type { ServicePhase } from './ServiceWindow.js';
import { recordServerPids, takeFolder } from './pidFile.js';
import type { DiscoroNodeOptions } from './discoroNodeOptions.js';
import { resolveNodeOptions, type ResolvedNodeOptions } from './discoroNodeOptions.js';
import type { ServerProcess } from './ServerProcess.js';
import { SpareServers } from './SpareServers.js';

/**
 * A discoronode's main process (what `bin/discoronode` runs).
 * @example
 * ```ts
 * const node = await DiscoroNode.start({ cpus: 2, secret: 'shared secret', destDir: '/tmp/discoro-a' });
 * log(`listening at ${node.location} with ${node.cpus} servers`);
 * await node.stop({ grace: 5000 });
 * ```
 */
export class DiscoroNode implements ComputationHost {
  readonly computations = new Map<string, NodeComputation>();
  private readonly queue: Array<{ id: string; client: Location; clientIncarnation: string; want: number; zombiePeriod: number }> = [];
  private freePorts: number[];
  private stopping: Promise<void> | undefined;
  private served = 0;
  private ticker: NodeJS.Timeout | undefined;
  private releaseFolder: (() => void) | undefined;
  private readonly stoppedWaiters: Array<() => void> = [];
  private readonly spares: SpareServers;
  private readonly service: NodeService;
  private readonly watchers = new Set<() => void>();
  private isEnabled = true;
  /** Jobs done and failed in the computations served to the end. */
  private readonly pastJobs = { done: 0, failed: 0 };
  /** The availability measured at the last pulse (undefined before the first). */
  lastAvail: NodeAvailability | undefined;

  private constructor(
    readonly net: Network,
    private readonly options: ResolvedNodeOptions,
  ) {
    this.freePorts = [...options.serverPorts];
    this.spares = new SpareServers(options.spareServers, () => this.serverPidsChanged());
    this.service = new NodeService(options.service, options.now, options.serve);
  }

  /**
   * Takes the working folder (PID file), starts networking and serving. Throws
   * NodeFolderInUseError, InvalidArgumentError (bad options), InsecureNetworkError, ListenError.
   */
  static async start(options: DiscoroNodeOptions = {}): Promise<DiscoroNode> {
    const o = resolveNodeOptions(options);
    const release = takeFolder(o.destDir, { clean: o.clean });
    let net: Network | undefined;
    try {
      const sched = new Scheduler({ logger: o.logger });
      net = await Network.start(sched, {
        host: o.host, port: o.port, extHost: o.extHost, name: o.name, secret: o.secret, insecure: o.insecure, tls: o.tls,
        discover: o.discover, udpPort: o.udpPort, seeds: o.peers, destDir: o.destDir, maxFileSize: o.maxFileSize,
        heartbeatInterval: o.heartbeatInterval, peerTimeout: o.peerTimeout,
      });
      const node = new DiscoroNode(net, o);
      node.releaseFolder = release;
      node.install();
      await node.spares.fill({ timeout: Math.min(o.startTimeout, 10_000) });
      return node;
    } catch (err) {
      await net?.stop();
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
  /** Slots no computation holds. */
  get freeCpus(): number {
    let used = 0;
    for (const c of this.computations.values()) used += c.cpus;
    return this.options.cpus - used;
  }
  /** Computations served to the end so far. */
  get servedCount(): number {
    return this.served;
  }
  /** Computations waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }
  /** Its service window and `serve` limit in words: 'serving until 18:00', 'outside service window, next start 08:00'. */
  get serviceStatus(): string {
    return this.service.describe(this.served);
  }
  get isStopping(): boolean {
    return this.stopping !== undefined;
  }
  /** Computations waiting for a slot, in order. */
  get waitingList(): ReadonlyArray<{ readonly id: string; readonly client: Location }> {
    return this.queue;
  }
  /** Jobs running, done and failed so far, in every computation (as their servers last reported). */
  get jobTotals(): { running: number; done: number; failed: number } {
    return [...this.computations.values()].map((c) => c.jobTotals).reduce((t, j) => ({ running: t.running + j.running, done: t.done + j.done, failed: t.failed + j.failed }), { running: 0, ...this.pastJobs });
  }

  /** False once disabled: it grants no slots (computations wait) and its clients start no jobs here. */
  get enabled(): boolean {
    return this.isEnabled;
  }

  /**
   * Disables or enables the node: a disabled node queues new computations and tells its clients
   * to start no new jobs here (running ones go on); enabling grants the waiting ones.
   * @example
   * ```ts
   * const node = await DiscoroNode.start({ cpus: 2 });
   * node.setEnabled(false); // e.g. before maintenance; node.setEnabled(true) to serve again
   * ```
   */
  setEnabled(enabled: boolean): void {
    if (enabled === this.isEnabled) return;
    this.isEnabled = enabled;
    for (const c of this.computations.values()) this.post(c.client, c.id, { kind: 'held', held: !enabled });
    if (enabled) this.grantWaiting();
    this.changed();
  }

  /** Calls `listener` after anything it serves changed (a computation, a server, a job report, a pulse); returns the unsubscribe. */
  watch(listener: () => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }
  changed(): void {
    for (const w of [...this.watchers]) w();
  }

  /** Closes computation `id` here (its client hears `reason`); false when it serves no such computation. */
  async closeById(id: string, reason: string): Promise<boolean> {
    const comp = this.computations.get(id);
    if (comp === undefined) return false;
    await this.closeComputation(comp, 0, reason);
    return true;
  }

  serverNetwork(port: number): Extract<ToServer, { type: 'start' }>['network'] {
    const o = this.options;
    return {
      host: o.host, port, extHost: o.extHost, secret: o.secret, insecure: o.insecure, tls: o.tls,
      heartbeatInterval: o.heartbeatInterval, peerTimeout: o.peerTimeout, maxFileSize: o.maxFileSize,
    };
  }
  takePort(): number {
    return this.freePorts.shift() ?? 0;
  }
  returnPort(port: number): void {
    if (port !== 0) this.freePorts.push(port);
  }
  post(client: Location, computationId: string, event: NodeEvent): void {
    this.net.post(client, CLIENT_EVENT, [computationId, event]);
  }
  serverProcess(): ServerProcess {
    return this.spares.take();
  }
  serverPidsChanged(): void {
    const pids = [...this.computations.values()].flatMap((c) => [...c.servers.values()].map((s) => s.process.pid));
    pids.push(...this.spares.pids);
    recordServerPids(this.root, pids);
  }

  /** What `discoro-info` answers. */
  async info(): Promise<NodeInfo> {
    return {
      name: this.name, location: this.location, cpus: this.cpus, freeCpus: this.freeCpus,
      platform: `${os.platform()}-${os.arch()}`, host: os.hostname(), service: this.serviceStatus, avail: await nodeAvailability(this.location, this.root),
    };
  }

  /** Resolves once the node has stopped (by `stop()`, or after serving `serve` computations). */
  stopped(): Promise<void> {
    return this.stopping !== undefined && this.releaseFolder === undefined ? Promise.resolve() : new Promise((r) => this.stoppedWaiters.push(r));
  }

  /**
   * Stops: running jobs get `grace` ms (default: the gracePeriod option) and are then terminated
   * (their clients see them terminated), servers are stopped, clients are told, peers get a goodbye.
   */
  stop(options?: { grace?: number }): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.ticker);
      await this.spares.close();
      this.service.close();
      const grace = options?.grace ?? this.options.gracePeriod;
      for (const q of this.queue.splice(0)) this.post(q.client, q.id, { kind: 'closed', reason: 'node stopping' });
      await Promise.all([...this.computations.values()].map((c) => c.close(grace, 'node stopping')));
      this.computations.clear();
      await new Promise((r) => setTimeout(r, 50)); // the 'closed' events leave before the goodbye
      await this.net.stop();
      await this.net.scheduler.terminate();
      this.releaseFolder?.();
      this.releaseFolder = undefined;
      for (const w of this.stoppedWaiters.splice(0)) w();
    })();
    return this.stopping;
  }

  private install(): void {
    const net = this.net;
    net.handle(NodeRequests.info, () => this.info());
    net.handle(NodeRequests.reserve, (body, peer) => this.reserve(body, peer));
    net.handle(NodeRequests.setup, (body, peer) => this.setup(body, peer));
    net.handle(NodeRequests.pulse, (body) => {
      const comp = Array.isArray(body) && typeof body[0] === 'string' ? this.computations.get(body[0]) : undefined;
      if (comp !== undefined) comp.lastPulse = Date.now();
      return null;
    });
    net.handle(NodeRequests.close, async (body, peer) => {
      const id = computationId(Array.isArray(body) ? body[0] : undefined);
      const q = this.queue.findIndex((e) => e.id === id && e.client.equals(peer.location));
      if (q >= 0) this.queue.splice(q, 1);
      const comp = this.computations.get(id);
      if (comp !== undefined && comp.client.equals(peer.location)) await this.closeComputation(comp, 0);
      return true;
    });
    net.peerStatus({
      send: (s: unknown) => {
        if (s instanceof PeerStatus && s.status === 'offline') this.clientLost(s.location);
        return true;
      },
    });
    this.ticker = setInterval(() => void this.tick(), this.options.pulseInterval);
    this.service.watch((phase) => this.serviceChanged(phase));
  }

  /**
   * Closes every computation it serves (the `close` and `terminate` commands): gracefully, their
   * clients told at once so that they place no new jobs there and running jobs finish (however
   * long they take: `terminate` cuts that short), or at once, running jobs terminated and reported
   * to their clients. Waiting computations are told. The node goes on serving new computations.
   * Resolves with the number closed, once they are.
   */
  async closeComputations(options: { terminate?: boolean } = {}): Promise<number> {
    const terminate = options.terminate === true;
    const reason = terminate ? 'terminated at the node' : 'closed at the node';
    for (const q of this.queue.splice(0)) this.post(q.client, q.id, { kind: 'closed', reason });
    const comps = [...this.computations.values()];
    if (!terminate) for (const c of comps) if (!c.closing) this.post(c.client, c.id, { kind: 'closing', reason });
    await Promise.all(comps.map((c) => this.closeComputation(c, terminate ? 0 : Infinity, reason)));
    return comps.length;
  }

  /** The window stopped (waiting computations are refused), ended (served ones are closed, jobs terminated) or opened. */
  private serviceChanged(phase: ServicePhase): void {
    const status = this.serviceStatus;
    this.logger.info({ phase, status }, 'discoro: service window');
    if (phase !== 'open') for (const q of this.queue.splice(0)) this.post(q.client, q.id, { kind: 'closed', reason: status });
    for (const comp of this.computations.values()) {
      if (comp.closing) continue;
      if (phase === 'ended') void this.closeComputation(comp, 0, `service window ended (${status})`);
      else if (phase === 'stopped') this.post(comp.client, comp.id, { kind: 'service', service: status });
    }
  }

  private reserve(body: unknown, peer: Peer): { granted: number } | { queued: number } {
    const { id, want, zombiePeriod: zombie } = reserveBody(body);
    const existing = this.computations.get(id);
    if (existing !== undefined) return { granted: existing.cpus };
    if (this.stopping !== undefined) throw new ComputationClosedError(`${this.name} is stopping`);
    if (this.service.phase !== 'open') throw new OutOfServiceError(`${this.name} is ${this.serviceStatus}`);
    if (this.options.serve >= 0 && this.served + this.computations.size + this.queue.length >= this.options.serve) {
      throw new ComputationClosedError(`${this.name} serves ${this.options.serve} computations and takes no more`);
    }
    const cpus = want <= 0 ? this.cpus + want : Math.min(want, this.cpus);
    if (cpus <= 0) throw new InvalidArgumentError(`${want} cpus leaves none of the ${this.cpus} of ${this.name}`);
    const entry = { id, client: peer.location, clientIncarnation: peer.incarnation, want: cpus, zombiePeriod: zombie ?? this.options.zombiePeriod };
    if (this.queue.length === 0 && this.freeCpus > 0 && this.isEnabled) return { granted: this.grant(entry) };
    this.queue.push(entry);
    this.changed();
    return { queued: this.queue.length };
  }

  private grant(e: { id: string; client: Location; clientIncarnation: string; want: number; zombiePeriod: number }): number {
    const cpus = Math.min(e.want, this.freeCpus);
    this.computations.set(e.id, new NodeComputation(this, e.id, e.client, cpus, e.zombiePeriod, e.clientIncarnation));
    this.logger.info({ computation: e.id, client: String(e.client), cpus }, 'discoro: computation reserved');
    this.changed();
    return cpus;
  }

  private async setup(body: unknown, peer: Peer): Promise<unknown> {
    const { id, manifest } = setupBody(body);
    const comp = this.computations.get(id);
    if (comp === undefined || !comp.client.equals(peer.location)) throw new ComputationClosedError(`computation ${id} holds no slots at ${this.name}`);
    try {
      return await comp.setup(manifest);
    } catch (err) {
      await this.closeComputation(comp, 0);
      throw err;
    }
  }

  private async closeComputation(comp: NodeComputation, grace: number, reason?: string): Promise<void> {
    if (comp.closing) return comp.close(grace, reason); // a shorter grace cuts a close in progress short
    await comp.close(grace, reason);
    this.computations.delete(comp.id);
    this.pastJobs.done += comp.jobTotals.done;
    this.pastJobs.failed += comp.jobTotals.failed;
    this.served++;
    this.serverPidsChanged();
    this.logger.info({ computation: comp.id, reason }, 'discoro: computation closed');
    this.grantWaiting();
    this.changed();
    if (this.options.serve >= 0 && this.served >= this.options.serve && this.computations.size === 0) void this.stop();
  }

  private grantWaiting(): void {
    while (this.queue.length > 0 && this.freeCpus > 0 && this.isEnabled && this.stopping === undefined && this.service.phase === 'open') {
      const next = this.queue.shift()!;
      this.post(next.client, next.id, { kind: 'granted', cpus: this.grant(next) });
    }
  }

  private clientLost(location: Location): void {
    for (let k = this.queue.length - 1; k >= 0; k--) if (this.queue[k]!.client.equals(location)) this.queue.splice(k, 1);
    for (const comp of this.computations.values()) {
      if (comp.client.equals(location)) void this.closeComputation(comp, 0, 'client lost');
    }
  }

  private async tick(): Promise<void> {
    this.service.check();
    const now = Date.now();
    const avail = this.computations.size > 0 || this.watchers.size > 0 ? await nodeAvailability(this.location, this.root) : undefined;
    if (avail !== undefined) {
      this.lastAvail = avail;
      this.changed();
    }
    for (const comp of this.computations.values()) {
      if (comp.closing) continue;
      if (now - comp.lastPulse > comp.zombiePeriod) void this.closeComputation(comp, 0, 'zombie: no pulse from the client');
      else if (avail !== undefined) this.post(comp.client, comp.id, { kind: 'avail', avail });
    }
  }
}
