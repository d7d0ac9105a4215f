/**
 * One computation as a discoronode serves it: the CPU slots it holds, its folder (the shipped
 * components, one working folder per server), its server processes (a killed one is reported to
 * the client and replaced), and the time of the client's last pulse.
 * @module
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../../runtime/logging.js';
import type { Location } from '../../../transports/net/Location.js';
import { ComponentError } from '../../actorErrors.js';
import type { ComputationManifest, NodeEvent, ServerInfo, ToServer } from '../protocol.js';
import type { ServerProcess } from './ServerProcess.js';

type StartMessage = Extract<ToServer, { type: 'start' }>;

/**
 * What a computation needs from its node.
 * @example
 * ```ts
 * const host: ComputationHost = obj; // a DiscoroNode
host.returnPort(host.takePort());
 * ```
 */
export interface ComputationHost {
  readonly name: string;
  readonly location: string;
  readonly logger: Logger;
  /** Folder of all computations (the node's file-transfer destination). */
  readonly root: string;
  /** How long servers take to start at most (ms). */
  readonly startTimeout: number;
  /** Network settings of a server (its port comes from `takePort`). */
  serverNetwork(port: number): StartMessage['network'];
  readonly logLevel: string;
  takePort(): number;
  returnPort(port: number): void;
  post(client: Location, computationId: string, event: NodeEvent): void;
  serverPidsChanged(): void;
  /** A fresh process for a server (a pre-started spare when there is one). */
  serverProcess(): ServerProcess;
  /** Something a dashboard shows changed (a server started or exited, a job report). */
  changed(): void;
}

/** Replacements of killed servers a computation gets at most (a server that keeps dying is not restarted forever). */
const MAX_REPLACEMENTS = 20;

/**
 * A computation on a node.
 * @example
 * ```ts
 * const comp = new NodeComputation(obj, 'c-1f2e', loc, 2, 60_000);
 * const servers = await comp.setup({ modules: ['work.js'], sources: [] });
 * await comp.close(5000);
 * ```
 */
export class NodeComputation {
  readonly folder: string;
  readonly servers = new Map<number, { process: ServerProcess; port: number; info?: ServerInfo }>();
  lastPulse = Date.now();
  closing = false;
  private manifest: ComputationManifest | undefined;
  private replacements = 0;
  private closed: Promise<void> | undefined;
  private grace = Infinity;
  private reason: string | undefined;
  /** Jobs done and failed on servers that exited. */
  private readonly pastJobs = { done: 0, failed: 0 };

  constructor(
    private readonly host: ComputationHost,
    readonly id: string,
    readonly client: Location,
    readonly cpus: number,
    readonly zombiePeriod: number,
    /** The client's incarnation: its servers serve that peer only. */
    readonly clientIncarnation = '',
  ) {
    this.folder = path.join(host.root, id);
  }

  /** Jobs running on its servers, as they last reported. */
  get runningJobs(): number {
    let n = 0;
    for (const s of this.servers.values()) n += s.process.running;
    return n;
  }

  /** Its jobs running, done and failed, as its servers (and the ones it lost) last reported. */
  get jobTotals(): { running: number; done: number; failed: number } {
    const t = { running: 0, ...this.pastJobs };
    for (const s of this.servers.values()) {
      t.running += s.process.report.running;
      t.done += s.process.report.done;
      t.failed += s.process.report.failed;
    }
    return t;
  }

  /**
   * Runs the node setup (if any) in a short-lived process, then starts one server per slot.
   * Rejects with ComponentError/SetupFailedError/UnknownJobFunctionError (and stops what started).
   */
  async setup(manifest: ComputationManifest): Promise<ServerInfo[]> {
    if (this.manifest !== undefined) throw new ComponentError(`computation ${this.id} is already set up at ${this.host.name}`);
    this.manifest = manifest;
    try {
      if (manifest.nodeSetup !== undefined) {
        const proc = this.host.serverProcess();
        try {
          await proc.start(this.startMessage(0, 'node-setup', 0), this.host.startTimeout);
        } finally {
          await proc.close(0);
        }
      }
      const indexes = Array.from({ length: this.cpus }, (_, k) => k + 1);
      return await Promise.all(indexes.map((i) => this.startServer(i)));
    } catch (err) {
      await this.stopServers(0);
      throw err;
    }
  }

  /**
   * Closes its servers (running jobs get `grace` ms, then are terminated; Infinity: until they
   * end) and removes its folder; tells the client why when `reason` is given. Called again while
   * closing, a shorter grace cuts the wait short (and the later reason is the one told).
   */
  close(grace: number, reason?: string): Promise<void> {
    if (this.closed !== undefined) {
      this.reason = reason ?? this.reason;
      if (grace < this.grace) {
        this.grace = grace;
        void this.stopServers(grace);
      }
      return this.closed;
    }
    this.closing = true;
    this.grace = grace;
    this.reason = reason;
    this.closed = (async () => {
      await this.stopServers(grace);
      await rm(this.folder, { recursive: true, force: true }).catch((err: Error) => this.host.logger.warn({ err, folder: this.folder }, 'discoro: could not remove a computation folder'));
      if (this.reason !== undefined) this.host.post(this.client, this.id, { kind: 'closed', reason: this.reason });
    })();
    return this.closed;
  }

  private startMessage(index: number, mode: 'server' | 'node-setup', port: number): StartMessage {
    return {
      type: 'start', computationId: this.id, mode, index, nodeName: this.host.name, folder: this.folder,
      client: { location: String(this.client), incarnation: this.clientIncarnation },
      manifest: this.manifest!, network: this.host.serverNetwork(port), logLevel: this.host.logLevel,
    };
  }

  private async startServer(index: number): Promise<ServerInfo> {
    const port = this.host.takePort();
    const proc = this.host.serverProcess();
    const entry: { process: ServerProcess; port: number; info?: ServerInfo } = { process: proc, port };
    this.servers.set(index, entry);
    this.host.serverPidsChanged();
    proc.onExit = (code, signal) => this.serverExited(index, entry, code, signal);
    proc.onReport = () => this.host.changed();
    const location = await proc.start(this.startMessage(index, 'server', port), this.host.startTimeout);
    entry.info = { location, node: this.host.location, pid: proc.pid, index };
    this.host.changed();
    if (this.closing) await proc.close(0); // closed while it started
    return entry.info;
  }

  private serverExited(index: number, entry: { process: ServerProcess; port: number; info?: ServerInfo }, code: number | null, signal: NodeJS.Signals | null): void {
    this.host.returnPort(entry.port);
    if (this.servers.get(index) === entry) {
      this.servers.delete(index);
      this.pastJobs.done += entry.process.report.done;
      this.pastJobs.failed += entry.process.report.failed + entry.process.report.running; // lost with it
    }
    this.host.serverPidsChanged();
    this.host.changed();
    if (this.closing || entry.info === undefined) return;
    const reason = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
    this.host.logger.warn({ computation: this.id, server: entry.info.location, reason }, 'discoro: a server process was lost; starting a replacement');
    this.host.post(this.client, this.id, { kind: 'server-lost', server: entry.info, reason });
    if (this.replacements++ >= MAX_REPLACEMENTS) return;
    this.startServer(index).then(
      (info) => {
        if (!this.closing) this.host.post(this.client, this.id, { kind: 'server-up', server: info });
      },
      (err: Error) => this.host.logger.warn({ err, computation: this.id }, 'discoro: a replacement server did not start'),
    );
  }

  private async stopServers(grace: number): Promise<void> {
    const all = [...this.servers.values()];
    await Promise.all(all.map((s) => s.process.close(grace)));
  }
}
