/**
 * The nodes of one computation, from its client, owned by one coroutine per computation
 * ('discoro-computation'): its mailbox receives what nodes post (through the client's event
 * route), the peer statuses of the network, the results of the short coroutines it starts for the
 * slow steps (probing a node, reserving its slots, shipping the components and starting the
 * servers, connecting to a replacement server, a server's setup at `enableServer`), and the
 * computation's requests (enable, close); between them it pulses every node, receiving with the
 * next pulse's deadline. Only this coroutine changes the nodes' state.
 * @module
 */
import type { Coro } from '../../../runtime/Coro.js';
import { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import { Location } from '../../../transports/net/Location.js';
import { PeerStatus } from '../../../transports/net/PeerStatus.js';
import type { Network } from '../../remote/Network.js';
import { ServerLostError } from '../../actorErrors.js';
import { NodeRequests, type NodeEvent } from '../protocol.js';
import type { ComputationCore as Computation } from './computationTypes.js';
import { routeNodeEvents, type NodeEventMail } from './clientEvents.js';
import { connectServer, enableServerFlow, probeNode, setupNode, type FlowResult, type NodeState } from './nodeFlows.js';

type Request = { kind: 'enable-node'; node: string; setupArgs?: unknown[] } | { kind: 'enable-server'; location: string; setupArgs?: unknown[] } | { kind: 'close' };
type Mail = NodeEventMail | PeerStatus | FlowResult | Request | MonitorStatus;

const PULSE: unique symbol = Symbol('pulse');

/** A discoro server is a hidden peer (one of a 2.0 node is told by its name). */
function isServer(net: Network, s: PeerStatus): boolean {
  return net.peerByIncarnation(s.incarnation)?.peering === 'hidden' || /_proc-\d+$/.test(s.name);
}

/**
 * The shortest time between pulses, unless `pulseInterval` asks for less: a node (holding the
 * secret, or misconfigured) granting a zombie period of a few microseconds would otherwise have
 * the client pulse in a busy loop.
 */
const MIN_PULSE_MS = 50;
/** How long closing waits for each node's answer at most, beyond the network's request timeout. */
const CLOSE_FLOWS_MS = 2000;

/**
 * The nodes of a computation.
 * @example
 * ```ts
 * const nodes = new ComputationNodes(obj);
 * nodes.start(net, ['127.0.0.1:9706'], false);
 * await nodes.close();
 * ```
 */
export class ComputationNodes {
  private readonly nodes = new Map<string, NodeState>();
  /** Servers held by `disableServers` until enabled. */
  private readonly held = new Set<string>();
  private readonly flows = new Set<Coro<any, any>>();
  private coro: Coro<Mail> | undefined = undefined;
  private net!: Network;
  private explicit = 0;
  private discover = false;

  constructor(private readonly comp: Computation) {}

  /** Starts the computation's coroutine: the given nodes are probed now, others as they appear (with `discover`). */
  start(net: Network, given: Array<string | Location>, discover: boolean): void {
    this.net = net;
    this.explicit = given.length;
    this.discover = discover;
    const locations = given.map((n) => String(Location.parse(n)));
    // Not a daemon: a scheduled computation keeps its client process alive until close().
    this.coro = this.comp.scheduler.spawnWith({ name: 'discoro-computation' }, (coro: Coro<Mail>) => this.run(coro, locations));
  }

  /** schedule() rejects if every given node failed (and discovery adds none). */
  checkFailed(): void {
    const states = [...this.nodes.values()];
    if (this.explicit > 0 && states.length > 0 && states.every((n) => n.phase === 'failed')) this.comp.scheduleFailed(states[0]!.error!);
  }

  /** True while a node it found is still being reached or set up (schedule() with `servers: 'all'` waits for these). */
  settling(): boolean {
    for (const n of this.nodes.values()) if (n.phase === 'probing' || n.phase === 'setting-up') return true;
    return false;
  }

  /** True for a node this computation found (whatever its state). */
  has(loc: string): boolean {
    return this.nodes.has(loc);
  }

  /** Sets up a node held by `disableNodes` (its node setup gets `setupArgs` when given). */
  enable(node: string, setupArgs: unknown[] | undefined): void {
    this.coro?.send({ kind: 'enable-node', node, setupArgs });
  }

  /** Runs the server setup of a server held by `disableServers`, then offers it jobs; false when it is not held. */
  enableServer(location: string, setupArgs: unknown[] | undefined): boolean {
    if (!this.held.has(location) || this.coro === undefined) return false;
    this.coro.send({ kind: 'enable-server', location, setupArgs });
    return true;
  }

  /** Asks every node to close the computation (servers stopped, files removed); resolves once the coroutine has ended. */
  async close(): Promise<void> {
    const coro = this.coro;
    if (coro === undefined) return;
    coro.send({ kind: 'close' });
    await coro.finish();
  }

  private async run(coro: Coro<Mail>, given: string[]): Promise<void> {
    const net = this.net;
    const stopRoute = routeNodeEvents(net, this.comp.id, coro);
    const unwatch = net.peerStatus(coro);
    try {
      for (const loc of given) this.probe(coro, loc, true);
      let nextPulse = performance.now() + this.comp.pulseInterval;
      for (;;) {
        const m = await coro.receive<typeof PULSE>({ timeout: Math.max(0, nextPulse - performance.now()), alarm: PULSE });
        if (m === PULSE) {
          for (const [loc, n] of this.nodes) if (n.phase !== 'failed' && n.phase !== 'closed') net.post(loc, NodeRequests.pulse, [this.comp.id]);
          nextPulse = performance.now() + this.pulseEvery();
        } else if (m instanceof PeerStatus) this.peerStatus(coro, m);
        else if (m instanceof MonitorStatus) this.flows.delete(m.coro as Coro<any, any>);
        else if (m.kind === 'close') break;
        else {
          this.handle(coro, m);
          if (m.kind === 'reserved') nextPulse = Math.min(nextPulse, performance.now() + this.pulseEvery());
        }
        this.comp.nodesChanged();
      }
      for (const flow of this.flows) flow.terminate();
      await Promise.all([...this.flows].map((flow) => flow.finish({ timeout: CLOSE_FLOWS_MS, alarm: undefined }).catch(() => undefined)));
      await this.closeNodes(coro);
    } finally {
      unwatch();
      stopRoute();
    }
  }

  /**
   * How often the nodes hear a pulse: every `pulseInterval`, or more often where a node granted a
   * shorter zombie period than the one asked for: as many pulses within the period granted as
   * within the one asked for, and at least 10 (so that no node takes the client for a zombie), but
   * not more often than every `MIN_PULSE_MS` (or `pulseInterval` if that is shorter).
   */
  private pulseEvery(): number {
    const { pulseInterval: asked, zombiePeriod } = this.comp;
    let every = asked;
    for (const n of this.nodes.values()) {
      const granted = n.zombiePeriod;
      if (granted !== undefined && n.phase !== 'failed' && n.phase !== 'closed') every = Math.min(every, granted * Math.max(asked / zombiePeriod, 0.1));
    }
    return Math.max(every, Math.min(asked, MIN_PULSE_MS));
  }

  private handle(coro: Coro<Mail>, m: Exclude<Mail, PeerStatus | MonitorStatus | { kind: 'close' }>): void {
    switch (m.kind) {
      case 'node-event':
        return this.event(coro, String(m.node), m.event);
      case 'enable-node': {
        const state = this.nodes.get(m.node);
        if (state?.phase !== 'held') return;
        if (m.setupArgs !== undefined) state.setupArgs = m.setupArgs;
        return this.setup(coro, m.node, state);
      }
      case 'enable-server':
        if (this.held.delete(m.location)) this.spawn(coro, 'discoro-server-setup', (flow, report) => enableServerFlow(flow, report, this.comp, m.location, m.setupArgs));
        return;
      default:
        return this.flowResult(coro, m);
    }
  }

  private flowResult(coro: Coro<Mail>, r: FlowResult): void {
    if (r.kind === 'server-enabled' || r.kind === 'server-setup-failed') {
      const s = this.comp.pool.servers.get(r.location);
      if (s === undefined) return;
      if (r.kind === 'server-setup-failed') return this.comp.publish({ kind: 'server-failed', server: s.info, error: r.error });
      this.comp.pool.setServerEnabled(r.location, true);
      this.comp.publish({ kind: 'server-initialized', server: s.info });
      return this.comp.serverReady();
    }
    const state = this.nodes.get(r.node);
    if (state === undefined || state.phase === 'closed' || state.phase === 'failed') return;
    switch (r.kind) {
      case 'discovered':
        state.info = r.info;
        return this.comp.publish({ kind: 'node-discovered', node: r.info });
      case 'not-a-node':
        this.nodes.delete(r.node);
        return;
      case 'skipped':
        state.phase = 'closed';
        return this.checkNodesLeft();
      case 'reserved':
        state.zombiePeriod = r.zombiePeriod;
        if (r.granted) return this.granted(coro, r.node, state);
        state.phase = 'waiting';
        return this.comp.publish({ kind: 'node-waiting', node: state.info!, position: r.position });
      case 'server':
        return this.addServer(r);
      case 'initialized':
        state.phase = 'ready';
        return this.comp.publish({ kind: 'node-initialized', node: state.info!, servers: r.servers });
      case 'failed':
        state.phase = 'failed';
        state.error = r.error;
        this.comp.publish({ kind: 'node-failed', node: r.node, error: r.error });
        this.checkFailed();
        return this.checkNodesLeft();
    }
  }

  /** What a node posted about this computation (only about its own servers). */
  private event(coro: Coro<Mail>, loc: string, e: NodeEvent): void {
    const state = this.nodes.get(loc);
    if (state === undefined || typeof e !== 'object' || e === null) return;
    switch (e.kind) {
      case 'granted':
        if (state.phase === 'waiting') this.granted(coro, loc, state);
        break;
      case 'server-lost':
        if (e.server?.node === loc) this.serverGone(e.server.location, String(e.reason));
        break;
      case 'server-up':
        if (state.phase === 'ready' && e.server?.node === loc) this.spawn(coro, 'discoro-server-connect', (flow, report) => connectServer(flow, report, this.net, loc, e.server));
        break;
      case 'held':
        this.comp.pool.setHeldByNode(loc, e.server, e.held === true);
        break;
      case 'server-closed':
        // Closed by one of its jobs, once they all ended: gone, not lost.
        if (e.server?.node === loc && this.comp.pool.remove(e.server.location) !== undefined) this.comp.publish({ kind: 'server-closed', server: e.server });
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
        this.nodeGone(loc, state, e.reason, 'node-closed');
        break;
    }
  }

  private peerStatus(coro: Coro<Mail>, s: PeerStatus): void {
    const loc = String(s.location);
    if (s.status === 'offline') {
      const server = this.comp.pool.servers.get(loc);
      if (server !== undefined && !server.peer.isOnline) this.comp.serverLost(server, 'connection lost');
      const state = this.nodes.get(loc);
      if (state !== undefined && state.phase !== 'closed' && state.phase !== 'failed') this.nodeGone(loc, state, 'node lost', 'node-disconnected');
    } else if (this.discover && !this.nodes.has(loc) && !this.comp.pool.servers.has(loc) && !isServer(this.net, s)) this.probe(coro, loc, false);
  }

  private probe(coro: Coro<Mail>, loc: string, given: boolean): void {
    this.nodes.set(loc, { phase: 'probing' });
    this.spawn(coro, 'discoro-node-probe', (flow, report) => probeNode(flow, report, this.comp, this.net, loc, given));
  }

  /** Slots reserved: set up now, or (with `disableNodes`) when enabled. */
  private granted(coro: Coro<Mail>, loc: string, state: NodeState): void {
    if (this.comp.options.disableNodes === true) state.phase = 'held';
    else this.setup(coro, loc, state);
  }

  private setup(coro: Coro<Mail>, loc: string, state: NodeState): void {
    state.phase = 'setting-up';
    this.spawn(coro, 'discoro-node-setup', (flow, report) => setupNode(flow, report, this.comp, this.net, loc, state.setupArgs, state.info?.name));
  }

  private addServer(r: Extract<FlowResult, { kind: 'server' }>): void {
    const enabled = this.comp.options.disableServers !== true;
    this.comp.pool.add({ info: r.server, peer: r.peer, cpuJobs: 0, jobs: 0, enabled, runs: new Set() });
    if (!enabled) {
      this.held.add(r.server.location);
      return this.comp.publish({ kind: 'server-discovered', server: r.server });
    }
    this.comp.publish({ kind: 'server-initialized', server: r.server });
    this.comp.serverReady();
  }

  private serverGone(location: string, reason: string): void {
    const s = this.comp.pool.servers.get(location);
    if (s !== undefined) this.comp.serverLost(s, reason);
  }

  private nodeGone(loc: string, state: NodeState, reason: string, kind: 'node-closed' | 'node-disconnected'): void {
    if (state.phase === 'closed') return;
    state.phase = 'closed';
    for (const s of this.comp.pool.ofNode(loc)) this.comp.serverLost(s, reason);
    if (kind === 'node-closed') this.comp.publish({ kind, node: loc, reason });
    else this.comp.publish({ kind, node: loc });
    this.checkNodesLeft();
  }

  /** Without discovery, a computation whose every node is gone has no server to wait for: its waits fail. */
  private checkNodesLeft(): void {
    if (this.discover || this.comp.pool.servers.size > 0) return;
    for (const n of this.nodes.values()) if (n.phase !== 'closed' && n.phase !== 'failed') return;
    this.comp.pool.shut(new ServerLostError(`computation ${this.comp.id} has no node left to run its jobs`));
  }

  /** Starts a step as a coroutine of its own: it reports to this one, which it cannot block. */
  private spawn(coro: Coro<Mail>, name: string, flow: (self: Coro<unknown>, report: (r: FlowResult) => void) => Promise<void>): void {
    const report = (r: FlowResult): void => void coro.send(r);
    const child = this.comp.scheduler.spawnWith({ name }, (self: Coro<unknown>) => flow(self, report));
    this.flows.add(child);
    void coro.monitor(child);
  }

  private async closeNodes(coro: Coro<Mail>): Promise<void> {
    const net = this.net;
    await Promise.all([...this.nodes].map(async ([loc, state]) => {
      if (state.phase === 'failed' || (state.phase === 'closed' && state.info === undefined)) return;
      const servers = this.comp.pool.ofNode(loc);
      if (state.phase !== 'closed') await net.request(loc, NodeRequests.close, [this.comp.id], { timeout: net.requestTimeout, coro }).catch(() => false);
      for (const s of servers) {
        this.comp.pool.remove(s.info.location);
        this.comp.publish({ kind: 'server-closed', server: s.info });
      }
      if (state.phase !== 'closed') this.comp.publish({ kind: 'node-closed', node: loc, reason: 'computation closed' });
      state.phase = 'closed';
    }));
  }
}
