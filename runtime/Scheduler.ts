/**
 * The scheduler: owns the coroutines of a process (or of an embedding), their
 * name registries, the single timer heap, the fairness budget and the lifecycle.
 * @module
 */
import type { AsyncLocalStorage } from 'node:async_hooks';
import { enableTracker } from './coroTracker.js';
import { CoroTable } from './CoroTable.js';
import { StartQueue } from './StartQueue.js';
import { InvalidArgumentError, SchedulerStoppedError, withoutStacks } from './runtimeErrors.js';
import { defaultLogger, LogThrottle, type Logger } from './logging.js';
import { checkName, checkWaitOptions, describe, type WaitOptions } from './options.js';
import { ExitHooks } from './ExitHooks.js';
import { KeepAlive } from './KeepAlive.js';
import { RESOLVED_TRUE, TurnBudget } from './TurnBudget.js';
import { Registry } from './Registry.js';
import { TimerHeap } from './TimerHeap.js';
import { Wait, WaitKind, type WaitOwner } from './Wait.js';
import type { CoroHost } from './coroTypes.js';
import { takeSnapshot } from './schedulerSnapshot.js';
import type { MessageCounters, SchedulerSnapshot } from './snapshotTypes.js';
import type { SchedulerOptions, SchedulerStats } from './schedulerTypes.js';
import { WaiterQueue } from './WaiterQueue.js';
import { Coro, nextSpawn, type CoroFunction, type SpawnOptions } from './Coro.js';
import type { CoroRef, NetworkLocateOptions, SchedulerNetwork } from './networkPort.js';

export type { SchedulerOptions, SchedulerStats } from './schedulerTypes.js';

let defaultScheduler: Scheduler | undefined;
/** The options of a plain spawn(). */
const NO_OPTIONS: SpawnOptions = Object.freeze({});

/**
 * Runs coroutines. One default scheduler per process is created lazily; construct
 * your own for embedding or tests.
 *
 * @example
 * ```ts
 * const sched = new Scheduler();
 * sched.spawn(async (coro) => { await coro.sleep(10); });
 * await sched.finish();
 * ```
 */
export class Scheduler implements CoroHost, AsyncDisposable {
  readonly timers = new TimerHeap();
  readonly logger: Logger;
  /** @internal */
  readonly coroNames = new Registry<Coro<any, any>>('coroutine', (c) => c.isAlive);
  /** @internal Registry of channels (they register themselves). */
  readonly channelNames = new Registry<{ readonly closed: boolean }>('channel', (c) => !c.closed);
  /** The context tracker behind `Coro.current()`, when this scheduler enabled it. */
  readonly tracker: AsyncLocalStorage<unknown> | undefined;
  private readonly turns: TurnBudget;
  private readonly coros = new CoroTable<Coro<any, any>>();
  /** @internal First steps of new coroutines; `starts.now()` stamps their birth. */
  readonly starts: StartQueue;
  private nextId = 1;
  private live = 0;
  private daemons = 0;
  /**
   * The live message counters, bumped on the hot paths (read them through `stats` or `snapshot()`).
   */
  readonly counters: Omit<MessageCounters, 'spawned' | 'live' | 'daemons'> = { sent: 0, received: 0, dropped: 0, rejected: 0, deadLetters: 0, mailboxHighWater: 0 };
  private spawned = 0;
  private readonly deadLetterLog = new LogThrottle(1000);
  /** @internal What keeps the process alive: non-daemon coroutines, and calls pending with no deadline (see KeepAlive). */
  readonly keepAlive = new KeepAlive();
  private readonly joinWaiters = new WaiterQueue();
  private readonly hooks = new ExitHooks();
  private state: 'running' | 'stopping' | 'stopped' = 'running';
  private stopping: Promise<void> | undefined;
  /** Removes the default scheduler's beforeExit listener, so re-created defaults do not pile them up. */
  private detachExit: (() => void) | undefined;
  private attached: SchedulerNetwork | undefined;

