/**
 * One computation at a discoronode, as a coroutine (`computation-<id>`, a child of the node's
 * `computations` Supervisor): it owns the slots granted to it, its folder (the shipped
 * components, one working folder per server), its node setup and its servers, and the time of
 * its client's last pulse. Its servers are supervised by `servers-<id>`, a Supervisor it starts
 * and stops: one server owner per slot, restarted (`transient`, with backoff) when its process
 * dies, within the node's restart intensity; beyond it the supervisor gives up and the
 * computation closes. It closes itself when its client is silent for its zombie period, and
 * ends once its servers are gone and its folder removed, returning the reason its client is told.
 * @module
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Coro } from '../../../runtime/Coro.js';
import { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import type { Scheduler } from '../../../runtime/Scheduler.js';
import { within } from '../../../runtime/within.js';
import type { Logger } from '../../../runtime/logging.js';
import type { ForkedProcess } from '../../../transports/io/ForkedProcess.js';
import { ProcessExit, ProcessMessage } from '../../../transports/io/ForkedProcess.js';
import { ComponentError, ComputationClosedError } from '../../actorErrors.js';
import { Supervisor } from '../../Supervisor.js';
import type { ComputationManifest, FromServer, NodeEvent, ServerInfo, ToServer } from '../protocol.js';
import type { Location } from '../../../transports/net/Location.js';
import type { ClientRef, NodeChange } from './nodeEvents.js';
import { answer, CloseComputation, CloseServer, HoldServer, PULSE, ServerNews, Setup, type Reply } from './nodeMessages.js';
import { ServerOwner, startError, type ServerContext, type ServerSlot } from './ServerOwner.js';
import { packagesReady, type PackageSource } from './computationModules.js';
import type { Address } from '../../../runtime/address.js';

type StartMessage = Extract<ToServer, { type: 'start' }>;
const WAKE = Symbol('wake');
/** The delay before a server is restarted: 10 ms, doubled with each restart in the window, at most 1 s. */
// A server killed after it served a while comes back at once (10 ms); one that keeps dying within
// half a second of its start (a crash loop) waits twice as long each time, up to 1 s.
const RESTART_BACKOFF = { initialMs: 10, maxMs: 1000, resetAfterMs: 500 };

/**
 * What a computation needs from its node.
 * @example
 * ```ts
 * log(host.name, host.root); // DiscoroNode builds the host of its computations
 * ```
 */
export interface ComputationHost {
  readonly name: string;
  readonly location: string;
  readonly logger: Logger;
  readonly scheduler: Scheduler;
  /** Folder of all computations (the node's file-transfer destination). */
  readonly root: string;
  readonly startTimeout: number;
  readonly logLevel: string;
  readonly serverRestarts: { maxRestarts: number; withinMs: number };
  /** Where the packages its computations' jobs import come from (the node's --modules, its limit on shipped ones). */
  readonly packages: Omit<PackageSource, 'nodeName'>;
  /** Network settings of a server listening on `port` (with the node's secret: sent over IPC only). */
  serverNetwork(port: number): StartMessage['network'];
  takeProcess(owner: Coro<any, any>): Promise<ForkedProcess>;
  publish(change: NodeChange): void;
  /**
   * Tells `client` about its computation `id` and resolves once the client has taken it in (after
   * every event published before): a request, not a post, for what must reach it before what follows.
   */
  tellClient(client: Location, id: string, event: NodeEvent): Promise<void>;
}

/**
 * A computation on a node; its fields are written by its coroutine only.
 * @example
 * ```ts
 * const comp = new NodeComputation(host, 'c-1f2e', client, 2, 60_000, [0, 0]);
 * await computations.startChild({ id: 'computation-c-1f2e', start: (coro: Coro<any, any>) => comp.run(coro), restart: 'temporary' });
 * ```
 */
export class NodeComputation implements ServerContext {
  readonly folder: string;
  phase: 'reserved' | 'setting-up' | 'serving' | 'closing' = 'reserved';
  /** The current owner of each server slot (by index). */
  readonly servers = new Map<number, ServerOwner>();
  /** Locations of the servers its operator holds. */
  readonly held = new Set<string>();
  lastPulse = performance.now();
  coro!: Coro<any, any>;
  /** What its client is told when it closes. */
  closeReason: string | undefined;
  private grace = Infinity;
  private manifest: ComputationManifest | undefined;
  private setupReply: Address<Reply<ServerInfo[]>> | undefined;
  private readonly pending = new Set<number>();
  private nodeSetup: { process: ForkedProcess; deadline: number | undefined } | undefined;
  private serversSup: Supervisor | undefined;
  /** Jobs done and failed on servers that are gone. */
  private readonly pastJobs = { done: 0, failed: 0 };

