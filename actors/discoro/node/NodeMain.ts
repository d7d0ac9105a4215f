/**
 * The coroutine of a discoronode (`discoro-node`): it owns the CPU slots, the FIFO queue of
 * computations waiting for them, the server ports, the service window, the `--serve` count and
 * whether the node is enabled. The network's request handlers ask it (reserve, authorize,
 * close); it grants slots by starting a computation's coroutine under the `computations`
 * Supervisor and monitors it, so that the slots are freed (and the next waiting computation
 * granted) when the computation ends, however it ends. Its ticks are its receive's timeout.
 * @module
 */
import type { Address } from '../../../runtime/address.js';
import type { Coro } from '../../../runtime/Coro.js';
import { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { within, TIMED_OUT } from '../../../runtime/within.js';
import type { Logger } from '../../../runtime/logging.js';
import { PeerStatus } from '../../../transports/net/PeerStatus.js';
import { ComputationClosedError, NotComputationOwnerError, OutOfServiceError, WaitingLimitError } from '../../actorErrors.js';
import type { Supervisor } from '../../Supervisor.js';
import type { NodeAvailability } from '../protocol.js';
import type { ResolvedNodeOptions } from './discoroNodeOptions.js';
import type { ClientRef, NodeChange, Recipient } from './nodeEvents.js';
import { answer, Authorize, CloseComputation, CloseAtNode, Reserve, SetEnabled, StopNode, type Reply } from './nodeMessages.js';
import { NodeComputation, type ComputationHost } from './NodeComputation.js';
import { NodeService } from './NodeService.js';

const TICK = Symbol('tick');

/** A reservation waiting for slots. */
interface Waiting {
  readonly id: string;
  readonly name: string;
  readonly client: ClientRef;
  readonly want: number;
  readonly zombiePeriod: number;
}

/** A close request answered once the computations it closes are gone. */
interface Closing {
  readonly ids: Set<string>;
  readonly count: number;
  readonly replyTo: Address<Reply<number>>;
}

/**
 * What the node's coroutine needs besides its options.
 * @example
 * ```ts
 * const deps: NodeDeps = { name: 'n1', logger, computations, host, publish: (e) => events.send(e), measure };
 * ```
 */
export interface NodeDeps {
  readonly name: string;
  readonly logger: Logger;
  /** The Supervisor of the computations (each a `temporary` child). */
  readonly computations: Supervisor;
  readonly host: ComputationHost;
  publish(change: NodeChange): void;
  /** Measures the node's resources. */
  measure(): Promise<NodeAvailability>;
}

function sameClient(a: ClientRef, b: ClientRef): boolean {
  return a.incarnation === b.incarnation && a.location.equals(b.location);
}

/**
 * The state and loop of the node's coroutine; its fields are written by that coroutine only.
 * @example
 * ```ts
 * const main = new NodeMain(options, deps);
 * await top.startChild({ id: 'discoro-node', start: (coro: Coro<any, void>) => main.run(coro), restart: 'temporary' });
 * ```
 */
export class NodeMain {
  readonly computations = new Map<string, NodeComputation>();
  readonly queue: Waiting[] = [];
  readonly service: NodeService;
  readonly pastJobs = { done: 0, failed: 0 };
  served = 0;
  enabled = true;
  stopping = false;
  lastAvail: NodeAvailability | undefined;
  /** When `lastAvail` was measured (ms since the epoch). */
  availAt: number | null = null;
  private readonly freePorts: number[];
  private readonly closings: Closing[] = [];
  private readonly stopReplies: Array<Address<Reply<boolean>>> = [];
  private coro!: Coro<any, void>;

  constructor(
    private readonly o: ResolvedNodeOptions,
    private readonly deps: NodeDeps,
  ) {
    this.service = new NodeService(o.service, o.now, o.serve);
    this.freePorts = [...o.serverPorts];
  }

  /** Slots no computation holds. */
  get freeCpus(): number {
    let used = 0;
    for (const c of this.computations.values()) used += c.cpus;
    return this.o.cpus - used;
  }

  get serviceStatus(): string {
    return this.service.describe(this.served);
  }

  /** Whether it takes new computations now, and why not (for `/readyz` and NodeInfo). */
  get takes(): { state: 'serving' | 'disabled' | 'out of service' | 'stopping'; reason: string } {
    if (this.stopping) return { state: 'stopping', reason: 'stopping' };
    if (!this.enabled) return { state: 'disabled', reason: 'disabled by its operator' };
    if (this.service.phase !== 'open') return { state: 'out of service', reason: this.serviceStatus };
    if (this.o.serve >= 0 && this.served + this.computations.size + this.queue.length >= this.o.serve) {
      return { state: 'out of service', reason: `serves ${this.o.serve} computations and takes no more` };
    }
    return { state: 'serving', reason: this.serviceStatus };
  }

  /** The body of its coroutine: it returns once it has stopped (asked to, or after serving `serve` computations). */
  async run(coro: Coro<any, void>): Promise<void> {
    this.coro = coro;
    let tickAt = performance.now(); // the first measure at once: the dashboard shows it
    while (!(this.stopping && this.computations.size === 0)) {
      const timeout = Math.min(Math.max(0, tickAt - performance.now()), this.service.msUntilChange() ?? Infinity);
      const m = await coro.receive({ timeout, alarm: TICK });
      if (m !== TICK) await this.handle(m);
      // Due ticks are taken even while messages keep coming (a receive that never times out).
      if (performance.now() >= tickAt - 1) {
        tickAt = performance.now() + this.o.pulseInterval;
        await this.tick(coro);
      }
      await this.checkService();
    }
    for (const replyTo of this.stopReplies.splice(0)) replyTo.send({ ok: true, value: true });
  }

  private async handle(m: unknown): Promise<void> {
    if (m instanceof Reserve) await answer(m.replyTo, () => this.reserve(m));
    else if (m instanceof Authorize) await answer(m.replyTo, () => this.authorize(m.id, m.client));
    else if (m instanceof CloseAtNode) this.closeRequest(m);
    else if (m instanceof MonitorStatus) await this.ended(m);
    else if (m instanceof PeerStatus && m.status === 'offline') this.clientLost(m.incarnation);
    else if (m instanceof SetEnabled) await answer(m.replyTo, () => this.setEnabled(m.enabled));
    else if (m instanceof StopNode) this.stop(m);
  }

  private async reserve(m: Reserve): Promise<{ granted: number; zombiePeriod: number } | { queued: number; zombiePeriod: number }> {
    const comp = this.computations.get(m.id);
    if (comp !== undefined) {
      if (!sameClient(comp.owner, m.client)) throw this.notOwner(m.id);
      return { granted: comp.cpus, zombiePeriod: comp.zombiePeriod };
    }
    const at = this.queue.findIndex((e) => e.id === m.id);
    if (at >= 0) {
      if (!sameClient(this.queue[at]!.client, m.client)) throw this.notOwner(m.id);
      return { queued: at + 1, zombiePeriod: this.queue[at]!.zombiePeriod };
    }
    const name = this.deps.name;
    if (this.stopping) throw new ComputationClosedError(`${name} is stopping`);
    if (this.service.phase !== 'open') throw new OutOfServiceError(`${name} is ${this.serviceStatus}`);
    if (this.o.serve >= 0 && this.served + this.computations.size + this.queue.length >= this.o.serve) {
      throw new ComputationClosedError(`${name} serves ${this.o.serve} computations and takes no more`);
    }
    const want = m.want <= 0 ? this.o.cpus + m.want : Math.min(m.want, this.o.cpus);
    if (want <= 0) throw new InvalidArgumentError(`${m.want} cpus leaves none of the ${this.o.cpus} of ${name}`);
    // A client asks for its zombie period; the node grants at most its own.
    const entry: Waiting = { id: m.id, name: m.name, client: m.client, want, zombiePeriod: Math.min(m.zombiePeriod ?? this.o.zombiePeriod, this.o.zombiePeriod) };
    if (this.queue.length === 0 && this.freeCpus > 0 && this.enabled) return { granted: await this.grant(entry, false), zombiePeriod: entry.zombiePeriod };
    if (this.queue.some((e) => sameClient(e.client, m.client))) throw new WaitingLimitError(`client ${m.client.location} already has a computation waiting at ${name}`);
    if (this.queue.length >= this.o.maxWaiting) throw new WaitingLimitError(`${name} has ${this.queue.length} computations waiting, its limit`);
    this.queue.push(entry);
    this.deps.publish({ kind: 'computation-waiting', id: m.id, client: m.client.location, position: this.queue.length });
    return { queued: this.queue.length, zombiePeriod: entry.zombiePeriod };
  }

  /** Starts the computation's coroutine on free slots; returns the slots granted. */
  private async grant(e: Waiting, waited: boolean): Promise<number> {
    const cpus = Math.min(e.want, this.freeCpus);
    const ports = Array.from({ length: cpus }, () => this.freePorts.shift() ?? 0);
    const comp = new NodeComputation(this.deps.host, e.id, e.client, cpus, e.zombiePeriod, ports, e.name);
    this.computations.set(e.id, comp);
    try {
      const coro = await this.deps.computations.startChild({ id: `computation-${e.id}`, start: (c: Coro<any, any>) => comp.run(c), restart: 'temporary', shutdownTimeout: 60_000 });
      comp.coro = coro;
      coro.notify(this.coro);
    } catch (err) {
      this.computations.delete(e.id);
      this.freePorts.push(...ports.filter((p) => p !== 0));
      throw err;
    }
    this.deps.logger.info({ computation: e.id, name: e.name, client: String(e.client.location), cpus }, 'discoro: computation reserved');
    this.deps.publish({ kind: 'computation-granted', id: e.id, client: e.client.location, cpus, waited });
    return cpus;
  }

  private authorize(id: string, client: ClientRef): NodeComputation {
    const comp = this.computations.get(id);
    if (comp === undefined) throw new ComputationClosedError(`computation ${id} holds no slots at ${this.deps.name}`);
    if (!sameClient(comp.owner, client)) throw this.notOwner(id);
    return comp;
  }

  private notOwner(id: string): NotComputationOwnerError {
    return new NotComputationOwnerError(`computation ${id} at ${this.deps.name} belongs to another client`);
  }

  private closeRequest(m: CloseAtNode): void {
    if (m.id === undefined) {
      this.dropQueue(m.reason ?? 'closed at the node');
      const comps = [...this.computations.values()];
      for (const c of comps) c.coro.send(new CloseComputation(m.grace, m.reason, m.grace === Infinity));
      return this.awaitClosed(comps.map((c) => c.id), m.replyTo);
    }
    const at = this.queue.findIndex((e) => e.id === m.id);
    if (at >= 0) {
      const e = this.queue[at]!;
      if (m.from !== undefined && !sameClient(e.client, m.from)) return void m.replyTo.send({ ok: false, error: this.notOwner(m.id) });
      this.queue.splice(at, 1);
      if (m.from === undefined) this.deps.publish({ kind: 'waiting-dropped', id: e.id, client: e.client.location, reason: m.reason ?? 'closed at the node' });
      return void m.replyTo.send({ ok: true, value: 1 });
    }
    const comp = this.computations.get(m.id);
    if (comp === undefined) return void m.replyTo.send({ ok: true, value: 0 });
    if (m.from !== undefined && !sameClient(comp.owner, m.from)) return void m.replyTo.send({ ok: false, error: this.notOwner(m.id) });
    comp.coro.send(new CloseComputation(m.grace, m.reason, false));
    this.awaitClosed([m.id], m.replyTo);
  }

  private awaitClosed(ids: string[], replyTo: Address<Reply<number>>): void {
    if (ids.length === 0) replyTo.send({ ok: true, value: 0 });
    else this.closings.push({ ids: new Set(ids), count: ids.length, replyTo });
  }

  /** A computation's coroutine ended: its slots are free. */
  private async ended(status: MonitorStatus): Promise<void> {
    const comp = [...this.computations.values()].find((c) => c.coro === status.coro);
    if (comp === undefined) return;
    this.computations.delete(comp.id);
    this.freePorts.push(...comp.ports.filter((p) => p !== 0));
    this.served++;
    const totals = comp.jobTotals;
    this.pastJobs.done += totals.done;
    this.pastJobs.failed += totals.failed;
    const reason = status.ok ? (status.value as string | undefined) : `computation ${status.reason} at ${this.deps.name}: ${(status.error as Error)?.message}`;
    this.deps.logger.info({ computation: comp.id, reason }, 'discoro: computation closed');
    this.deps.publish({ kind: 'computation-closed', id: comp.id, client: comp.client, reason });
    for (let k = this.closings.length - 1; k >= 0; k--) {
      const c = this.closings[k]!;
      if (!c.ids.delete(comp.id) || c.ids.size > 0) continue;
      this.closings.splice(k, 1);
      c.replyTo.send({ ok: true, value: c.count });
    }
    await this.grantWaiting();
    if (this.o.serve >= 0 && this.served >= this.o.serve && this.computations.size === 0) this.stopping = true;
  }

  private async grantWaiting(): Promise<void> {
    while (this.queue.length > 0 && this.freeCpus > 0 && this.enabled && !this.stopping && this.service.phase === 'open') {
      const next = this.queue.shift()!;
      await this.grant(next, true).catch((err: Error) => this.deps.publish({ kind: 'waiting-dropped', id: next.id, client: next.client.location, reason: err.message }));
    }
  }

  private dropQueue(reason: string): void {
    for (const e of this.queue.splice(0)) this.deps.publish({ kind: 'waiting-dropped', id: e.id, client: e.client.location, reason });
  }

  private clientLost(incarnation: string): void {
    for (let k = this.queue.length - 1; k >= 0; k--) if (this.queue[k]!.client.incarnation === incarnation) this.queue.splice(k, 1);
    for (const comp of this.computations.values()) if (comp.owner.incarnation === incarnation) comp.coro.send(new CloseComputation(0, 'client lost', false));
  }

  private async setEnabled(enabled: boolean): Promise<boolean> {
    if (enabled === this.enabled) return true;
    this.enabled = enabled;
    this.deps.publish({ kind: 'node-enabled', enabled, to: this.recipients() });
    if (enabled) await this.grantWaiting();
    return true;
  }

  private stop(m: StopNode): void {
    this.stopReplies.push(m.replyTo);
    if (!this.stopping) {
      this.stopping = true;
      this.deps.publish({ kind: 'stopping' });
      this.dropQueue('node stopping');
    }
    for (const c of this.computations.values()) c.coro.send(new CloseComputation(m.grace, 'node stopping', false));
  }

  /** The computations that are not closing: those told about the node. */
  private recipients(): Recipient[] {
    return [...this.computations.values()].filter((c) => !c.closing).map((c) => ({ id: c.id, client: c.client }));
  }

  private async tick(coro: Coro<any, void>): Promise<void> {
    const avail = await within(coro.scheduler, this.deps.measure(), { coro, timeout: 5000 }).catch((): typeof TIMED_OUT => TIMED_OUT);
    if (avail === TIMED_OUT) return;
    this.lastAvail = avail;
    this.availAt = Date.now();
    this.deps.publish({ kind: 'avail', avail, to: this.recipients() });
  }

  /** The window stopped (waiting computations are refused), ended (served ones are closed, jobs terminated) or opened. */
  private async checkService(): Promise<void> {
    const change = this.service.check();
    if (change === undefined) return;
    const { phase } = change;
    const status = this.serviceStatus;
    this.deps.logger.info({ phase, status }, 'discoro: service window');
    if (phase !== 'open') this.dropQueue(status);
    if (phase === 'ended') for (const c of this.computations.values()) c.coro.send(new CloseComputation(0, `service window ended (${status})`, false));
    else if (phase === 'stopped') this.deps.publish({ kind: 'service', phase, status, to: this.recipients() });
    else await this.grantWaiting();
  }
}
