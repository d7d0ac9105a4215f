/**
 * A coroutine: an async function that owns a mailbox and runs under a scheduler.
 * @module
 */
import {
  ConcurrentReceiveError, CoroFinishedError, CoroTerminatedError, HotSwapRequest, InvalidArgumentError, NotInCoroutineError,
} from './errors.js';
import { Mailbox, type MailboxOptions } from './Mailbox.js';
import { MonitorStatus, type ExitReason } from './MonitorStatus.js';
import { checkFunction, checkTimeout, checkWaitOptions, type ActingWaitOptions, type WaitOptions } from './options.js';
import { Scheduler, currentTracker } from './Scheduler.js';
import { Wait, WaitKind, type WaitOwner } from './Wait.js';
import { WaiterQueue } from './WaiterQueue.js';
import type { RemoteCoro } from '../actors/RemoteCoro.js';
import type { Location } from '../transports/Location.js';

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
 * spawnWith({ name: 'server', daemon: true, mailbox: { capacity: 100 } }, server);
 * ```
 */
export interface SpawnOptions {
  name?: string;
  daemon?: boolean;
  mailbox?: MailboxOptions;
  scheduler?: Scheduler;
}

/**
 * Options of `receive`: a timeout with the value returned on expiry, a signal, and a filter for selective receive.
 * @example
 * ```ts
 * await coro.receive({ timeout: 100, alarm: null, filter: (m) => m.kind === 'reply' });
 * ```
 */
export interface ReceiveOptions<M, A> extends WaitOptions {
  /** Returned when the timeout expires (default `undefined`). */
  alarm?: A;
  /** Take the oldest message for which this returns true; others stay queued in order. */
  filter?: (message: M) => boolean;
}

/**
 * Options of `suspend`/`sleep`.
 * @example
 * ```ts
 * const update = await coro.suspend({ timeout: 1000, alarm: 'timed out' });
 * ```
 */
export interface SuspendOptions<A> extends WaitOptions {
  alarm?: A;
}

const Scheduled = 0, Running = 1, Ended = 2;
type Outcome = { reason: ExitReason; value?: unknown; error?: unknown };
interface Swap { fn: CoroFunction<any, any, any[]>; args: unknown[] }

/** Anything that can receive a monitor message: a local coroutine or a remote proxy. */
export interface MonitorTarget {
  send(message: unknown): boolean;
}

/** The parts of a coroutine most never use; `owned` holds locks and permits released if it ends holding them. */
class CoroExtras {
  extraWaits: Set<Wait<any>> | undefined = undefined;
  thrown: Error[] | undefined = undefined;
  swap: Swap | undefined = undefined;
  swapDelivered: { request: HotSwapRequest; swap: Swap } | undefined = undefined;
  swappable: boolean = false;
  abort: AbortController | undefined = undefined;
  monitors: Set<MonitorTarget> | undefined = undefined;
  finishWaiters: WaiterQueue | undefined = undefined;
  owned: Set<{ ownerEnded(coro: Coro<any, any>): void }> | undefined = undefined;
  static readonly EMPTY = new CoroExtras();
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
 *   for (;;) console.log(await coro.receive());
 * });
 * echo.send('hello');
 * ```
 */
