/**
 * OTP-style supervision: a coroutine that starts children from specs, watches
 * them with monitors, and restarts them by a strategy, within a restart
 * intensity it gives up beyond.
 * @module
 */
import type { Coro, CoroFunction } from '../runtime/Coro.js';
import { InvalidArgumentError } from '../runtime/runtimeErrors.js';
import { SupervisorGaveUpError } from './actorErrors.js';
import type { MailboxOptions } from '../runtime/Mailbox.js';
import { MonitorStatus } from '../runtime/MonitorStatus.js';
import { checkCount, checkFunction, checkName } from '../runtime/options.js';
import { Scheduler } from '../runtime/Scheduler.js';
import type { ActingWaitOptions } from '../runtime/coroTypes.js';

/**
 * When a child is restarted: always (`permanent`), only after it failed (`transient`), never
 * (`temporary`).
 */
export type RestartPolicy = 'permanent' | 'transient' | 'temporary';

/**
 * Which children restart when one must: only it, all of them, or it and those started after it.
 */
export type SupervisionStrategy = 'one-for-one' | 'one-for-all' | 'rest-for-one';

/**
 * A child, as data.
 * @example
 * ```ts
 * const spec: ChildSpec = { id: 'db', start: dbWorker, args: ['postgres://...'], restart: 'permanent' };
 * ```
 */
export interface ChildSpec {
  id: string;
  start: CoroFunction<any, any, any[]>;
  args?: unknown[];
  restart?: RestartPolicy;
  mailbox?: MailboxOptions;
}

/**
 * How a supervisor restarts: the strategy, at most `maxRestarts` within `withinMs` (default 3 in
 * 5 s), and an optional delay before each restart that grows with every restart in the window.
 * @example
 * ```ts
 * const options: SupervisorOptions = { strategy: 'one-for-all', maxRestarts: 5, withinMs: 10_000, backoff: { initialMs: 100, maxMs: 2000 } };
 * ```
 */
export interface SupervisorOptions {
  strategy?: SupervisionStrategy;
  maxRestarts?: number;
  withinMs?: number;
  backoff?: { initialMs: number; maxMs: number; factor?: number };
  name?: string;
  scheduler?: Scheduler;
}

const STOP = Symbol('stop');
const TIMED_OUT = Symbol('timed out');

/**
 * Starts children in order and keeps them running. A child that ends is restarted by its policy
 * and the strategy; more than `maxRestarts` restarts within `withinMs` make the supervisor give up
 * (terminate every child, end with SupervisorGaveUpError), as an OTP supervisor does. `stop()`
 * terminates the children in reverse start order. Children see nothing of this: they are plain
 * coroutines, and `child(id)` gives the one running now.
 *
 * @example
 * ```ts
 * const sup = Supervisor.start([
 *   { id: 'listener', start: listener, args: [8080] },
 *   { id: 'cache', start: cache, restart: 'transient' },
 * ], { strategy: 'rest-for-one', maxRestarts: 5, withinMs: 10_000 });
 * sup.child('cache')?.send({ get: 'key' });
 * await sup.stop();
 * ```
 */
export class Supervisor implements AsyncDisposable {
  /** The supervising coroutine (monitor it to learn when the supervisor gives up). */
  readonly coro: Coro<MonitorStatus | typeof STOP, void>;
  private readonly specs: ChildSpec[];
  private readonly running = new Map<string, Coro<any, any>>();
  private restartTimes: number[] = [];
  private restartCount = 0;

  private constructor(specs: ChildSpec[], private readonly options: Required<Omit<SupervisorOptions, 'backoff' | 'name' | 'scheduler'>> & SupervisorOptions) {
    this.specs = specs;
    const sched = options.scheduler ?? Scheduler.default();
    this.coro = sched.spawnWith({ name: options.name ?? 'supervisor' }, (coro: Coro<MonitorStatus | typeof STOP, void>) => this.supervise(coro));
  }

  /**
   * Validates the specs and options, then starts the supervisor (which starts the children).
   * @example
   * ```ts
   * const sup = Supervisor.start([{ id: 'w', start: worker }]);
   * ```
   */
  static start(children: ChildSpec[], options: SupervisorOptions = {}): Supervisor {
    if (!Array.isArray(children)) throw new InvalidArgumentError('children must be an array of child specs');
    const ids = new Set<string>();
    for (const spec of children) {
      if (spec === null || typeof spec !== 'object') throw new InvalidArgumentError('a child spec must be an object');
      checkName(spec.id, 'child id');
      if (ids.has(spec.id)) throw new InvalidArgumentError(`duplicate child id '${spec.id}'`);
      ids.add(spec.id);
      checkFunction(spec.start, `start of child '${spec.id}'`);
      if (spec.args !== undefined && !Array.isArray(spec.args)) throw new InvalidArgumentError(`args of child '${spec.id}' must be an array`);
      if (spec.restart !== undefined && !['permanent', 'transient', 'temporary'].includes(spec.restart)) {
        throw new InvalidArgumentError(`restart of child '${spec.id}' must be permanent, transient or temporary`);
      }
    }
    const strategy = options.strategy ?? 'one-for-one';
    if (!['one-for-one', 'one-for-all', 'rest-for-one'].includes(strategy)) throw new InvalidArgumentError(`unknown strategy '${strategy}'`);
    const maxRestarts = checkCount(options.maxRestarts ?? 3, 'maxRestarts');
    const withinMs = checkCount(options.withinMs ?? 5000, 'withinMs', 1);
    if (options.backoff !== undefined) {
      checkCount(options.backoff.initialMs, 'backoff.initialMs');
      checkCount(options.backoff.maxMs, 'backoff.maxMs');
      if (options.backoff.factor !== undefined && !(options.backoff.factor >= 1)) throw new InvalidArgumentError('backoff.factor must be >= 1');
    }
    return new Supervisor([...children], { ...options, strategy, maxRestarts, withinMs });
  }

