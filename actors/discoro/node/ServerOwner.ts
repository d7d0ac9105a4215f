/**
 * The coroutine that owns one server process of a computation (Erlang's port owner): it takes a
 * process (a spare, or a new fork), tells it what to load, waits for it to be ready, then relays
 * what it reports (its jobs) and what the node asks of it (terminate a job, close), until the
 * process ends. It ends when its process does: normally when it was asked to close, with
 * ServerLostError when the process exited on its own, so that the supervisor of the
 * computation's servers restarts it (`transient`, with backoff). Whatever ends it, the process
 * ends with it.
 * @module
 */
import type { Coro } from '../../../runtime/Coro.js';
import type { Location } from '../../../transports/net/Location.js';
import { ForkedProcess, ProcessExit, ProcessMessage } from '../../../transports/io/ForkedProcess.js';
import { ComponentError, ServerLostError, SetupFailedError, UnknownJobFunctionError } from '../../actorErrors.js';
import type { FromServer, JobReport, NodeEvent, ServerInfo, ToServer } from '../protocol.js';
import type { NodeChange } from './nodeEvents.js';
import { CloseServer, ServerNews, TerminateJob, type Reply } from './nodeMessages.js';
import type { Address } from '../../../runtime/address.js';

type StartMessage = Extract<ToServer, { type: 'start' }>;
const TIMED_OUT = Symbol('timed out');
/** How long a killed process may take to be reaped. */
const REAP_MS = 5000;
/** How much longer than its grace a closing server may take before it is killed. */
const CLOSE_SLACK_MS = 2000;

/**
 * What a server owner needs from its computation.
 * @example
 * ```ts
 * const context: ServerContext = comp; // a computation is the context of its servers
 * ```
 */
export interface ServerContext {
  readonly id: string;
  /** What its client calls the computation. */
  readonly name: string;
  readonly client: Location;
  /** The computation's coroutine (told `ServerNews`). */
  readonly computation: Coro<any, any>;
  readonly nodeName: string;
  readonly nodeLocation: string;
  readonly startTimeout: number;
  /** The start message of server `index`, listening on `port` (0: ephemeral). */
  startMessage(index: number, port: number): StartMessage;
  /** The port of server `index`. */
  port(index: number): number;
  /** A fresh process owned by `owner`: a spare if there is one, else a new fork. */
  takeProcess(owner: Coro<any, any>): Promise<ForkedProcess>;
  publish(change: NodeChange): void;
  /** Tells the computation's client `event` (after every event published before); resolves once it has it. */
  tellClient(event: NodeEvent): Promise<void>;
}

/**
 * One server slot of a computation (kept across the restarts of its owner): its index and how
 * many times an owner started there.
 * @example
 * ```ts
 * const slot: ServerSlot = { index: 1, starts: 0 };
 * ```
 */
export interface ServerSlot {
  readonly index: number;
  starts: number;
}

/**
 * One incarnation of a server owner; its fields are written by its coroutine only.
 * @example
 * ```ts
 * await sup.startChild({ id: 'server-1', start: (coro: Coro<any, void>) => new ServerOwner(ctx, slot).run(coro), restart: 'transient' });
 * ```
 */
export class ServerOwner {
  /** Its process, once it has one. */
  process: ForkedProcess | undefined;
  /** Where the server listens, once it is ready. */
  info: ServerInfo | undefined;
  /** Its jobs as the server last reported them. */
  report: JobReport = { type: 'jobs', running: 0, done: 0, failed: 0, jobs: [] };
  closing = false;
  /** A job closed the server; `restart`: a fresh one is to take its place. */
  retired: { restart: boolean } | undefined;
  coro: Coro<any, void> | undefined;
  private nextRef = 1;
  private readonly terminations = new Map<number, Address<Reply<boolean>>>();

  constructor(
    private readonly ctx: ServerContext,
    private readonly slot: ServerSlot,
  ) {}

  get index(): number {
    return this.slot.index;
  }

  /** The body of its coroutine. */
  async run(coro: Coro<any, void>): Promise<void> {
    this.coro = coro;
    const first = this.slot.starts++ === 0;
    const ctx = this.ctx;
    ctx.computation.send(new ServerNews(this, 'starting'));
    let gone: Error | undefined;
    let unexpected = false;
    try {
      const proc = (this.process = await ctx.takeProcess(coro));
      ctx.publish({ kind: 'processes' });
      proc.send(ctx.startMessage(this.index, ctx.port(this.index)));
      const failure = await this.started(coro, proc);
      if (failure === 'closed') return;
      if (failure !== undefined) {
        gone = failure;
        if (!first) throw failure; // a restart that fails is a failure of this child
        ctx.computation.send(new ServerNews(this, 'failed', failure));
        return;
      }
      ctx.computation.send(new ServerNews(this, 'ready'));
      const exit = await this.serve(coro, proc);
      if (exit !== undefined) {
        unexpected = true;
        gone = new ServerLostError(`server ${this.index} of ${ctx.nodeName} (pid ${proc.pid}) ${describeExit(exit)}`);
        throw gone;
      }
    } finally {
      await this.release();
      ctx.computation.send(new ServerNews(this, 'gone', gone, unexpected));
    }
  }

