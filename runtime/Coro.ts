/**
 * A coroutine: an async function that owns a mailbox and runs under a scheduler.
 * @module
 */
import { ConcurrentReceiveError, CoroFinishedError, NotInCoroutineError } from './runtimeErrors.js';
import { Mailbox } from './Mailbox.js';
import { checkFunction, checkTimeout, checkWaitOptions, type WaitOptions } from './options.js';
import { Scheduler } from './Scheduler.js';
import { Wait, WaitKind, type WaitOwner } from './Wait.js';
import { CoroLifecycle } from './CoroLifecycle.js';
import { DAEMON, Ended, OWN_RECEIVE, OWN_SLEEP, OWN_SUSPEND, OWN_WAIT, REGISTERED, Running, Scheduled, STATE } from './CoroState.js';
import type { ReceiveOptions, SuspendOptions } from './coroTypes.js';
import type { MailboxOptions } from './Mailbox.js';
import { currentTracker } from './coroTracker.js';
import type { CoroRef, NetworkLocateOptions, NodeAddress } from './networkPort.js';
import { type ActingWaitOptions } from './coroTypes.js';

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

/** @internal Hands spawn options to the next Coro constructor without allocating a closure. */
export function nextSpawn(options: SpawnOptions, scheduler: Scheduler, args: unknown[]): void {
  pendingOptions = options;
  pendingScheduler = scheduler;
  pendingArgs = args;
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
export class Coro<M = unknown, R = unknown> extends CoroLifecycle<M, R> implements CoroRef<M, R> {
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

  // ---------------------------------------------------------------- messages

  /**
   * Queues a message; never blocks. Returns false when the coroutine has ended (the message
   * becomes a dead letter). A full bounded mailbox applies its overflow policy.
   * @example
   * ```ts
   * server.send({ from: coro, n: 1 });
   * ```
   */
  send(message: M): boolean {
    const counts = this.scheduler.counters;
    // The hot path: a running coroutine waiting in a plain receive takes the message at once.
    if ((this.flags & (STATE | OWN_WAIT)) === (Running | OWN_RECEIVE) && (this.x === undefined || this.x.filter === undefined)) {
      counts.sent++;
      counts.received++;
      this.settleOwnWait(message);
      return true;
    }
    if (this.state === Ended) {
      this.scheduler.deadLetter(this, 'ended');
      return false;
    }
    if (this.handToReceiver(message)) return true;
    const box = (this.mailbox ??= new Mailbox<M>());
    if (box.capacity === Infinity) {
      box.push(message);
      counts.sent++;
      if (box.length > counts.mailboxHighWater) counts.mailboxHighWater = box.length;
      return true;
    }
    if (box.overflow === 'reject' && box.full) counts.rejected++; // enqueue throws MailboxFullError
    if (!box.enqueue(message)) return false;
    counts.sent++;
    if (box.length > counts.mailboxHighWater) counts.mailboxHighWater = box.length;
    return true;
  }

  /** Gives `message` to the pending receive if there is one and it takes it. */
  private handToReceiver(message: M): boolean {
    if ((this.flags & OWN_WAIT) === 0 && (this.x === undefined || this.x.receiver === undefined)) return false;
    const counts = this.scheduler.counters;
    if ((this.flags & OWN_WAIT) === OWN_RECEIVE) {
      if (!this.accepts(this.x?.filter, message, (err) => this.failOwnWait(err))) return false;
      counts.sent++;
      counts.received++;
      this.settleOwnWait(message);
      return true;
    }
    const receiver = this.x?.receiver;
    if (receiver === undefined || !this.accepts(receiver.data as ((m: M) => boolean) | undefined, message, (err) => receiver.fail(err))) return false;
    counts.sent++;
    counts.received++;
    receiver.wake(message);
    return true;
  }

  /**
   * Queues a message and resolves true once it is in the mailbox. Into a full mailbox it waits
   * for room, and resolves false if `timeout` passes first. Throws CoroFinishedError when the
   * coroutine has ended.
   * @example
   * ```ts
   * if (!(await worker.deliver(job, { timeout: 1000 }))) log('worker busy');
   * ```
   */
  deliver(message: M, options?: ActingWaitOptions): Promise<boolean> {
    let timeout: number;
    let owner: WaitOwner | undefined;
    try {
      timeout = checkWaitOptions(options);
      owner = this.scheduler.actor(options?.coro);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.state === Ended) return Promise.reject(new CoroFinishedError(`${this} has ended`));
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    // Budgeted like receive: a loop of deliveries must not starve I/O.
    return this.offer(message) ? this.scheduler.ready(true) : this.deliverLater(message, timeout, owner, options?.signal);
  }

  /** Hands `message` to the pending receive, or queues it if there is room; false when full. */
  protected offer(message: M): boolean {
    if (this.handToReceiver(message)) return true;
    const counts = this.scheduler.counters;
    const box = (this.mailbox ??= new Mailbox<M>());
    if (box.full) return false;
    box.push(message);
    counts.sent++;
    if (box.length > counts.mailboxHighWater) counts.mailboxHighWater = box.length;
    return true;
  }

  /** Waits for room in a full mailbox; another sender may take the freed slot first, so it retries until the deadline. */
  protected async deliverLater(message: M, timeout: number, owner: WaitOwner | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    const deadline = performance.now() + timeout;
    do {
      const wait = new Wait<boolean>(this.scheduler, owner, WaitKind.Other);
      wait.alarm = false;
      wait.what = `room in ${this}'s mailbox`;
      this.mailbox!.waitForRoom(wait);
      if (!(await wait.start(Math.max(0, deadline - performance.now()), signal))) return false;
      if (this.state === Ended) throw new CoroFinishedError(`${this} has ended`);
    } while (!this.offer(message));
    return true;
  }

  /**
   * Takes the oldest message (or, with `filter`, the oldest matching one), waiting up to
   * `timeout` ms. Returns `alarm` on expiry. Only one receive may be pending at a time.
   * @example
   * ```ts
   * const msg = await coro.receive({ timeout: 500, alarm: null });
   * ```
   */
  receive(options?: ReceiveOptions<M, never> & { timeout?: undefined }): Promise<M>;
  receive<A = undefined>(options: ReceiveOptions<M, A>): Promise<M | A>;
  receive<A = undefined>(options?: ReceiveOptions<M, A>): Promise<M | A> {
    // The hot paths: a running coroutine with nothing pending, and no options or just a timeout.
    if ((this.flags & ~(DAEMON | REGISTERED)) === Running) {
      let timeout = Infinity;
      if (options !== undefined) {
        if (typeof options !== 'object' || options === null || options.filter !== undefined || options.signal !== undefined) return this.receiveWith(options);
        const t = options.timeout;
        if (t !== undefined) {
          if (!(typeof t === 'number' && t > 0)) return this.receiveWith(options); // 0 polls; bad input is refused there
          timeout = t;
        }
      }
      const box = this.mailbox;
      if (box === undefined || box.length === 0) return this.armOwnWait(OWN_RECEIVE, timeout, options?.alarm, undefined);
      this.scheduler.counters.received++;
      return this.scheduler.ready(box.take(0));
    }
    return this.receiveWith(options);
  }

  /** receive() with options, or while something is pending (an interrupt, another wait). */
  private receiveWith<A>(options: ReceiveOptions<M, A> | undefined): Promise<M | A> {
    // Bad input rejects the promise (never a synchronous throw), so .catch() sees it.
    let timeout: number;
    const filter = options?.filter;
    try {
      timeout = checkWaitOptions(options);
      if (filter !== undefined) checkFunction(filter, 'filter');
    } catch (err) {
      return Promise.reject(err);
    }
    const interrupt = this.pendingInterrupt(WaitKind.Receive);
    if (interrupt !== undefined) return Promise.reject(interrupt);
    if (this.receiving) return Promise.reject(new ConcurrentReceiveError(`${this} already has a pending receive`));
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    const box = this.mailbox;
    if (box !== undefined && box.length > 0) {
      let index: number;
      try {
        index = box.find(filter);
      } catch (err) {
        return Promise.reject(err);
      }
      if (index >= 0) {
        this.scheduler.counters.received++;
        return this.scheduler.ready(box.take(index));
      }
    }
    if (timeout === 0) return this.scheduler.ready(options?.alarm as A);
    if (this.ownWait === 0 && this.state !== Scheduled) {
      if (filter !== undefined) this.extras().filter = filter;
      return this.armOwnWait(OWN_RECEIVE, timeout, options?.alarm, options?.signal);
    }
    // Its own wait is taken (a sleep raced with this receive), or it has not started: a separate wait.
    const wait = new Wait<M>(this.scheduler, this, WaitKind.Receive);
    wait.alarm = options?.alarm;
    wait.data = filter;
    this.extras().receiver = wait;
    return wait.start(timeout, options?.signal);
  }

  /**
   * Takes a queued message without waiting; returns `alarm` when none (matching) is queued.
   * @example
   * ```ts
   * const next = coro.poll({ alarm: null });
   * ```
   */
  poll<A = undefined>(options?: { filter?: (message: M) => boolean; alarm?: A }): M | A {
    if (options?.filter !== undefined) checkFunction(options.filter, 'filter');
    const box = this.mailbox;
    if (box === undefined) return options?.alarm as A;
    const index = box.find(options?.filter);
    if (index < 0) return options?.alarm as A;
    this.scheduler.counters.received++;
    return box.take(index);
  }

  /**
   * Iterates over incoming messages with `for await`; stops with the signal's reason when aborted.
   * @example
   * ```ts
   * for await (const msg of coro.messages()) if (msg === 'stop') break;
   * ```
   */
  async *messages(options?: { signal?: AbortSignal; filter?: (message: M) => boolean }): AsyncGenerator<M, void, undefined> {
    for (;;) yield (await this.receive({ signal: options?.signal, filter: options?.filter })) as M;
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
    if ((this.flags & ~(DAEMON | REGISTERED)) !== Running) {
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