export class Coro<M = unknown, R = unknown> implements WaitOwner {
  /** Unique among the coroutines of its scheduler. */
  readonly id: number;
  readonly scheduler: Scheduler;
  /** Defaults to the function's name. */
  readonly name: string;
  private state = Scheduled;
  private _daemon = false;
  private fn: CoroFunction<M, R, any[]> | undefined;
  private args: unknown[] | undefined;
  private mailbox: Mailbox<M> | undefined = undefined;
  /** Rarely used state, allocated on first use to keep an idle coroutine small. */
  private x: CoroExtras | undefined = undefined;
  private get extraWaits(): Set<Wait<any>> | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.extraWaits : this.x.extraWaits;
  }
  private set extraWaits(value: Set<Wait<any>> | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.extraWaits) (this.x ??= new CoroExtras()).extraWaits = value;
  }
  private get thrown(): Error[] | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.thrown : this.x.thrown;
  }
  private set thrown(value: Error[] | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.thrown) (this.x ??= new CoroExtras()).thrown = value;
  }
  private get swap(): Swap | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.swap : this.x.swap;
  }
  private set swap(value: Swap | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.swap) (this.x ??= new CoroExtras()).swap = value;
  }
  private get swapDelivered(): { request: HotSwapRequest; swap: Swap } | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.swapDelivered : this.x.swapDelivered;
  }
  private set swapDelivered(value: { request: HotSwapRequest; swap: Swap } | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.swapDelivered) (this.x ??= new CoroExtras()).swapDelivered = value;
  }
  private get swappable(): boolean {
    return this.x === undefined ? CoroExtras.EMPTY.swappable : this.x.swappable;
  }
  private set swappable(value: boolean) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.swappable) (this.x ??= new CoroExtras()).swappable = value;
  }
  private get abort(): AbortController | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.abort : this.x.abort;
  }
  private set abort(value: AbortController | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.abort) (this.x ??= new CoroExtras()).abort = value;
  }
  private get monitors(): Set<MonitorTarget> | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.monitors : this.x.monitors;
  }
  private set monitors(value: Set<MonitorTarget> | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.monitors) (this.x ??= new CoroExtras()).monitors = value;
  }
  private get finishWaiters(): WaiterQueue | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.finishWaiters : this.x.finishWaiters;
  }
  private set finishWaiters(value: WaiterQueue | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.finishWaiters) (this.x ??= new CoroExtras()).finishWaiters = value;
  }
  private get owned(): Set<{ ownerEnded(coro: Coro<any, any>): void }> | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.owned : this.x.owned;
  }
  private set owned(value: Set<{ ownerEnded(coro: Coro<any, any>): void }> | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.owned) (this.x ??= new CoroExtras()).owned = value;
  }
  /** The pending receive; its `data` holds the filter of a selective receive. */
  private receiver: Wait<M> | undefined = undefined;
  private wait: Wait<any> | undefined = undefined;
  private terminating: CoroTerminatedError | undefined = undefined;
  private outcome: Outcome | undefined = undefined;

  constructor(fn: CoroFunction<M, R, any[]>, ...args: unknown[]) {
    const options = pendingOptions ?? {};
    const scheduler = pendingScheduler ?? options.scheduler ?? Scheduler.default();
    const spawnArgs = pendingArgs ?? args;
    pendingOptions = pendingScheduler = pendingArgs = undefined;
    checkFunction(fn, 'coroutine function');
    this.scheduler = scheduler;
    this.name = options.name ?? (fn.name || 'coro');
    if (options.mailbox !== undefined) this.mailbox = new Mailbox(options.mailbox, (m) => this.scheduler.deadLetter(this, 'mailbox overflow', m));
    this.fn = fn;
    this.args = spawnArgs;
    this._daemon = options.daemon === true;
    this.id = scheduler.adopt(this, this._daemon);
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
  static locate(name: string, options?: WaitOptions & { scheduler?: Scheduler; location?: Location | string }): Promise<Coro<any, any> | RemoteCoro | undefined> {
    return (options?.scheduler ?? Scheduler.default()).locateCoro(name, options);
  }

  /** True until the coroutine has ended. */
  get isAlive(): boolean {
    return this.state !== Ended;
  }

  get daemon(): boolean {
    return this._daemon;
  }

  /** Number of queued messages. */
  get pending(): number {
    return this.mailbox?.length ?? 0;
  }

  /** Messages the overflow policy has discarded. */
  get dropped(): number {
    return this.mailbox?.dropped ?? 0;
  }

  /**
   * Aborted when the coroutine is terminated: pass it to foreign APIs (fetch, timers/promises...)
   * so that they are cancelled too.
   */
  get signal(): AbortSignal {
    if (this.abort === undefined) {
      this.abort = new AbortController();
      if (this.terminating) this.abort.abort(this.terminating);
    }
    return this.abort.signal;
  }

  /** Marks (or unmarks) the coroutine as a daemon: the scheduler does not wait for daemons. */
  setDaemon(flag = true): void {
    if (this.state === Ended || flag === this._daemon) return;
    this._daemon = flag;
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
    if (this.state === Ended) {
      this.scheduler.deadLetter(this, 'ended');
      return false;
    }
    const receiver = this.receiver;
    if (receiver !== undefined && this.accepts(receiver, message)) {
      this.receiver = undefined;
      receiver.wake(message);
      return true;
    }
    return (this.mailbox ??= new Mailbox<M>()).enqueue(message);
  }

  /**
   * Queues a message and resolves true once it is in the mailbox. Into a full mailbox it waits
   * for room, and resolves false if `timeout` passes first. Throws CoroFinishedError when the
   * coroutine has ended.
   * @example
   * ```ts
   * if (!(await worker.deliver(job, { timeout: 1000 }))) console.log('worker busy');
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
  private offer(message: M): boolean {
    const receiver = this.receiver;
    if (receiver !== undefined && this.accepts(receiver, message)) {
      this.receiver = undefined;
      receiver.wake(message);
      return true;
    }
    const box = (this.mailbox ??= new Mailbox<M>());
    if (box.full) return false;
    box.push(message);
    return true;
  }

  /** Waits for room in a full mailbox; another sender may take the freed slot first, so it retries until the deadline. */
  private async deliverLater(message: M, timeout: number, owner: WaitOwner | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    const deadline = performance.now() + timeout;
    do {
      const wait = new Wait<boolean>(this.scheduler, owner, WaitKind.Other);
      wait.alarm = false;
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
    const timeout = checkWaitOptions(options);
    const filter = options?.filter;
    if (filter !== undefined) checkFunction(filter, 'filter');
    const interrupt = this.pendingInterrupt(WaitKind.Receive);
    if (interrupt !== undefined) return Promise.reject(interrupt);
    if (this.receiver !== undefined) return Promise.reject(new ConcurrentReceiveError(`${this} already has a pending receive`));
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    const box = this.mailbox;
    if (box !== undefined && box.length > 0) {
      let index: number;
      try {
        index = box.find(filter);
      } catch (err) {
        return Promise.reject(err);
      }
      if (index >= 0) return this.scheduler.ready(box.take(index));
    }
    if (timeout === 0) return this.scheduler.ready(options?.alarm as A);
    const wait = new Wait<M>(this.scheduler, this, WaitKind.Receive);
    wait.alarm = options?.alarm;
    wait.data = filter;
    this.receiver = wait;
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
    return index >= 0 ? box.take(index) : (options?.alarm as A);
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
    const timeout = checkWaitOptions(options);
    const interrupt = this.pendingInterrupt(WaitKind.Sleep);
    if (interrupt !== undefined) return Promise.reject(interrupt);
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    if (timeout === 0) return this.scheduler.ready(options?.alarm);
    const wait = new Wait<unknown>(this.scheduler, this, WaitKind.Sleep);
    wait.alarm = options?.alarm;
    return wait.start(timeout, options?.signal);
  }

  /**
   * Sleeps `ms` milliseconds; returns `alarm` (default undefined), or the update if resumed early.
   * @example
   * ```ts
   * await coro.sleep(100);
   * ```
   */
  sleep<A = undefined>(ms: number, options?: { alarm?: A; signal?: AbortSignal }): Promise<unknown> {
    checkTimeout(ms, 'sleep duration');
    if (options !== undefined) checkWaitOptions(options);
    return this.suspend({ timeout: ms, alarm: options?.alarm, signal: options?.signal });
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
    const w = this.findWait(WaitKind.Sleep);
    if (w === undefined) {
      this.scheduler.logger.debug({ coro: String(this) }, 'resume ignored: coroutine is not suspended');
      return false;
    }
    return w.wake(update);
  }

  // ---------------------------------------------------------------- control

  /**
   * Raises `error` inside the coroutine at its pending runtime call (or its next one).
   * @example
   * ```ts
   * worker.throw(new Error('reconfigure'));
   * ```
   */
  throw(error: Error): void {
    this.mustBeAlive('throw into');
    if (!(error instanceof Error)) throw new InvalidArgumentError('throw() needs an Error instance');
    const w = this.findWait(undefined);
    if (w !== undefined) w.fail(error);
    else (this.thrown ??= []).push(error);
  }

  /**
   * Ends the coroutine: its pending runtime call (or next one) throws CoroTerminatedError and
   * its `signal` aborts. Returns false if it had already ended.
   * @example
   * ```ts
   * worker.terminate();
   * ```
   */
  terminate(): boolean {
    if (this.state === Ended) return false;
    if (this.terminating) return true;
    const reason = (this.terminating = new CoroTerminatedError(`${this} was terminated`));
    this.abort?.abort(reason);
    for (let w = this.findWait(undefined); w !== undefined; w = this.findWait(undefined)) w.fail(reason);
    return true;
  }

  /**
   * Declares whether the coroutine accepts hot swaps now. Must be re-armed after each swap.
   * @example
   * ```ts
   * coro.hotSwappable(true);
   * ```
   */
  hotSwappable(flag = true): void {
    this.swappable = flag;
    if (flag && this.swap !== undefined) this.deliverSwap();
  }

  /**
   * Replaces the coroutine's function with `fn(coro, ...args)` at its next safe point (a receive
   * or sleep while hot-swappable), keeping its identity and queued messages. The running function
   * receives a HotSwapRequest it may catch to refuse.
   * @example
   * ```ts
   * server.hotSwap(serverV2, 'config.json');
   * ```
   */
  hotSwap<A extends unknown[]>(fn: CoroFunction<M, R, A>, ...args: A): void {
    this.mustBeAlive('hot swap');
    checkFunction(fn, 'hot swap function');
    this.swap = { fn: fn as CoroFunction<any, any, any[]>, args };
    if (this.swappable) this.deliverSwap();
  }

  // ---------------------------------------------------------------- monitors and results

  /**
   * Makes this coroutine a monitor of `other`: when `other` ends, this one receives a
   * MonitorStatus message. Monitoring one that has already ended reports at once.
   * @example
   * ```ts
   * await supervisor.monitor(worker);
   * ```
   */
  async monitor(other: { notify(monitor: MonitorTarget): void | Promise<void> }): Promise<void> {
    if (other === null || typeof other !== 'object' || typeof other.notify !== 'function') {
      throw new InvalidArgumentError('monitor() needs a coroutine or remote coroutine reference');
    }
    await other.notify(this);
  }

  /**
   * Installs `monitor` as a monitor of this coroutine (the reverse of `monitor`).
   * @example
   * ```ts
   * worker.notify(supervisor);
   * ```
   */
  notify(monitor: MonitorTarget): void {
    if (monitor === null || typeof monitor !== 'object' || typeof monitor.send !== 'function') {
      throw new InvalidArgumentError('monitor must be a coroutine or remote coroutine reference');
    }
    if (this.outcome !== undefined) monitor.send(this.status());
    else (this.monitors ??= new Set()).add(monitor);
  }

  /**
   * Waits for the coroutine to end: resolves with its value, rejects with its error (or
   * CoroTerminatedError); returns `alarm` if `timeout` passes first.
   * @example
   * ```ts
   * const result = await worker.finish({ timeout: 5000, alarm: null });
   * ```
   */
  async finish<A = undefined>(options?: ActingWaitOptions & { alarm?: A }): Promise<R | A> {
    const timeout = checkWaitOptions(options);
    const owner = this.scheduler.actor(options?.coro);
    if (options?.signal?.aborted) throw options.signal.reason;
    if (this.outcome === undefined) {
      const wait = new Wait<boolean>(this.scheduler, owner, WaitKind.Other);
      wait.alarm = false;
      (this.finishWaiters ??= new WaiterQueue()).push(wait);
      if (!(await wait.start(timeout, options?.signal))) return options?.alarm as A;
    } else {
      await this.scheduler.ready(undefined); // budgeted: polling an ended coroutine must not starve I/O
    }
    const { reason, value, error } = this.outcome!;
    if (reason === 'finished') return value as R;
    throw reason === 'terminated' ? new CoroTerminatedError(`${this} was terminated`) : error;
  }

  /**
   * The coroutine's result as a promise (no timeout).
   * @example
   * ```ts
   * console.log(await coro.value());
   * ```
   */
  value(): Promise<R> {
    return this.finish() as Promise<R>;
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

  toString(): string {
    return `${this.name}/${this.id}`;
  }

  /** @internal Records a resource this coroutine holds (or no longer holds). */
  own(resource: { ownerEnded(coro: Coro<any, any>): void }, held: boolean): void {
    if (held) (this.owned ??= new Set()).add(resource);
    else this.owned?.delete(resource);
  }

  // ---------------------------------------------------------------- WaitOwner

  /** @internal */
  pendingInterrupt(kind: WaitKind): Error | undefined {
    if (this.state === Ended) return new CoroFinishedError(`${this} has ended`);
    if (this.terminating) return this.terminating;
    if (this.thrown !== undefined && this.thrown.length > 0) return this.thrown.shift();
    if (this.swap !== undefined && this.swappable && kind !== WaitKind.Other) return this.takeSwap();
    return undefined;
  }

  /** @internal */
  addWait(wait: Wait<any>): void {
    if (this.wait === undefined) this.wait = wait;
    else (this.extraWaits ??= new Set()).add(wait);
  }

  /** @internal */
  removeWait(wait: Wait<any>): void {
    if (this.receiver === wait) this.receiver = undefined;
    if (this.wait === wait) this.wait = undefined;
    else this.extraWaits?.delete(wait);
  }

  // ---------------------------------------------------------------- internals

  /** Whether the pending selective receive takes `message`; a throwing filter fails the receive. */
  private accepts(receiver: Wait<M>, message: M): boolean {
    const filter = receiver.data as ((m: M) => boolean) | undefined;
    if (filter === undefined) return true;
    try {
      return filter(message);
    } catch (err) {
      receiver.fail(err);
      return false;
    }
  }

  private findWait(kind: WaitKind | undefined): Wait<any> | undefined {
    if (this.wait !== undefined && (kind === undefined || this.wait.kind === kind)) return this.wait;
    if (this.extraWaits !== undefined) for (const w of this.extraWaits) if (kind === undefined || w.kind === kind) return w;
    return undefined;
  }

  private mustBeAlive(action: string): void {
    if (this.state === Ended) throw new CoroFinishedError(`cannot ${action} ${this}: it has ended`);
  }

  private takeSwap(): HotSwapRequest {
    const request = new HotSwapRequest(`hot swap of ${this}`);
    request.replacement = this.swap!.fn;
    this.swapDelivered = { request, swap: this.swap! };
    this.swap = undefined;
    return request;
  }

  private deliverSwap(): void {
    const w = this.findWait(WaitKind.Receive) ?? this.findWait(WaitKind.Sleep);
    if (w !== undefined) w.fail(this.takeSwap());
  }

  private status(): MonitorStatus<R> {
    const { reason, value, error } = this.outcome!;
    return new MonitorStatus<R>(this, reason, value as R, error);
  }

  /** @internal Started by the scheduler's start queue (and again after a hot swap). */
  run(): void {
    if (this.terminating !== undefined) return this.end({ reason: 'terminated', error: this.terminating });
    this.state = Running;
    let result: R | Promise<R>;
    try {
      result = this.invoke();
    } catch (error) {
      return this.threw(error);
    }
    // then() callbacks instead of an async frame: an idle coroutine costs less memory.
    if (result !== null && typeof (result as Promise<R>)?.then === 'function') {
      (result as Promise<R>).then((value) => this.returned(value), (error) => this.threw(error));
    } else this.returned(result as R);
  }

  /** Calls the function; kept apart so run()'s callbacks capture nothing but `this`. */
  private invoke(): R | Promise<R> {
    const fn = this.fn!;
    const args = this.args!;
    this.fn = this.args = undefined;
    const tracker = this.scheduler.tracker;
    return tracker === undefined ? fn(this, ...args) : tracker.run(this, () => fn(this, ...args));
  }

  private returned(value: R): void {
    this.end(this.terminating !== undefined ? { reason: 'terminated', error: this.terminating } : { reason: 'finished', value });
  }

  private threw(error: unknown): void {
    // However it unwound, a terminated coroutine reports its CoroTerminatedError.
    if (this.terminating !== undefined) return this.end({ reason: 'terminated', error: this.terminating });
    const delivered = this.swapDelivered;
    if (delivered !== undefined && error === delivered.request) {
      this.fn = delivered.swap.fn as CoroFunction<M, R, any[]>;
      this.args = delivered.swap.args;
      this.swapDelivered = undefined;
      this.swappable = false;
      this.scheduler.logger.debug({ coro: String(this) }, 'hot swapped');
      return this.run();
    }
    this.end({ reason: 'failed', error });
  }

  private end(outcome: Outcome): void {
    this.swap = this.swapDelivered = undefined;
    this.state = Ended;
    this.outcome = outcome;
    this.fn = this.args = undefined;
    this.wait?.abandon();
    if (this.extraWaits !== undefined) for (const w of [...this.extraWaits]) w.abandon();
    if (this.owned !== undefined) {
      for (const r of [...this.owned]) {
        try {
          r.ownerEnded(this);
        } catch (err) {
          this.scheduler.logger.error({ coro: String(this), err }, 'releasing a resource of an ended coroutine failed');
        }
      }
    }
    this.owned = undefined;
    if (this.mailbox !== undefined) {
      const { messages, waiting } = this.mailbox.close();
      for (const w of waiting) w.fail(new CoroFinishedError(`${this} has ended`));
      if (messages.length > 0) this.scheduler.logger.debug({ coro: String(this), discarded: messages.length }, 'coroutine ended with queued messages');
    }
    if (outcome.reason === 'failed') this.scheduler.logger.error({ coro: String(this), err: outcome.error }, 'uncaught exception in coroutine');
    if (this.monitors !== undefined) {
      const status = this.status();
      for (const m of this.monitors) {
        // A monitor that cannot take the status (full mailbox, lost peer) must not stop this coroutine's end.
        try {
          m.send(status);
        } catch (err) {
          this.scheduler.deadLetter(m, 'monitor status not delivered', err);
        }
      }
      this.monitors = undefined;
    }
    if (this.finishWaiters !== undefined) for (const w of this.finishWaiters.drain()) w.wake(true);
    this.scheduler.retire(this);
  }
}