  /** Waits for the server to be ready: undefined then, 'closed' when asked to close first, else its failure. */
  private async started(coro: Coro<any, void>, proc: ForkedProcess): Promise<Error | 'closed' | undefined> {
    const ctx = this.ctx;
    const deadline = performance.now() + ctx.startTimeout;
    for (;;) {
      const m = await coro.receive({ timeout: Math.max(0, deadline - performance.now()), alarm: TIMED_OUT });
      if (m === TIMED_OUT) return new ComponentError(`server ${this.index} of ${ctx.nodeName} did not start within ${ctx.startTimeout} ms`);
      if (m instanceof CloseServer) return 'closed';
      if (m instanceof TerminateJob) m.replyTo.send({ ok: true, value: false });
      else if (m instanceof ProcessExit && m.process === proc) {
        const why = proc.stderrTail.trim().split('\n').slice(-3).join(' | ');
        return new ComponentError(`server ${this.index} of ${ctx.nodeName} ${describeExit(m)} before it was ready${why === '' ? '' : `: ${why}`}`);
      } else if (m instanceof ProcessMessage && m.process === proc) {
        const data = m.data as FromServer;
        if (data.type === 'ready') {
          this.info = { location: data.location, node: ctx.nodeLocation, pid: proc.pid, index: this.index };
          return undefined;
        }
        if (data.type === 'failed') return startError(data);
      }
    }
  }

  /** Relays until the process ends: undefined when it was closed, its exit when it ended on its own. */
  private async serve(coro: Coro<any, void>, proc: ForkedProcess): Promise<ProcessExit | undefined> {
    let deadline = Infinity;
    for (;;) {
      const m = await coro.receive({ timeout: deadline === Infinity ? undefined : Math.max(0, deadline - performance.now()), alarm: TIMED_OUT });
      if (m === TIMED_OUT) {
        proc.kill(); // it did not close within its grace (and the slack)
        deadline = Infinity;
      } else if (m instanceof ProcessExit && m.process === proc) {
        return this.closing ? undefined : m;
      } else if (m instanceof ProcessMessage && m.process === proc) {
        await this.fromServer(m.data as FromServer);
      } else if (m instanceof TerminateJob) {
        const ref = this.nextRef++;
        if (proc.send({ type: 'terminate', ref, job: m.job } satisfies ToServer)) this.terminations.set(ref, m.replyTo);
        else m.replyTo.send({ ok: true, value: false });
      } else if (m instanceof CloseServer) {
        this.closing = true;
        // Again while it closes, a shorter grace cuts it short (the server keeps the earliest deadline).
        if (!proc.send({ type: 'close', grace: m.grace } satisfies ToServer)) proc.kill();
        if (Number.isFinite(m.grace)) deadline = Math.min(deadline, performance.now() + m.grace + CLOSE_SLACK_MS);
      }
    }
  }

  private async fromServer(data: FromServer): Promise<void> {
    if (data.type === 'jobs') {
      const { failures, failuresDropped, ...report } = data;
      this.report = report;
      const ctx = this.ctx;
      if (failures !== undefined && (failures.length > 0 || (failuresDropped ?? 0) > 0)) {
        ctx.publish({ kind: 'jobs-failed', id: ctx.id, name: ctx.name, client: ctx.client, server: this.info!.location, failures, dropped: failuresDropped ?? 0 });
      }
      ctx.publish({ kind: 'jobs', id: ctx.id, server: this.info!.location });
    } else if (data.type === 'retiring') {
      // Its exit will be no loss; its client starts no new job there from now on.
      this.closing = true;
      this.retired = { restart: data.restart === true };
      this.ctx.publish({ kind: 'server-held', id: this.ctx.id, client: this.ctx.client, server: this.info!.location, held: true });
    } else if (data.type === 'retired') {
      // Its client has it before the server goes: it never sees it vanish first.
      await this.ctx.tellClient({ kind: 'server-closed', server: this.info! });
      this.process?.send({ type: 'close', grace: 0 } satisfies ToServer);
    } else if (data.type === 'terminated') {
      const replyTo = this.terminations.get(data.ref);
      this.terminations.delete(data.ref);
      replyTo?.send({ ok: true, value: data.found });
    }
  }

  /** The process ends with its owner: killed if it still runs (waited for without the coroutine, which may be terminated). */
  private async release(): Promise<void> {
    for (const replyTo of this.terminations.values()) replyTo.send({ ok: true, value: false });
    this.terminations.clear();
    const proc = this.process;
    if (proc === undefined) return;
    if (proc.isAlive) {
      proc.kill();
      await proc.wait({ timeout: REAP_MS });
    }
    this.ctx.publish({ kind: 'processes' });
  }
}

function describeExit(exit: ProcessExit): string {
  if (exit.error !== undefined) return `could not be started (${exit.error.message})`;
  return exit.status.signal !== null ? `was killed by ${exit.status.signal}` : `exited with code ${exit.status.code}`;
}

/**
 * The typed error of a server's `failed` message.
 * @example
 * ```ts
 * throw startError({ type: 'failed', code: 'ERR_DISCORO_SETUP_FAILED', message: 'setup returned 1' });
 * ```
 */
export function startError(m: Extract<FromServer, { type: 'failed' }>): Error {
  if (m.code === SetupFailedError.CODE) return new SetupFailedError(m.message);
  if (m.code === UnknownJobFunctionError.CODE) return new UnknownJobFunctionError(m.message);
  return new ComponentError(m.message);
}
