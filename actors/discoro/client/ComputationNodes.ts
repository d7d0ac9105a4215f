/**
 * The nodes of one computation, from its client: finding them (given locations, and discovered
 * peers), reserving their CPU slots (or waiting for them), shipping the components, starting
 * the servers, the pulses that keep the computation alive there, and reacting to what nodes
 * report (a server lost and replaced, the node closing the computation) and to lost peers.
 * @module
 */
import { Location } from '../../../transports/net/Location.js';
import { PeerStatus } from '../../../transports/net/PeerStatus.js';
import type { Network } from '../../remote/Network.js';
import { Rci, RemoteRci } from '../../remote/Rci.js';
import { CLIENT_EVENT, NodeRequests, jobRciName, setupRciName, type ComputationManifest, type NodeEvent, type NodeInfo, type ServerInfo } from '../protocol.js';
import type { ComputationCore as Computation } from './computationTypes.js';
import { allocate, type NodeAllocation } from './nodeAllocation.js';
import { shipFunction } from './components.js';

type NodeState = { info?: NodeInfo; phase: 'probing' | 'waiting' | 'held' | 'setting-up' | 'ready' | 'failed' | 'closed'; error?: Error; setupArgs?: unknown[] };

/** Computations of each client network, by id, for the node events it receives. */
const clients = new WeakMap<Network, Map<string, Computation>>();

function register(net: Network, comp: Computation): () => void {
  let comps = clients.get(net);
  if (comps === undefined) {
    const map = new Map<string, Computation>();
    clients.set(net, (comps = map));
    net.handle(CLIENT_EVENT, (body, peer) => {
      if (!Array.isArray(body) || body.length !== 2 || typeof body[0] !== 'string') return null;
      map.get(body[0])?.nodeEvent(peer.location, body[1] as NodeEvent);
      return null;
    });
  }
  comps.set(comp.id, comp);
  return () => comps!.delete(comp.id);
}

function ref(fn: unknown): { name: string; source?: string } {
  return typeof fn === 'function' ? shipFunction(fn as () => unknown) : { name: String(fn) };
}

/**
 * The nodes of a computation.
 * @example
 * ```ts
 * const nodes = new ComputationNodes(obj);
 * nodes.start(net, ['127.0.0.1:9706'], false);
 * await nodes.closeAll();
 * ```
 */
export class ComputationNodes {
  private readonly nodes = new Map<string, NodeState>();
  private net!: Network;
  private ticker: NodeJS.Timeout | undefined;
  private unregister: (() => void) | undefined;
  private unwatch: (() => void) | undefined;
  private explicit = 0;
  /** Servers held by `disableServers` until enabled. */
  private readonly held = new Set<string>();

  constructor(private readonly comp: Computation) {}

  start(net: Network, given: Array<string | Location>, discover: boolean): void {
    this.net = net;
    this.unregister = register(net, this.comp);
    this.explicit = given.length;
    for (const n of given) void this.add(String(Location.parse(n)), true);
    this.unwatch = net.peerStatus({
      send: (s: unknown) => {
        if (!(s instanceof PeerStatus)) return true;
        const loc = String(s.location);
        if (s.status === 'offline') this.peerLost(loc);
        else if (discover && !this.nodes.has(loc) && !/_proc-\d+$/.test(s.name) && !this.comp.pool.servers.has(loc)) void this.add(loc, false);
        return true;
      },
    });
    this.ticker = setInterval(() => {
      for (const [loc, n] of this.nodes) if (n.phase !== 'failed' && n.phase !== 'closed') net.post(loc, NodeRequests.pulse, [this.comp.id]);
    }, this.comp.pulseInterval);
    // Ref'd on purpose: a scheduled computation keeps its client process alive until close().
  }

  /** schedule() rejects if every given node failed (and discovery adds none). */
  checkFailed(): void {
    const states = [...this.nodes.values()];
    if (this.explicit > 0 && states.length > 0 && states.every((n) => n.phase === 'failed')) this.comp.scheduleFailed(states[0]!.error!);
  }