  constructor(options: SchedulerOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`scheduler options must be an object, got ${describe(options)}`);
    }
    this.logger = options.logger ?? defaultLogger();
    this.turns = TurnBudget.forScheduler(options, () => this.timers.nextDeadline);
    this.starts = new StartQueue(this.turns);
    if (options.trackCurrent === true) this.tracker = enableTracker();
  }

  /**
   * The process-wide default scheduler, created on first use (again after it stopped).
   * @example
   * ```ts
   * Scheduler.default().atExit(() => log('bye'));
   * ```
   */
  static default(): Scheduler {
    if (defaultScheduler === undefined || defaultScheduler.state === 'stopped') {
      const sched = (defaultScheduler = new Scheduler());
      // A script that falls off its end still runs the exit hooks, as asyncoro did at interpreter exit.
      const onBeforeExit = (): void => {
        sched.detachExit?.();
        if (sched.state === 'running' && sched.hooks.size > 0) void sched.finish();
      };
      process.on('beforeExit', onBeforeExit);
      sched.detachExit = () => {
        process.off('beforeExit', onBeforeExit);
        sched.detachExit = undefined;
      };
    }
    return defaultScheduler;
  }

  /** Replaces the default scheduler (for embedding: give it your logger). */
  static setDefault(scheduler: Scheduler): void {
    defaultScheduler = scheduler;
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** True while coroutines wait for the next turn (the fairness budget is spent): a source of messages may hold back. */
  get isBehind(): boolean { return this.turns.behind; }

  get stats(): SchedulerStats {
    return { spawned: this.spawned, live: this.live, daemons: this.daemons, ...this.counters };
  }

  /**
   * Starts a coroutine on this scheduler.
   * @example
   * ```ts
   * const c = sched.spawn(async (coro, n: number) => n * 2, 21);
   * ```
   */
  spawn<M = unknown, R = unknown, A extends unknown[] = []>(fn: (coro: Coro<M, R>, ...args: A) => R | Promise<R>, ...args: A): Coro<M, R> {
    nextSpawn(NO_OPTIONS, this, args);
    return new Coro<M, R>(fn as CoroFunction<M, R, any[]>);
  }

  /**
   * Starts a coroutine with options: a name, the daemon flag, a bounded mailbox.
   * @example
   * ```ts
   * sched.spawnWith({ name: 'logger', daemon: true }, loggerBody);
   * ```
   */
  spawnWith<M = unknown, R = unknown, A extends unknown[] = []>(options: Omit<SpawnOptions, 'scheduler'>, fn: (coro: Coro<M, R>, ...args: A) => R | Promise<R>, ...args: A): Coro<M, R> {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`spawn options must be an object, got ${describe(options)}`);
    }
    if (options.name !== undefined) checkName(options.name, 'name');
    nextSpawn(options, this, args);
    return new Coro<M, R>(fn as CoroFunction<M, R, any[]>);
  }

  /**
   * Registers a function to run when the scheduler finishes or terminates; higher priority first.
   * Returns a function that unregisters it.
   * @example
   * ```ts
   * const drop = sched.atExit(() => db.close(), 10);
   * ```
   */
  atExit(fn: () => unknown, priority = 0): () => void {
    return this.hooks.add(fn, priority);
  }

  /**
   * Waits until only daemon coroutines remain. Resolves false if `timeout` passes first.
   * @example
   * ```ts
   * await sched.join({ timeout: 5000 });
   * ```
   */
  join(options?: WaitOptions): Promise<boolean> {
    let timeout: number;
    try {
      timeout = checkWaitOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.live - this.daemons === 0) return Promise.resolve(true);
    const wait = new Wait<boolean>(this, undefined, WaitKind.Other);
    wait.alarm = false;
    this.joinWaiters.push(wait);
    return wait.start(timeout, options?.signal);
  }

  /**
   * Waits for every non-daemon coroutine, runs the exit hooks, terminates the daemons and stops.
   * @example
   * ```ts
   * await sched.finish();
   * ```
   */
  finish(): Promise<void> {
    // terminate() may overtake a finish() waiting in join(): then there is nothing left to stop.
    return (this.stopping ??= this.join().then(() => this.terminate()));
  }

  /**
   * Stops without waiting: every coroutine is terminated, exit hooks run, and the scheduler stops.
   * @example
   * ```ts
   * await sched.terminate();
   * ```
   */
  terminate(): Promise<void> {
    if (this.state === 'running') this.stopping = this.stop();
    return this.stopping ?? Promise.resolve();
  }

  /**
   * `await using sched = new Scheduler()` terminates it at the end of the block.
   * @example
   * ```ts
   * { await using sched = new Scheduler(); sched.spawn(async (coro) => coro.sleep(10)); }
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.terminate();
  }

  /**
   * Finds a registered coroutine, waiting up to `timeout` ms (forever when omitted) for the name
   * to appear; undefined on timeout. With networking attached, other nodes are asked too.
   * @example
   * ```ts
   * const server = await sched.locateCoro('server', { timeout: 1000 });
   * ```
   */
  locateCoro<M = any, R = any>(name: string, options?: NetworkLocateOptions): Promise<CoroRef<M, R> | undefined> {
    if (this.attached !== undefined) return this.attached.locate(this.coroNames, name, options) as Promise<CoroRef<M, R> | undefined>;
    return this.locateIn(this.coroNames, name, options) as Promise<CoroRef<M, R> | undefined>;
  }

  /**
   * A picture of this scheduler now: every coroutine (state, what it waits on, mailbox depth,
   * monitors, registered names, age), the locks held and by whom, the registered channels with
   * their subscriber counts, the peers, and the message counters. Costs nothing until called.
   * @example
   * ```ts
   * const { coroutines, counters } = sched.snapshot();
   * ```
   */
  snapshot(): SchedulerSnapshot {
    return takeSnapshot({ coroutines: this.coros.values(), coroNames: this.coroNames, channelNames: this.channelNames, network: this.attached, counters: this.stats });
  }

  /**
   * The networking attached to this scheduler, if any (see `Network.start`).
   * @example
   * ```ts
   * log(String(sched.network?.location));
   * ```
   */
  get network(): SchedulerNetwork | undefined {
    return this.attached;
  }

  /**
   * Plugs a distribution layer in: `locateCoro` and `Channel.locate` then also ask other nodes, and `network` and
   * `coro.location` report it. Called by `Network.start`; returns the function that detaches it.
   * Throws InvalidArgumentError when networking is already attached.
   * @example
   * ```ts
   * const detach = sched.attachNetwork(net);
   * detach();
   * ```
   */
  attachNetwork(network: SchedulerNetwork): () => void {
    if (this.attached !== undefined) throw new InvalidArgumentError('networking is already started on this scheduler');
    if (network === null || typeof network !== 'object' || typeof network.locate !== 'function') {
      throw new InvalidArgumentError('attachNetwork needs a network (with locate)');
    }
    this.attached = network;
    return () => {
      if (this.attached === network) this.attached = undefined;
    };
  }

  /** @internal Shared by Coro.locate and Channel.locate. */
  locateIn<T extends object>(registry: Registry<T>, name: string, options?: WaitOptions): Promise<T | undefined> {
    const found = registry.locate(this, name, options);
    // A locate with no deadline, awaited from outside any coroutine, holds the process while it waits.
    return options?.timeout === undefined || options.timeout === Infinity ? this.holdUntil(found) : found;
  }

  // ---------------------------------------------------------------- fairness

  /** Settles now, or after yielding to I/O when this turn's budget is spent (see TurnBudget). */
  dispatch(settle: (value: any) => void, value: unknown): void {
    const turns = this.turns; // take()'s hot path inlined: this runs once per message
    const left = turns.left;
    if (left > 0) {
      turns.left = left - 1;
      settle(value);
    } else turns.dispatch(settle, value);
  }

  /** A promise of `value` for a call that need not wait, still counted against the budget. */
  ready<T>(value: T): Promise<T> {
    const turns = this.turns;
    const left = turns.left;
    // take()'s hot path inlined: a message taken from a mailbox, a lock taken at once.
    if (left > 0 && value !== false && value !== undefined) {
      turns.left = left - 1;
      return value === true ? (RESOLVED_TRUE as Promise<T>) : Promise.resolve(value);
    }
    return turns.ready(value);
  }

  // ---------------------------------------------------------------- coroutine bookkeeping

  /** Called by the Coro constructor; returns its id. */
  adopt(coro: Coro<any, any>, daemon: boolean): number {
    // While stopping, exit hooks may still start daemons; once stopped nothing starts.
    if (this.state === 'stopped' || (this.state !== 'running' && !daemon)) {
      throw new SchedulerStoppedError('the scheduler has stopped');
    }
    this.live++;
    this.spawned++;
    if (daemon) this.daemons++;
    this.updateKeepAlive();
    const id = this.nextId++;
    this.coros.add(id, coro);
    this.starts.push(coro);
    return id;
  }

  /** Called once when a coroutine ends. */
  retire(coro: Coro<any, any>): void {
    this.live--;
    this.coros.delete(coro);
    if (coro.daemon) this.daemons--;
    if (coro.registered) this.coroNames.deleteAll(coro);
    this.updateKeepAlive(true);
  }

  /** A coroutine became, or stopped being, a daemon. */
  daemonChanged(daemon: boolean): void {
    this.daemons += daemon ? 1 : -1;
    this.updateKeepAlive(true);
  }

  /** Counts a message that reached nobody (or that a bounded mailbox dropped) and logs, throttled. */
  deadLetter(target: object, reason: string, _message?: unknown): void {
    if (reason === 'mailbox overflow') this.counters.dropped++;
    else this.counters.deadLetters++;
    if (this.deadLetterLog.hit()) {
      this.logger.warn({ coro: String(target), reason, count: this.deadLetterLog.take() }, 'dead letters');
    }
  }

  /** The coroutine a blocking call acts for: the given one, else the tracked current one. */
  actor(coro: WaitOwner | undefined): WaitOwner | undefined {
    if (coro !== undefined) {
      if (typeof coro !== 'object' || typeof (coro as Partial<WaitOwner>).pendingInterrupt !== 'function') {
        throw new InvalidArgumentError('coro must be a local coroutine');
      }
      return coro;
    }
    return this.tracker?.getStore() as WaitOwner | undefined;
  }

  /**
   * Keeps the process alive until `promise` settles, as a pending socket would: for a call awaited
   * from outside any coroutine with no deadline of its own (calls with one hold it through their timer).
   */
  holdUntil<T>(promise: Promise<T>): Promise<T> {
    return this.keepAlive.holdUntil(promise);
  }

  private updateKeepAlive(wakeJoiners = false): void {
    if (this.state === 'stopped') this.keepAlive.stop();
    else this.keepAlive.update(this.live - this.daemons > 0);
    if (wakeJoiners && this.live - this.daemons === 0) for (const w of this.joinWaiters.drain()) w.wake(true);
  }

  private async stop(): Promise<void> {
    this.state = 'stopping';
    await this.hooks.run(this.logger);
    // A stack trace per terminated coroutine would only show this loop: don't capture them.
    withoutStacks(() => [...this.coros.values()].forEach((coro) => coro.terminate()));
    this.state = 'stopped';
    this.detachExit?.();
    this.updateKeepAlive();
    if (defaultScheduler === this) defaultScheduler = undefined;
  }

  /**
   * The live coroutine with this id, if any (remote references resolve through it).
   * @example
   * ```ts
   * sched.coro(7)?.send('hi');
   * ```
   */
  coro(id: number): Coro<any, any> | undefined {
    return this.coros.get(id);
  }
}
