/**
 * OTP-style supervision: a coroutine that starts children from specs, watches them with
 * monitors, and restarts them by a strategy, within a restart intensity it gives up beyond.
 * Children can be added, terminated, restarted and deleted while it runs (OTP's `start_child`,
 * `terminate_child`, `restart_child`, `delete_child`), and a supervisor can itself be the child of
 * another (`childSpec`). Every change goes through the supervising coroutine's mailbox, so its
 * state has one owner.
 * @module
 */
import { ask, type AskOptions } from './ask.js';
import type { Coro } from '../runtime/Coro.js';
import { CoroFinishedError, InvalidArgumentError } from '../runtime/runtimeErrors.js';
import { checkName } from '../runtime/options.js';
import { Scheduler } from '../runtime/Scheduler.js';
import type { ActingWaitOptions } from '../runtime/coroTypes.js';
import type { WaitOptions } from '../runtime/options.js';
import { checkChildSpec, checkChildSpecs, resolveSupervisorOptions, type ChildSpec, type ResolvedSupervisorOptions, type RestartPolicy, type SupervisorOptions } from './childSpec.js';
import { Command, STOP, SupervisorRun, type CommandKind, type Message, type Reply } from './SupervisorRun.js';

export type { ChildSpec, RestartPolicy, SupervisionStrategy, SupervisorOptions } from './childSpec.js';

const TIMED_OUT = Symbol('timed out');

/**
 * Starts children in order and keeps them running. A child that ends is restarted by its policy
 * and the strategy; more than `maxRestarts` restarts within `withinMs` make the supervisor give up
 * (terminate every child, end with SupervisorGaveUpError), as an OTP supervisor does. `stop()`
 * terminates the children in reverse start order. Children are plain coroutines; `child(id)`
 * gives the one running now.
 *
 * @example
 * ```ts
 * const sup = await Supervisor.start([
 *   { id: 'listener', start: listener, args: [8080] },
 *   { id: 'cache', start: cache, restart: 'transient' },
 * ], { strategy: 'rest-for-one', maxRestarts: 5, withinMs: 10_000 });
 * sup.child<{ get: string }>('cache')?.send({ get: 'key' });
 * await sup.stop();
 * ```
 */
export class Supervisor implements AsyncDisposable {
  private readonly initial: ChildSpec[];
  private readonly options: ResolvedSupervisorOptions;
  private readonly scheduler: Scheduler | undefined;
  private incarnation: SupervisorRun | undefined;
  private current: Coro<Message, void> | undefined;

  /**
   * A supervisor that has not started: run it under another with `childSpec(id)`, or use
   * `Supervisor.start`. Throws InvalidArgumentError for bad specs or options.
   * @example
   * ```ts
   * const perComputation = new Supervisor([], { strategy: 'one-for-one', maxRestarts: 20, withinMs: 60_000 });
   * ```
   */
  constructor(children: ChildSpec[] = [], options?: SupervisorOptions) {
    this.initial = checkChildSpecs(children);
    this.options = resolveSupervisorOptions(options);
    if (options?.scheduler !== undefined && !(options.scheduler instanceof Scheduler)) throw new InvalidArgumentError('scheduler must be a Scheduler');
    this.scheduler = options?.scheduler;
  }

  /**
   * Starts a supervisor and its children in order; resolves once every child has started (see
   * ChildSpec for what that means), or rejects with the first child's ChildStartError after
   * stopping those already started. Bad specs or options reject with InvalidArgumentError.
   * @example
   * ```ts
   * const sup = await Supervisor.start([{ id: 'w', start: worker }]);
   * ```
   */
  static async start(children: ChildSpec[], options?: SupervisorOptions): Promise<Supervisor> {
    const sup = new Supervisor(children, options);
    const sched = sup.scheduler ?? Scheduler.default();
    const coro = sched.spawnWith({ name: sup.options.name }, (c: Coro<Message, void>) => sup.run(c, undefined));
    await sup.request(coro, 'started', undefined, undefined);
    return sup;
  }

  /**
   * The spec that runs this supervisor as the child `id` of another one: it counts as started
   * once its own children have started, and a failure to start them (or giving up) is its
   * failure, handled by the parent's policy (default `permanent`). Each incarnation starts from
   * the children given to the constructor; children added later are not kept across restarts.
   * @example
   * ```ts
   * const node = await Supervisor.start([]);
   * const computation = new Supervisor([], { maxRestarts: 20, withinMs: 60_000 });
   * await node.startChild(computation.childSpec('computation-7', { restart: 'temporary' }));
   * await computation.startChild({ id: 'server-1', start: worker, restart: 'transient' });
   * ```
   */
  childSpec(id: string, options?: { restart?: RestartPolicy; readyTimeout?: number; shutdownTimeout?: number }): ChildSpec<Message> {
    checkName(id, 'child id');
    return checkChildSpec<Message>({
      id,
      start: (coro: Coro<Message, void>, ready: () => void) => this.run(coro, ready),
      restart: options?.restart,
      ready: true,
      readyTimeout: options?.readyTimeout,
      shutdownTimeout: options?.shutdownTimeout ?? Infinity,
    });
  }

  /** The supervising coroutine of the current incarnation (monitor it to learn when it gives up); undefined before it first runs. */
  get coro(): Coro<any, void> | undefined {
    return this.current;
  }