  private manifest(state: NodeState): ComputationManifest {
    const o = this.comp.options;
    const c = this.comp.components;
    return {
      modules: c.modules,
      sources: c.sources,
      ...(o.serverSetup !== undefined ? { serverSetup: { fn: ref(o.serverSetup.fn), args: o.serverSetup.args ?? [] } } : {}),
      ...(o.disableServers === true ? { setupOnEnable: true } : {}),
      ...(o.nodeSetup !== undefined ? { nodeSetup: { fn: ref(o.nodeSetup.fn), args: state.setupArgs ?? o.nodeSetup.args ?? [] } } : {}),
    };
  }

  private async add(loc: string, given: boolean): Promise<void> {
    const state: NodeState = { phase: 'probing' };
    this.nodes.set(loc, state);
    try {
      const net = this.net;
      await net.peer(loc, { timeout: net.requestTimeout });
      const info = (await net.request(loc, NodeRequests.info, [], { timeout: net.requestTimeout })) as NodeInfo;
      state.info = info;
      this.comp.publish({ kind: 'node-discovered', node: info });
      const want = allocate((this.comp.options.nodeAllocations ?? []) as NodeAllocation[], info);
      if (want === 0) {
        state.phase = 'closed';
        return;
      }
      const answer = (await net.request(loc, NodeRequests.reserve, [this.comp.id, want, this.comp.zombiePeriod], { timeout: net.requestTimeout })) as { granted?: number; queued?: number };
      if (typeof answer.granted === 'number') await this.granted(loc, state);
      else {
        state.phase = 'waiting';
        this.comp.publish({ kind: 'node-waiting', node: info, position: answer.queued ?? 0 });
      }
    } catch (err) {
      if (!given && state.info === undefined) {
        this.nodes.delete(loc); // a discovered peer that is not a discoronode
        return;
      }
      this.failed(loc, state, err as Error);
    }
  }

  private failed(loc: string, state: NodeState, error: Error): void {
    state.phase = 'failed';
    state.error = error;
    this.comp.publish({ kind: 'node-failed', node: loc, error });
    this.checkFailed();
  }

  /** Slots reserved: set up now, or (with `disableNodes`) when enable() is called. */
  private async granted(loc: string, state: NodeState): Promise<void> {
    if (this.comp.options.disableNodes === true) state.phase = 'held';
    else await this.setup(loc, state);
  }

  /**
   * Sets up a node held by `disableNodes` (its node setup gets `setupArgs` when given); false
   * when the node is not held.
   */
  enable(loc: string, setupArgs: unknown[] | undefined): boolean {
    const state = this.nodes.get(loc);
    if (state === undefined || state.phase !== 'held') return false;
    if (setupArgs !== undefined) state.setupArgs = setupArgs;
    this.setup(loc, state).catch((err: Error) => this.failed(loc, state, err));
    return true;
  }

  private async setup(loc: string, state: NodeState): Promise<void> {
    state.phase = 'setting-up';
    const net = this.net;
    const timeout = this.comp.options.setupTimeout ?? 30_000;
    for (const [file, rel] of this.comp.components.files) {
      await net.sendFile(loc, file, { dir: rel === '' ? this.comp.id : `${this.comp.id}/${rel}`, overwrite: true, timeout });
    }
    const servers = (await net.request(loc, NodeRequests.setup, [this.comp.id, this.manifest(state)], { timeout })) as ServerInfo[];
    if ((state.phase as string) === 'closed') return;
    await Promise.all(servers.map((s) => this.addServer(s)));
    state.phase = 'ready';
    this.comp.publish({ kind: 'node-initialized', node: state.info!, servers: servers.length });
  }

  private async addServer(server: ServerInfo): Promise<void> {
    const rci = await Rci.locate(jobRciName(this.comp.id), { scheduler: this.comp.scheduler, location: server.location, timeout: this.net.requestTimeout });
    if (!(rci instanceof RemoteRci)) throw new Error(`server ${server.location} has no job RCI`);
    if (this.comp.options.disableServers === true) {
      this.held.add(server.location);
      this.comp.pool.add({ info: server, rci, cpuJobs: 0, jobs: 0, enabled: false });
      this.comp.publish({ kind: 'server-discovered', server });
      return;
    }
    this.comp.pool.add({ info: server, rci, cpuJobs: 0, jobs: 0, enabled: true });
    this.comp.publish({ kind: 'server-initialized', server });
    this.comp.serverReady();
  }