  constructor(
    private readonly host: ComputationHost,
    readonly id: string,
    readonly owner: ClientRef,
    readonly cpus: number,
    readonly zombiePeriod: number,
    /** The port of each server (0: ephemeral). */
    readonly ports: readonly number[],
    /** What its client calls it (its id if it said nothing). */
    readonly name: string = id,
  ) {
    this.folder = path.join(host.root, id);
  }

  get client(): ClientRef['location'] {
    return this.owner.location;
  }
  get computation(): Coro<any, any> {
    return this.coro;
  }
  get nodeName(): string {
    return this.host.name;
  }
  get nodeLocation(): string {
    return this.host.location;
  }
  get startTimeout(): number {
    return this.host.startTimeout;
  }
  get closing(): boolean {
    return this.phase === 'closing';
  }

  /** Its jobs running, done and failed, as its servers (and the ones it lost) last reported. */
  get jobTotals(): { running: number; done: number; failed: number } {
    const t = { running: 0, ...this.pastJobs };
    for (const s of this.servers.values()) {
      t.running += s.report.running;
      t.done += s.report.done;
      t.failed += s.report.failed;
    }
    return t;
  }

  /** Pids of its server processes (and of its node setup while it runs). */
  get pids(): number[] {
    const pids = [...this.servers.values()].flatMap((s) => (s.process?.isAlive === true ? [s.process.pid] : []));
    if (this.nodeSetup !== undefined) pids.push(this.nodeSetup.process.pid);
    return pids;
  }

  port(index: number): number {
    return this.ports[index - 1] ?? 0;
  }
  takeProcess(owner: Coro<any, any>): Promise<ForkedProcess> {
    return this.host.takeProcess(owner);
  }
  publish(change: NodeChange): void {
    this.host.publish(change);
  }
  tellClient(event: NodeEvent): Promise<void> {
    return this.host.tellClient(this.client, this.id, event);
  }
  startMessage(index: number, port: number, mode: 'server' | 'node-setup' = 'server'): StartMessage {
    return {
      type: 'start', computationId: this.id, mode, index, nodeName: this.host.name, folder: this.folder,
      client: { location: String(this.owner.location), incarnation: this.owner.incarnation },
      manifest: this.manifest!, network: this.host.serverNetwork(port), logLevel: this.host.logLevel,
    };
  }

  /** The body of its coroutine; returns the reason its client is told (undefined: none). */
  async run(coro: Coro<any, any>): Promise<string | undefined> {
    this.coro = coro;
    try {
      while (!(this.phase === 'closing' && this.servers.size === 0 && this.nodeSetup === undefined)) {
        const m = await coro.receive({ timeout: this.wakeIn(), alarm: WAKE });
        if (m !== WAKE) await this.handle(coro, m);
        this.timers(); // due even while messages keep coming
      }
    } finally {
      this.phase = 'closing';
      this.setupReply?.send({ ok: false, error: new ComputationClosedError(`computation ${this.id} was closed at ${this.host.name}`) });
      this.setupReply = undefined;
      this.nodeSetup?.process.kill();
      // Without the coroutine (it may be terminated): the servers go, then the folder.
      await this.serversSup?.stop();
      const removed = rm(this.folder, { recursive: true, force: true }).catch((err: Error) => this.host.logger.warn({ err, folder: this.folder }, 'discoro: could not remove a computation folder'));
      await within(this.host.scheduler, removed, { timeout: 30_000 });
    }
    return this.closeReason;
  }

