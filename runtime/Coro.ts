/**
 * A coroutine: an async function that owns a mailbox and runs under a scheduler.
 * @module
 */
import { NotInCoroutineError } from './runtimeErrors.js';
import { checkFunction, checkTimeout, checkWaitOptions } from './options.js';
import { Scheduler } from './Scheduler.js';
import { Wait, WaitKind } from './Wait.js';
import { CoroMailbox } from './CoroMailbox.js';
import { DAEMON, Ended, HELD, OWN_SLEEP, OWN_SUSPEND, REGISTERED, Running, Scheduled, TRACKED } from './CoroState.js';
import type { SuspendOptions } from './coroTypes.js';
import type { MailboxOptions } from './Mailbox.js';
import { currentTracker } from './coroTracker.js';
import type { CoroRef, NetworkLocateOptions, NodeAddress } from './networkPort.js';

export type { MonitorTarget, ReceiveOptions, SuspendOptions } from './coroTypes.js';

/**
 * The body of a coroutine: receives its own handle, then the spawn arguments.
 * @example
 * ```ts
 * const body: CoroFunction<string, number, [number]> = async (coro, n) => n;
 * ```
 */
export type CoroFunction<M, R, A extends unknown[]> = (coro: Coro<M, R>, ...args: A) => R | Promise<R>;

/**
 * Options for {@link spawnWith}.
 * @example
 * ```ts
 * spawnWith({ name: 'server', daemon: true, mailbox: { capacity: 100 } }, async (coro) => {
 *   for (;;) log(await coro.receive());
 * });
 * ```
 */
export interface SpawnOptions {
  name?: string;
  daemon?: boolean;
  mailbox?: MailboxOptions;
  scheduler?: Scheduler;
}

let pendingOptions: SpawnOptions | undefined;
let pendingScheduler: Scheduler | undefined;
let pendingArgs: unknown[] | undefined;

/** The arguments of a spawn without any: shared, so a coroutine waiting to start holds no array of its own. */
const NO_ARGS: unknown[] = Object.freeze([]) as unknown as unknown[];

/** @internal Hands spawn options to the next Coro constructor without allocating a closure. */
export function nextSpawn(options: SpawnOptions, scheduler: Scheduler, args: unknown[]): void {
  pendingOptions = options;
  pendingScheduler = scheduler;
  pendingArgs = args.length === 0 ? NO_ARGS : args;
}

/**
 * A coroutine handle. Creating one schedules the function at once.
 *
 * @example
 * ```ts
 * const echo = new Coro(async (coro: Coro<string>) => {
 *   for (;;) log(await coro.receive());
 * });
 * echo.send('hello');
 * ```
 */
export class Coro<M = unknown, R = unknown> extends CoroMailbox<M, R> implements CoroRef<M, R> {
  /** The scheduler it runs on. */
  declare readonly scheduler: Scheduler;

  constructor(fn: CoroFunction<M, R, any[]>, ...args: unknown[]) {
    const options = pendingOptions ?? {};
    const scheduler = pendingScheduler ?? options.scheduler ?? Scheduler.default();
    const spawnArgs = pendingArgs ?? args;
    pendingOptions = pendingScheduler = pendingArgs = undefined;
    checkFunction(fn, 'coroutine function');
    super(scheduler, options.name, fn, spawnArgs, options.daemon === true, options.mailbox);
  }

  /**
   * The coroutine whose code is running. Needs a scheduler created with `trackCurrent: true`
   * (context tracking costs throughput); otherwise throws NotInCoroutineError.
   * @example
   * ```ts
   * const me = Coro.current();
   * ```
   */
  static current(): Coro<any, any> {
    const coro = currentTracker()?.getStore() as Coro<any, any> | undefined;
    if (coro === undefined) throw new NotInCoroutineError('no current coroutine (is trackCurrent enabled?)');
    return coro;
  }

  /**
   * Finds a coroutine registered under `name`; waits up to `timeout` ms (forever when omitted,
   * `0` polls) for it to be registered. Returns undefined when it is not found in time.
   * @example
   * ```ts
   * const server = await Coro.locate('server', { timeout: 1000 });
   * ```
   */
  static locate<M = any, R = any>(name: string, options?: NetworkLocateOptions & { scheduler?: Scheduler }): Promise<CoroRef<M, R> | undefined> {
    return (options?.scheduler ?? Scheduler.default()).locateCoro<M, R>(name, options);
  }