  /**
   * The coroutine running child `id` now, typed by what it receives; undefined while it is not
   * running (stopped, waiting for its restart, or unknown).
   * @example
   * ```ts
   * sup.child<{ n: number }>('worker-0')?.send({ n: 1 });
   * ```
   */
  child<M = unknown>(id: string): Coro<M, any> | undefined {
    return this.incarnation?.table.get(id)?.coro as Coro<M, any> | undefined;
  }

  /** The children running now, in start order. */
  children(): { id: string; coro: Coro<any, any> }[] {
    return (this.incarnation?.table.running() ?? []).map((e) => ({ id: e.spec.id, coro: e.coro! }));
  }

  /** Restarts in the current incarnation (each restarted child counts once; explicit restartChild() calls do not). */
  get restarts(): number {
    return this.incarnation?.restartCount ?? 0;
  }

  /**
   * Adds a child and starts it (after the others), under the same strategy and restart intensity.
   * Resolves with its coroutine once it has started; rejects with ChildStartError if it does not
   * start (it is then not added), InvalidArgumentError for a bad spec or a taken id, and
   * CoroFinishedError once the supervisor has stopped. `timeout`/`signal` bound the wait for
   * the answer (TimeoutError), not the start itself.
   * @example
   * ```ts
   * const server = await sup.startChild({ id: 'server-3', start: worker, restart: 'transient' });
   * ```
   */
  async startChild<M = any>(spec: ChildSpec<M>, options?: WaitOptions): Promise<Coro<M, any>> {
    return (await this.request(this.current, 'start', checkChildSpec(spec), options)) as Coro<M, any>;
  }

  /**
   * Terminates child `id` and waits for it to end (up to its `shutdownTimeout`); it stays known
   * (stopped, not restarted) until `restartChild` or `deleteChild`, except a temporary child, which
   * is forgotten. Resolves true if it was running. Cancels a pending restart. UnknownChildError
   * for an unknown id.
   * @example
   * ```ts
   * await sup.terminateChild('server-3');
   * ```
   */
  async terminateChild(id: string, options?: WaitOptions): Promise<boolean> {
    return (await this.request(this.current, 'terminate', checkName(id, 'child id'), options)) as boolean;
  }

  /**
   * Starts child `id` again: terminates the running incarnation first (unlike OTP, which refuses
   * a running child), then starts it. Not counted against the restart intensity. Resolves with
   * the new coroutine; rejects with ChildStartError or UnknownChildError.
   * @example
   * ```ts
   * const fresh = await sup.restartChild('cache');
   * ```
   */
  async restartChild<M = any>(id: string, options?: WaitOptions): Promise<Coro<M, any>> {
    return (await this.request(this.current, 'restart', checkName(id, 'child id'), options)) as Coro<M, any>;
  }

  /**
   * Forgets child `id`, terminating it first if it runs. Resolves true; UnknownChildError for an
   * unknown id.
   * @example
   * ```ts
   * await sup.deleteChild('server-3');
   * ```
   */
  async deleteChild(id: string, options?: WaitOptions): Promise<boolean> {
    return (await this.request(this.current, 'delete', checkName(id, 'child id'), options)) as boolean;
  }

  /**
   * Terminates the children (last started first, each waited for up to its `shutdownTimeout`) and
   * the supervisor; resolves true once it has stopped, false if `timeout` ms pass first. Nothing
   * of this shutdown is reported as dead letters or crashes. A supervisor running as another's
   * child ends normally, and its parent's policy decides what follows.
   * @example
   * ```ts
   * await sup.stop({ timeout: 5000 });
   * ```
   */
  async stop(options?: ActingWaitOptions): Promise<boolean> {
    const coro = this.current;
    if (coro === undefined) return true;
    if (coro.isAlive) coro.send(STOP);
    try {
      return (await coro.finish({ ...options, alarm: TIMED_OUT })) !== TIMED_OUT;
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
    if (this.current === undefined) return true;
    return (await this.current.finish({ ...options, alarm: TIMED_OUT })) !== TIMED_OUT;
  }

  /**
   * `await using sup = await Supervisor.start(...)` stops it at the end of the block.
   * @example
   * ```ts
   * { await using sup = await Supervisor.start([{ id: 'idle', start: async (coro) => coro.receive() }]); }
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Asks the supervising coroutine to do `kind`; its answer, or its error thrown. */
  private async request(coro: Coro<Message, void> | undefined, kind: CommandKind, arg: unknown, options: AskOptions | undefined): Promise<unknown> {
    if (coro === undefined) throw new CoroFinishedError(`supervisor ${this.options.name} is not running`);
    let reply: Reply;
    try {
      reply = await ask<Message, Reply>(coro, (replyTo) => new Command(kind, arg, replyTo), options);
    } catch (err) {
      if (CoroFinishedError.is(err)) throw new CoroFinishedError(`supervisor ${String(coro)} has stopped`, { cause: (err as Error).cause });
      throw err;
    }
    if (!reply.ok) throw reply.error;
    return reply.value;
  }

  /** The body of the supervising coroutine: a fresh incarnation, from the children given to the constructor. */
  private run(coro: Coro<Message, void>, ready: (() => void) | undefined): Promise<void> {
    if (this.current?.isAlive === true && this.current !== coro) throw new InvalidArgumentError(`supervisor ${this.current} is already running`);
    this.current = coro;
    this.incarnation = new SupervisorRun(this.initial, this.options);
    return this.incarnation.run(coro, ready);
  }
}