  private async handle(coro: Coro<any, any>, m: unknown): Promise<void> {
    if (m === PULSE) this.lastPulse = performance.now();
    else if (m instanceof ServerNews) await this.serverNews(m);
    else if (m instanceof CloseComputation) this.close(m.grace, m.reason, m.announce);
    else if (m instanceof HoldServer) await answer(m.replyTo, () => this.hold(m.location, m.held));
    else if (m instanceof Setup) {
      if (this.phase === 'closing') m.replyTo.send({ ok: false, error: new ComputationClosedError(`computation ${this.id} is closing at ${this.host.name}`) });
      else if (this.phase !== 'reserved') m.replyTo.send({ ok: false, error: new ComponentError(`computation ${this.id} is already set up at ${this.host.name}`) });
      else await this.setup(coro, m);
    } else if ((m instanceof ProcessMessage || m instanceof ProcessExit) && m.process === this.nodeSetup?.process) await this.nodeSetupNews(coro, m);
    else if (m instanceof MonitorStatus && m.coro === this.serversSup?.coro && !m.ok && this.phase !== 'closing') {
      this.host.logger.error({ computation: this.id, err: m.error }, 'discoro: its servers kept failing; the computation is closed');
      this.failed(new ComputationClosedError(`the servers of computation ${this.id} kept failing at ${this.host.name}`, { cause: m.error }), `its servers kept failing at ${this.host.name}`);
    }
  }

  /** Milliseconds until its client's silence reaches the zombie period, or the node setup's deadline. */
  private wakeIn(): number | undefined {
    if (this.phase === 'closing') return undefined;
    const now = performance.now();
    let at = this.lastPulse + this.zombiePeriod;
    if (this.nodeSetup?.deadline !== undefined) at = Math.min(at, this.nodeSetup.deadline);
    return Math.max(0, at - now);
  }

  private timers(): void {
    const now = performance.now() + 1; // the timer heap may fire up to half a millisecond early
    const setup = this.nodeSetup;
    if (setup?.deadline !== undefined && now >= setup.deadline) {
      setup.deadline = undefined;
      setup.process.kill();
      this.failed(new ComponentError(`the node setup of computation ${this.id} at ${this.host.name} did not end within ${this.host.startTimeout} ms`), undefined);
    }
    if (this.phase !== 'closing' && now - this.lastPulse >= this.zombiePeriod) {
      this.host.logger.info({ computation: this.id, client: String(this.client) }, 'discoro: no pulse from the client for its zombie period');
      this.close(0, 'zombie: no pulse from the client', false);
    }
  }

  /** Runs the node setup (if any) in a process of its own, then starts one server per slot. */
  private async setup(coro: Coro<any, any>, m: Setup): Promise<void> {
    this.manifest = m.manifest;
    this.setupReply = m.replyTo;
    this.phase = 'setting-up';
    const source: PackageSource = { ...this.host.packages, nodeName: this.host.name };
    const failure = await packagesReady(this.host.scheduler, this.folder, m.manifest.packages ?? [], source, this.host.startTimeout);
    if (failure !== undefined) return this.failed(failure, undefined);
    if (m.manifest.nodeSetup === undefined) return this.startServers(coro);
    const process = await this.host.takeProcess(coro);
    this.nodeSetup = { process, deadline: performance.now() + this.host.startTimeout };
    this.publish({ kind: 'processes' });
    process.send(this.startMessage(0, 0, 'node-setup'));
  }

  private async nodeSetupNews(coro: Coro<any, any>, m: ProcessMessage | ProcessExit): Promise<void> {
    const setup = this.nodeSetup!;
    if (m instanceof ProcessExit) {
      this.nodeSetup = undefined;
      this.publish({ kind: 'processes' });
      if (setup.deadline !== undefined && this.phase !== 'closing') {
        this.failed(new ComponentError(`the node setup of computation ${this.id} at ${this.host.name} exited (code ${m.status.code}) before it was done`), undefined);
      }
      return;
    }
    const data = m.data as FromServer;
    if (data.type === 'failed') {
      setup.deadline = undefined;
      this.failed(startError(data), undefined);
    } else if (data.type === 'setup-done' && setup.deadline !== undefined) {
      setup.deadline = undefined; // the process exits by itself
      if (this.phase === 'setting-up') await this.startServers(coro);
    }
  }

  private async startServers(coro: Coro<any, any>): Promise<void> {
    const r = this.host.serverRestarts;
    const sup = (this.serversSup = await Supervisor.start([], {
      scheduler: this.host.scheduler, name: `servers-${this.id}`, strategy: 'one-for-one',
      maxRestarts: r.maxRestarts, withinMs: r.withinMs, backoff: RESTART_BACKOFF,
    }));
    sup.coro!.notify(coro);
    for (let index = 1; index <= this.cpus; index++) {
      this.pending.add(index);
      const slot: ServerSlot = { index, starts: 0 };
      await sup.startChild({ id: `server-${index}@${this.id}`, start: (c: Coro<any, void>) => new ServerOwner(this, slot).run(c), restart: 'transient', shutdownTimeout: 10_000 });
    }
  }

