/**
 * One incarnation of a supervisor, inside its coroutine: the children table, the loop that
 * starts them, hears of their ends, restarts them by policy and strategy, serves the commands
 * of `Supervisor`, and takes the children down when it ends. Internal to `Supervisor`.
 * @module
 */
import type { Coro } from '../runtime/Coro.js';
import { InvalidArgumentError, TimeoutError } from '../runtime/runtimeErrors.js';
import { ChildStartError, SupervisorGaveUpError, UnknownChildError } from './actorErrors.js';
import { MonitorStatus } from '../runtime/MonitorStatus.js';
import type { ChildSpec, ResolvedSupervisorOptions } from './childSpec.js';
import { ChildTable, type ChildEntry } from './ChildTable.js';

/** What `stop()` sends. */
export const STOP = Symbol('stop');
const TIMED_OUT = Symbol('timed out');
const DUE = Symbol('restart due');

/** A child called its `ready()`. */
class ChildReady {
  constructor(readonly token: object) {}
}
/** A restart whose start failed: handled as a failure of that child. */
class StartFailed {
  constructor(readonly entry: ChildEntry, readonly error: ChildStartError) {}
}
/** Thrown out of a start when `stop()` arrives meanwhile. */
class Stopping {}

/** What a Command asks for. */
export type CommandKind = 'started' | 'start' | 'terminate' | 'restart' | 'delete';
/** The answer to a Command: its value, or the error to throw. */
export type Reply = { ok: true; value: unknown } | { ok: false; error: unknown };
/** A request of `Supervisor` to its coroutine. */
export class Command {
  constructor(readonly kind: CommandKind, readonly arg: unknown, readonly replyTo: { send(reply: Reply): boolean }) {}
}
/** What the supervising coroutine receives. */
export type Message = MonitorStatus | ChildReady | StartFailed | Command | typeof STOP;

/**
 * The state and loop of one supervisor incarnation.
 * @example
 * ```ts
 * // internal: Supervisor spawns a coroutine whose body is `new SupervisorRun(specs, options).run(coro, ready)`
 * ```
 */
export class SupervisorRun {
  readonly table: ChildTable;
  private restartTimes: number[] = [];
  /** Restarts so far (each restarted child counts once). */
  restartCount = 0;

  constructor(initial: readonly ChildSpec[], private readonly options: ResolvedSupervisorOptions) {
    this.table = new ChildTable(initial);
  }

  async run(coro: Coro<Message, void>, ready: (() => void) | undefined): Promise<void> {
    try {
      for (const entry of this.table.entries()) {
        const error = await this.startEntry(coro, entry);
        if (error === undefined) continue;
        await this.shutdown(coro);
        if (ready !== undefined) throw error; // a nested supervisor fails its start; its parent reports it
        for (let m = coro.poll({ filter: isCommand }); m !== undefined; m = coro.poll({ filter: isCommand })) (m as Command).replyTo.send({ ok: false, error });
        return;
      }
      ready?.();
      for (;;) {
        const msg = await coro.receive({ timeout: this.table.nextRestartIn(), alarm: DUE });
        if (msg === STOP) return;
        if (msg instanceof MonitorStatus) await this.childEnded(coro, msg);
        else if (msg instanceof StartFailed) await this.afterEnd(coro, msg.entry, true);
        else if (msg instanceof Command) await this.serve(coro, msg);
        for (const entry of this.table.dueRestarts()) await this.restartEntry(coro, entry);
      }
    } catch (err) {
      if (!(err instanceof Stopping)) throw err;
    } finally {
      await this.shutdown(coro);
    }
  }

  private async childEnded(coro: Coro<Message, void>, status: MonitorStatus): Promise<void> {
    const entry = this.table.byCoro(status.coro);
    if (entry === undefined) return; // an incarnation we stopped ourselves
    this.table.stopped(entry);
    const failed = status.reason === 'failed';
    // The child's crash report, as an OTP supervisor gives one (the child's own is at info: it was monitored).
    if (failed) coro.scheduler.logger.warn({ supervisor: String(coro), child: entry.spec.id, coro: String(status.coro), err: status.error }, 'supervised child failed');
    await this.afterEnd(coro, entry, failed);
  }

  /** A child ended (or failed to restart): restart it and others by policy and strategy, or give up. */
  private async afterEnd(coro: Coro<Message, void>, entry: ChildEntry, failed: boolean): Promise<void> {
    const policy = entry.spec.restart ?? 'permanent';
    if (policy === 'temporary') return this.table.remove(entry);
    if (policy === 'transient' && !failed) return;
    if (this.intensityExceeded()) {
      coro.scheduler.logger.error({ supervisor: String(coro), child: entry.spec.id }, 'restart intensity reached: supervisor gives up');
      throw new SupervisorGaveUpError(`child '${entry.spec.id}' ended more than ${this.options.maxRestarts} times within ${this.options.withinMs} ms`);
    }
    const affected = this.table.affected(entry, this.options.strategy);
    for (const other of [...affected].reverse()) if (other !== entry) await this.stopEntry(coro, other);
    const restarting = affected.filter((e) => e === entry || e.spec.restart !== 'temporary');
    for (const other of affected) if (!restarting.includes(other)) this.table.remove(other);
    const delay = this.backoffDelay(entry);
    if (delay > 0) for (const e of restarting) this.table.restartAt(e, performance.now() + delay);
    else for (const e of restarting) await this.restartEntry(coro, e);
  }