  /**
   * Runs the server setup of a server held by `disableServers` (with `setupArgs` when given), then
   * offers it jobs; false when it is not held. A failed setup is status `server-failed`.
   */
  enableServer(location: string, setupArgs: unknown[] | undefined): boolean {
    const s = this.comp.pool.servers.get(location);
    if (s === undefined || !this.held.delete(location)) return false;
    void (async () => {
      try {
        const setup = await Rci.locate(setupRciName(this.comp.id), { scheduler: this.comp.scheduler, location, timeout: this.net.requestTimeout });
        if (setup === undefined) throw new Error(`server ${location} has no setup RCI`);
        await (await setup.call(setupArgs ?? null)).finish();
        this.comp.pool.setServerEnabled(location, true);
        this.comp.publish({ kind: 'server-initialized', server: s.info });
        this.comp.serverReady();
      } catch (err) {
        this.comp.publish({ kind: 'server-failed', server: s.info, error: err as Error });
      }
    })();
    return true;
  }

  /** What a node posted about this computation. */
  event(node: Location, e: NodeEvent): void {
    const loc = String(node);
    const state = this.nodes.get(loc);
    if (state === undefined || typeof e !== 'object' || e === null) return;
    switch (e.kind) {
      case 'granted':
        if (state.phase === 'waiting') this.granted(loc, state).catch((err: Error) => this.failed(loc, state, err));
        break;
      case 'server-lost':
        this.serverGone(e.server.location, e.reason);
        break;
      case 'server-up':
        if (state.phase === 'ready') this.addServer(e.server).catch(() => {});
        break;
      case 'held':
        this.comp.pool.setHeldByNode(loc, e.server, e.held === true);
        break;
      case 'avail':
        this.comp.publish({ kind: 'node-availability', avail: e.avail });
        break;
      case 'service':
        this.comp.publish({ kind: 'node-service', node: loc, service: e.service });
        break;
      case 'closing':
        this.comp.pool.setNodeEnabled(loc, false);
        this.comp.publish({ kind: 'node-closing', node: loc, reason: e.reason });
        break;
      case 'closed':
        this.nodeGone(loc, state, e.reason);
        break;
    }
  }

  private serverGone(location: string, reason: string): void {
    const s = this.comp.pool.remove(location);
    if (s !== undefined) this.comp.publish({ kind: 'server-disconnected', server: s.info, reason });
  }

  private nodeGone(loc: string, state: NodeState, reason: string): void {
    if (state.phase === 'closed') return;
    state.phase = 'closed';
    for (const s of this.comp.pool.ofNode(loc)) this.serverGone(s.info.location, reason);
    this.comp.publish({ kind: 'node-closed', node: loc, reason });
  }

  private peerLost(loc: string): void {
    if (this.comp.pool.servers.has(loc)) this.serverGone(loc, 'connection lost');
    const state = this.nodes.get(loc);
    if (state === undefined || state.phase === 'closed' || state.phase === 'failed') return;
    for (const s of this.comp.pool.ofNode(loc)) this.serverGone(s.info.location, 'node lost');
    state.phase = 'closed';
    this.comp.publish({ kind: 'node-disconnected', node: loc });
  }

  /** True for a node this computation found (whatever its state). */
  has(loc: string): boolean {
    return this.nodes.has(loc);
  }

  /** Asks every node to close the computation (servers stopped, files removed). */
  async closeAll(): Promise<void> {
    clearInterval(this.ticker);
    this.unwatch?.();
    const net = this.net;
    if (net === undefined) return;
    await Promise.all([...this.nodes].map(async ([loc, state]) => {
      if (state.phase === 'failed' || (state.phase === 'closed' && state.info === undefined)) return;
      const servers = this.comp.pool.ofNode(loc);
      if (state.phase !== 'closed') await net.request(loc, NodeRequests.close, [this.comp.id], { timeout: net.requestTimeout }).catch(() => false);
      for (const s of servers) {
        this.comp.pool.remove(s.info.location);
        this.comp.publish({ kind: 'server-closed', server: s.info });
      }
      if (state.phase !== 'closed') this.comp.publish({ kind: 'node-closed', node: loc, reason: 'computation closed' });
      state.phase = 'closed';
    }));
    this.unregister?.();
  }
}