  private async serverNews(m: ServerNews): Promise<void> {
    const owner = m.owner as ServerOwner;
    const index = owner.index;
    switch (m.what) {
      case 'starting':
        this.servers.set(index, owner);
        if (this.phase === 'closing') owner.coro?.send(new CloseServer(this.grace));
        return;
      case 'ready': {
        const info = owner.info!;
        this.publish({ kind: 'server-up', id: this.id, client: this.client, server: info, replacement: this.phase === 'serving' });
        if (this.pending.delete(index) && this.pending.size === 0 && this.phase === 'setting-up') {
          this.phase = 'serving';
          const infos = [...this.servers.values()].flatMap((s) => (s.info === undefined ? [] : [s.info])).sort((a, b) => a.index - b.index);
          this.setupReply?.send({ ok: true, value: infos });
          this.setupReply = undefined;
        }
        return;
      }
      case 'failed':
        this.failed(m.error!, undefined);
        return;
      case 'gone':
        if (this.servers.get(index) === owner) this.servers.delete(index);
        this.pastJobs.done += owner.report.done;
        this.pastJobs.failed += owner.report.failed + owner.report.running; // lost with it
        if (owner.info !== undefined) this.held.delete(owner.info.location);
        if (m.unexpected && owner.info !== undefined && this.phase !== 'closing') {
          this.host.logger.warn({ computation: this.id, server: owner.info.location, err: m.error }, 'discoro: a server process was lost; it is restarted');
          this.lostJobs(owner, m.error!);
          this.publish({ kind: 'server-lost', id: this.id, client: this.client, server: owner.info, reason: m.error!.message });
          if (this.phase === 'setting-up') this.pending.add(index); // the setup waits for its replacement
        } else if (owner.retired?.restart === true && this.phase === 'serving') {
          // A job closed its server and asked for a fresh one in its place (not a failure: no backoff, no restart counted).
          await this.serversSup?.restartChild(`server-${index}@${this.id}`).catch((err: Error) => this.host.logger.warn({ computation: this.id, err }, 'discoro: a closed server could not be restarted'));
        }
    }
  }

  /** The jobs its server last reported running were lost with it: failed jobs too, for the history. */
  private lostJobs(owner: ServerOwner, error: Error): void {
    const r = owner.report;
    if (r.running === 0) return;
    const at = Date.now();
    const failures = r.jobs.map((j) => ({ id: j.id, fn: j.fn, args: j.args, error: { name: error.name, code: (error as { code?: string }).code, message: error.message, stack: error.stack ?? `${error.name}: ${error.message}` }, startTime: j.startTime, endTime: at }));
    this.publish({ kind: 'jobs-failed', id: this.id, name: this.name, client: this.client, server: owner.info!.location, failures, dropped: r.running - failures.length });
  }

  private hold(location: string, held: boolean): boolean {
    const server = [...this.servers.values()].find((s) => s.info?.location === location);
    if (server === undefined || this.phase === 'closing') return false;
    if (held) this.held.add(location);
    else this.held.delete(location);
    this.publish({ kind: 'server-held', id: this.id, client: this.client, server: location, held });
    return true;
  }

  /** Its setup (if running) fails with `error`; it closes at once, its client told `reason`. */
  private failed(error: Error, reason: string | undefined): void {
    this.setupReply?.send({ ok: false, error });
    this.setupReply = undefined;
    this.close(0, reason, false);
  }

  /**
   * Closes its servers: running jobs get `grace` ms (Infinity: until they end); `reason` is told
   * to its client at the end. Again while closing, a shorter grace cuts the wait short.
   */
  private close(grace: number, reason: string | undefined, announce: boolean): void {
    if (reason !== undefined) this.closeReason = reason;
    if (this.phase === 'closing') {
      if (grace < this.grace) {
        this.grace = grace;
        for (const s of this.servers.values()) s.coro?.send(new CloseServer(grace));
      }
      return;
    }
    this.phase = 'closing';
    this.grace = grace;
    if (announce && reason !== undefined) this.publish({ kind: 'computation-closing', id: this.id, client: this.client, reason });
    this.setupReply?.send({ ok: false, error: new ComputationClosedError(`computation ${this.id} was closed at ${this.host.name}${reason === undefined ? '' : `: ${reason}`}`) });
    this.setupReply = undefined;
    this.nodeSetup?.process.kill();
    for (const s of this.servers.values()) s.coro?.send(new CloseServer(grace));
  }
}