  /** The coroutine running child `id` now, if any. */
  child(id: string): Coro<any, any> | undefined {
    return this.running.get(id);
  }

  /** The children running now, in start order. */
  children(): { id: string; coro: Coro<any, any> }[] {
    return this.specs.flatMap((s) => (this.running.has(s.id) ? [{ id: s.id, coro: this.running.get(s.id)! }] : []));
  }

  /** Restarts so far (each restarted child counts once). */
  get restarts(): number {
    return this.restartCount;
  }

  /**
   * Terminates the children (last started first) and the supervisor; resolves true once it has
   * stopped, false if `timeout` ms pass first.
   * @example
   * ```ts
   * await sup.stop({ timeout: 5000 });
   * ```
   */
  async stop(options?: ActingWaitOptions): Promise<boolean> {
    if (this.coro.isAlive) this.coro.send(STOP);
    try {
      return (await this.coro.finish({ ...options, alarm: TIMED_OUT })) !== TIMED_OUT;
    } catch (err) {
      if (options?.signal?.aborted) throw err;
      return true; // it ended by giving up: finish() is where that is reported, not stop()
    }
  }

  /**
   * Waits for the supervisor to stop: true once stopped, false if `timeout` ms pass first;
   * rejects with SupervisorGaveUpError if it gave up.
   * @example
   * ```ts
   * await sup.finish({ timeout: 60_000 });
   * ```
   */
  async finish(options?: ActingWaitOptions): Promise<boolean> {
    return (await this.coro.finish({ ...options, alarm: TIMED_OUT })) !== TIMED_OUT;
  }

  /**
   * `await using sup = new Supervisor(...)` stops it at the end of the block.
   * @example
   * ```ts
   * { await using sup = Supervisor.start([{ id: 'idle', start: async (coro) => coro.receive() }]); }
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async supervise(coro: Coro<MonitorStatus | typeof STOP, void>): Promise<void> {
    try {
      for (const spec of this.specs) await this.startChild(coro, spec);
      for (;;) {
        const msg = await coro.receive();
        if (msg === STOP) return;
        if (!(msg instanceof MonitorStatus)) continue;
        const spec = this.specs.find((s) => this.running.get(s.id) === msg.coro);
        if (spec === undefined) continue; // an old incarnation we terminated ourselves
        this.running.delete(spec.id);
        // The child's crash report, as an OTP supervisor gives one (the child's own is at info: it was monitored).
        if (msg.reason === 'failed') coro.scheduler.logger.warn({ supervisor: String(coro), child: spec.id, coro: String(msg.coro), err: msg.error }, 'supervised child failed');
        if (!this.mustRestart(spec, msg)) continue;
        if (this.intensityExceeded()) {
          coro.scheduler.logger.error({ supervisor: String(coro), child: spec.id }, 'restart intensity reached: supervisor gives up');
          throw new SupervisorGaveUpError(`child '${spec.id}' ended (${msg.reason}) more than ${this.options.maxRestarts} times within ${this.options.withinMs} ms`);
        }
        const delay = this.backoffDelay();
        if (delay > 0) await coro.sleep(delay);
        await this.restart(coro, spec);
      }
    } finally {
      // Like an OTP supervisor, take the children down with us, last started first.
      for (const spec of [...this.specs].reverse()) this.running.get(spec.id)?.terminate();
      this.running.clear();
    }
  }

  private mustRestart(spec: ChildSpec, status: MonitorStatus): boolean {
    const policy = spec.restart ?? 'permanent';
    if (policy === 'temporary') return false;
    if (policy === 'transient') return status.reason === 'failed';
    return true;
  }

  /** OTP's add_restart: one restart more, and the window's count checked against the limit. */
  private intensityExceeded(): boolean {
    const now = performance.now();
    this.restartTimes = this.restartTimes.filter((t) => now - t <= this.options.withinMs);
    this.restartTimes.push(now);
    return this.restartTimes.length > this.options.maxRestarts;
  }

  private backoffDelay(): number {
    const b = this.options.backoff;
    if (b === undefined) return 0;
    return Math.min(b.maxMs, b.initialMs * (b.factor ?? 2) ** Math.max(0, this.restartTimes.length - 1));
  }

  private async restart(coro: Coro<any, any>, failed: ChildSpec): Promise<void> {
    const strategy = this.options.strategy;
    const index = this.specs.indexOf(failed);
    const affected = strategy === 'one-for-one' ? [failed] : strategy === 'one-for-all' ? this.specs : this.specs.slice(index);
    // Stop the others first (last started first), then start all the affected ones in order.
    for (const spec of [...affected].reverse()) {
      const child = this.running.get(spec.id);
      this.running.delete(spec.id);
      child?.terminate();
    }
    for (const spec of affected) {
      if (spec !== failed && spec.restart === 'temporary') continue;
      this.restartCount++;
      await this.startChild(coro, spec);
    }
  }

  private async startChild(coro: Coro<any, any>, spec: ChildSpec): Promise<void> {
    const child = coro.scheduler.spawnWith({ name: spec.id, mailbox: spec.mailbox }, spec.start, ...(spec.args ?? []));
    this.running.set(spec.id, child);
    await coro.monitor(child);
  }
}