  private async restartEntry(coro: Coro<Message, void>, entry: ChildEntry): Promise<void> {
    if (!this.table.has(entry) || entry.coro !== undefined) return;
    this.restartCount++;
    const error = await this.startEntry(coro, entry);
    if (error !== undefined) {
      coro.scheduler.logger.warn({ supervisor: String(coro), child: entry.spec.id, err: error.cause }, 'supervised child did not restart');
      coro.send(new StartFailed(entry, error));
    }
  }

  private async serve(coro: Coro<Message, void>, cmd: Command): Promise<void> {
    let reply: Reply;
    try {
      reply = { ok: true, value: await this.command(coro, cmd.kind, cmd.arg) };
    } catch (error) {
      if (error instanceof Stopping) throw error;
      reply = { ok: false, error };
    }
    cmd.replyTo.send(reply);
  }

  private async command(coro: Coro<Message, void>, kind: CommandKind, arg: unknown): Promise<unknown> {
    if (kind === 'started') return true;
    if (kind === 'start') {
      const spec = arg as ChildSpec;
      if (this.table.get(spec.id) !== undefined) throw new InvalidArgumentError(`supervisor ${coro} already has a child '${spec.id}' (restartChild or deleteChild it)`);
      const entry = this.table.add(spec);
      const error = await this.startEntry(coro, entry);
      if (error === undefined) return entry.coro;
      this.table.remove(entry);
      throw error;
    }
    const entry = this.table.get(arg as string);
    if (entry === undefined) throw new UnknownChildError(`supervisor ${coro} has no child '${String(arg)}'`);
    this.table.restartAt(entry, undefined);
    const wasRunning = entry.coro !== undefined;
    await this.stopEntry(coro, entry);
    if (kind === 'terminate') {
      if (entry.spec.restart === 'temporary') this.table.remove(entry);
      return wasRunning;
    }
    if (kind === 'delete') {
      this.table.remove(entry);
      return true;
    }
    const error = await this.startEntry(coro, entry);
    if (error !== undefined) throw error;
    return entry.coro;
  }

  /** Spawns and monitors a child; for a `ready` child, waits for its handshake. Returns its start error, if any. */
  private async startEntry(coro: Coro<Message, void>, entry: ChildEntry): Promise<ChildStartError | undefined> {
    const { spec } = entry;
    entry.startedAt = performance.now();
    const token = {};
    let told = false;
    const args = spec.ready === true ? [...(spec.args ?? []), () => void (!told && (told = true) && coro.isAlive && coro.send(new ChildReady(token)))] : (spec.args ?? []);
    let child: Coro<any, any>;
    try {
      child = coro.scheduler.spawnWith({ name: spec.id, mailbox: spec.mailbox }, spec.start as (c: Coro<any, any>, ...a: unknown[]) => unknown, ...args);
    } catch (err) {
      return startError(spec.id, `could not be spawned: ${(err as Error)?.message}`, err);
    }
    child.notify(coro);
    this.table.running(entry, child);
    if (spec.ready !== true) return undefined;
    const msg = await coro.receive({
      filter: (m) => (m instanceof ChildReady && m.token === token) || (m instanceof MonitorStatus && m.coro === child) || m === STOP,
      timeout: spec.readyTimeout ?? 5000,
      alarm: TIMED_OUT,
    });
    if (msg instanceof ChildReady) return undefined;
    if (msg instanceof MonitorStatus) {
      this.table.stopped(entry);
      const why = msg.reason === 'failed' ? 'failed' : msg.reason === 'terminated' ? 'was terminated' : 'ended';
      return startError(spec.id, `${why} before it was ready`, msg.error);
    }
    await this.stopEntry(coro, entry);
    if (msg === STOP) throw new Stopping();
    return startError(spec.id, `was not ready within ${spec.readyTimeout ?? 5000} ms`, new TimeoutError('ready() not called in time'));
  }

  /** Terminates a running child without hearing of it as a failure, and waits for it to end. */
  private async stopEntry(coro: Coro<Message, void>, entry: ChildEntry): Promise<void> {
    const child = entry.coro;
    if (child === undefined) return;
    this.table.stopped(entry);
    child.demonitor(coro);
    if (!child.terminate()) return;
    try {
      // Not as the supervisor's own wait: a supervisor being terminated (by its parent) still
      // waits for each child to end, up to its shutdownTimeout, as an OTP supervisor does.
      await child.finish({ timeout: entry.spec.shutdownTimeout ?? 5000 });
    } catch {
      // It ended terminated: go on.
    }
  }

  /** Like an OTP supervisor, takes the children down with it, last started first. */
  private async shutdown(coro: Coro<Message, void>): Promise<void> {
    for (const entry of this.table.running().reverse()) await this.stopEntry(coro, entry);
  }

  /** OTP's add_restart: one restart more, and the window's count checked against the limit. */
  private intensityExceeded(): boolean {
    const now = performance.now();
    this.restartTimes = this.restartTimes.filter((t) => now - t <= this.options.withinMs);
    this.restartTimes.push(now);
    return this.restartTimes.length > this.options.maxRestarts;
  }

  /** The delay before restarting `ended`: it grows with the child's failures in a row, each soon after its start. */
  private backoffDelay(ended: ChildEntry): number {
    const b = this.options.backoff;
    if (b === undefined) return 0;
    ended.quickFailures = performance.now() - ended.startedAt < b.resetAfterMs ? ended.quickFailures + 1 : 1;
    return Math.min(b.maxMs, b.initialMs * b.factor ** (ended.quickFailures - 1));
  }
}

function isCommand(m: Message): boolean {
  return m instanceof Command;
}

function startError(id: string, what: string, cause: unknown): ChildStartError {
  const error = new ChildStartError(`child '${id}' ${what}`, { cause });
  error.childId = id;
  return error;
}