  /**
   * Where this coroutine's node listens, once networking is attached to its scheduler.
   * @example
   * ```ts
   * log(String(coro.location)); // e.g. '127.0.0.1:9705'
   * ```
   */
  get location(): NodeAddress | undefined {
    return this.scheduler.network?.location;
  }

  /** Marks (or unmarks) the coroutine as a daemon: the scheduler does not wait for daemons. */
  setDaemon(flag = true): void {
    if (this.state === Ended || flag === this.daemon) return;
    this.flags ^= DAEMON;
    this.scheduler.daemonChanged(flag);
  }

  // ---------------------------------------------------------------- suspension

  /**
   * Suspends until `resume(update)` (returns `update`) or the timeout (returns `alarm`).
   * @example
   * ```ts
   * const update = await coro.suspend({ timeout: 1000, alarm: 'timeout' });
   * ```
   */
  suspend<A = undefined>(options?: SuspendOptions<A>): Promise<unknown> {
    let timeout: number;
    try {
      timeout = checkWaitOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.pause(OWN_SUSPEND, timeout, options?.alarm, options?.signal);
  }

  /**
   * Sleeps `ms` milliseconds; returns `alarm` (default undefined), or the update if resumed early.
   * @example
   * ```ts
   * await coro.sleep(100);
   * ```
   */
  sleep<A = undefined>(ms: number, options?: { alarm?: A; signal?: AbortSignal }): Promise<unknown> {
    try {
      checkTimeout(ms, 'sleep duration');
      if (options !== undefined) checkWaitOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.pause(OWN_SLEEP, ms, options?.alarm, options?.signal);
  }

  /** A sleep or a suspend: its own wait if free, else a wait of its own. */
  private pause(kind: number, timeout: number, alarm: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    if ((this.flags & ~(DAEMON | REGISTERED | HELD)) !== Running) {
      if (this.state !== Running || (this.flags & TRACKED) !== 0) {
        const refused = this.notOwner(kind === OWN_SLEEP ? 'sleep' : 'suspend');
        if (refused !== undefined) return Promise.reject(refused);
      }
      const interrupt = this.pendingInterrupt(WaitKind.Sleep);
      if (interrupt !== undefined) return Promise.reject(interrupt);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (timeout === 0) return this.scheduler.ready(alarm);
    if (this.ownWait === 0 && this.state !== Scheduled) return this.armOwnWait(kind, timeout, alarm, signal);
    const wait = new Wait<unknown>(this.scheduler, this, WaitKind.Sleep);
    wait.alarm = alarm;
    wait.what = kind === OWN_SLEEP ? 'timer' : 'resume';
    return wait.start(timeout, signal);
  }

  /**
   * Wakes the coroutine from `suspend`/`sleep` with `update`. Returns false (and does nothing)
   * if it is not suspended. Throws CoroFinishedError if it has ended.
   * @example
   * ```ts
   * sleeper.resume('wake up');
   * ```
   */
  resume(update?: unknown): boolean {
    this.mustBeAlive('resume');
    if (this.wakeSleeper(update)) return true;
    this.scheduler.logger.debug({ coro: String(this) }, 'resume ignored: coroutine is not suspended');
    return false;
  }

  /**
   * Registers the coroutine under `name` (default: its name) so `Coro.locate` finds it.
   * Throws NameTakenError if another live coroutine holds the name.
   * @example
   * ```ts
   * coro.register('server');
   * ```
   */
  register(name: string = this.name): void {
    this.mustBeAlive('register');
    this.scheduler.coroNames.add(name, this);
    this.flags |= REGISTERED;
  }

  /**
   * Removes a registration; false if `name` was not registered to this coroutine.
   * @example
   * ```ts
   * coro.unregister('server');
   * ```
   */
  unregister(name: string = this.name): boolean {
    return this.scheduler.coroNames.delete(name, this);
  }

}
