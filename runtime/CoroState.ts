/**
 * The state of a coroutine and the machinery every wait relies on: its fields
 * (the rarely used ones allocated on first use), its pending waits, and the
 * interrupts (termination, thrown errors, hot swaps) a wait must honour.
 * Internal: users see it through {@link Coro}.
 * @module
 */
import { CoroFinishedError, CoroTerminatedError, HotSwapRequest } from './runtimeErrors.js';
import { Mailbox, type MailboxOptions } from './Mailbox.js';
import { MonitorStatus } from './MonitorStatus.js';
import type { CoroBody, CoroHost, MonitorTarget, Outcome, Swap } from './coroTypes.js';
import { WaitKind, type Wait, type WaitOwner } from './Wait.js';
import type { WaiterQueue } from './WaiterQueue.js';
import type { CoroActivity, CoroSnapshot } from './snapshotTypes.js';
import type { Logger } from './logging.js';
import type { CoroRef } from './networkPort.js';

/** @internal Lifecycle states. */
export const Scheduled = 0, Running = 1, Ended = 2;

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
  endWatchers: WaiterQueue | undefined = undefined;
  owned: Set<{ ownerEnded(coro: any): void }> | undefined = undefined;
  logger: Logger | undefined = undefined;
  static readonly EMPTY = new CoroExtras();
}

/**
 * Fields and wait bookkeeping of a coroutine.
 * @example
 * ```ts
 * // internal: Coro extends CoroLifecycle extends CoroState
 * ```
 */
export abstract class CoroState<M, R> implements WaitOwner {
  /** Unique among the coroutines of its scheduler. */
  readonly id: number;
  readonly scheduler: CoroHost;
  /** Defaults to the function's name. */
  readonly name: string;
  protected state = Scheduled;
  /** performance.now() at creation, in whole ms. */
  protected readonly born = Math.floor(performance.now()); // a small integer stays unboxed
  protected _daemon = false;
  protected fn: CoroBody | undefined;
  protected args: unknown[] | undefined;
  protected mailbox: Mailbox<M> | undefined = undefined;
  /** Rarely used state, allocated on first use to keep an idle coroutine small. */
  protected x: CoroExtras | undefined = undefined;
  protected get extraWaits(): Set<Wait<any>> | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.extraWaits : this.x.extraWaits;
  }
  protected set extraWaits(value: Set<Wait<any>> | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.extraWaits) (this.x ??= new CoroExtras()).extraWaits = value;
  }
  protected get thrown(): Error[] | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.thrown : this.x.thrown;
  }
  protected set thrown(value: Error[] | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.thrown) (this.x ??= new CoroExtras()).thrown = value;
  }
  protected get swap(): Swap | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.swap : this.x.swap;
  }
  protected set swap(value: Swap | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.swap) (this.x ??= new CoroExtras()).swap = value;
  }
  protected get swapDelivered(): { request: HotSwapRequest; swap: Swap } | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.swapDelivered : this.x.swapDelivered;
  }
  protected set swapDelivered(value: { request: HotSwapRequest; swap: Swap } | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.swapDelivered) (this.x ??= new CoroExtras()).swapDelivered = value;
  }
  protected get swappable(): boolean {
    return this.x === undefined ? CoroExtras.EMPTY.swappable : this.x.swappable;
  }
  protected set swappable(value: boolean) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.swappable) (this.x ??= new CoroExtras()).swappable = value;
  }
  protected get abort(): AbortController | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.abort : this.x.abort;
  }
  protected set abort(value: AbortController | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.abort) (this.x ??= new CoroExtras()).abort = value;
  }
  protected get monitors(): Set<MonitorTarget> | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.monitors : this.x.monitors;
  }
  protected set monitors(value: Set<MonitorTarget> | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.monitors) (this.x ??= new CoroExtras()).monitors = value;
  }
  protected get finishWaiters(): WaiterQueue | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.finishWaiters : this.x.finishWaiters;
  }
  protected set finishWaiters(value: WaiterQueue | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.finishWaiters) (this.x ??= new CoroExtras()).finishWaiters = value;
  }
  protected get endWatchers(): WaiterQueue | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.endWatchers : this.x.endWatchers;
  }
  protected set endWatchers(value: WaiterQueue | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.endWatchers) (this.x ??= new CoroExtras()).endWatchers = value;
  }
  protected get owned(): Set<{ ownerEnded(coro: any): void }> | undefined {
    return this.x === undefined ? CoroExtras.EMPTY.owned : this.x.owned;
  }
  protected set owned(value: Set<{ ownerEnded(coro: any): void }> | undefined) {
    if (this.x !== undefined || value !== CoroExtras.EMPTY.owned) (this.x ??= new CoroExtras()).owned = value;
  }
  /** The pending receive; its `data` holds the filter of a selective receive. */
  protected receiver: Wait<M> | undefined = undefined;
  protected wait: Wait<any> | undefined = undefined;
  protected terminating: CoroTerminatedError | undefined = undefined;
  protected outcome: Outcome | undefined = undefined;

  protected constructor(scheduler: CoroHost, name: string, fn: CoroBody, args: unknown[], daemon: boolean, mailbox: MailboxOptions | undefined) {
    this.scheduler = scheduler;
    this.name = name;
    if (mailbox !== undefined) this.mailbox = new Mailbox(mailbox, (m) => this.scheduler.deadLetter(this.self, 'mailbox overflow', m));
    this.fn = fn;
    this.args = args;
    this._daemon = daemon;
    this.id = scheduler.adopt(this.self, daemon);
  }

  /** `name/id`, as asyncoro printed coroutines. */
  toString(): string {
    return `${this.name}/${this.id}`;
  }

  /** This object, as resources and monitors see it (the class hierarchy ends in Coro). */
  protected get self(): this {
    return this;
  }

  /**
   * A child of the scheduler's logger bound to this coroutine (`{ coro: 'name/id' }`), created on
   * first use, so coroutines that never log pay nothing.
   * @example
   * ```ts
   * coro.logger.info({ job: 7 }, 'started');
   * ```
   */
  get logger(): Logger {
    const extras = (this.x ??= new CoroExtras());
    return (extras.logger ??= this.scheduler.logger.child({ coro: String(this) }));
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

  /** @internal Records a resource this coroutine holds (or no longer holds). */
  own(resource: { ownerEnded(coro: any): void }, held: boolean): void {
    if (held) (this.owned ??= new Set()).add(resource);
    else this.owned?.delete(resource);
  }

  // ---------------------------------------------------------------- WaitOwner

  /** An error to raise instead of waiting (termination, a thrown error, a due hot swap). */
  pendingInterrupt(kind: WaitKind): Error | undefined {
    if (this.state === Ended) return new CoroFinishedError(`${this} has ended`);
    if (this.terminating) return this.terminating;
    if (this.thrown !== undefined && this.thrown.length > 0) return this.thrown.shift();
    if (this.swap !== undefined && this.swappable && kind !== WaitKind.Other) return this.takeSwap();
    return undefined;
  }

  /**
   * What this coroutine is doing now (see `scheduler.snapshot()`); `registered` are its names.
   * @example
   * ```ts
   * const { state, mailbox } = coro.describe();
   * ```
   */
  describe(registered: string[] = []): CoroSnapshot {
    let state: CoroActivity;
    let waitingOn: string | null = null;
    const wait = this.wait ?? (this.extraWaits !== undefined ? this.extraWaits.values().next().value : undefined);
    if (this.state === Ended) state = 'ended';
    else if (this.state === Scheduled) state = 'scheduled';
    else if (this.receiver !== undefined) state = 'receiving';
    else if (wait === undefined) state = 'running';
    else if (wait.kind === WaitKind.Sleep) state = wait.what === 'resume' ? 'suspended' : 'sleeping';
    else {
      state = 'waiting';
      waitingOn = wait.what ?? 'other';
    }
    return {
      id: this.id,
      name: this.name,
      state,
      waitingOn,
      mailbox: this.mailbox?.length ?? 0,
      dropped: this.mailbox?.dropped ?? 0,
      monitors: (this.monitors?.size ?? 0) + (this.endWatchers?.length ?? 0),
      registered,
      holds: this.owned === undefined ? [] : [...this.owned].map(describeResource),
      daemon: this._daemon,
      ageMs: Math.round(performance.now() - this.born),
    };
  }

  /** Records a wait this coroutine is in. */
  addWait(wait: Wait<any>): void {
    if (this.wait === undefined) this.wait = wait;
    else (this.extraWaits ??= new Set()).add(wait);
  }

  /** Forgets a wait that ended. */
  removeWait(wait: Wait<any>): void {
    if (this.receiver === wait) this.receiver = undefined;
    if (this.wait === wait) this.wait = undefined;
    else this.extraWaits?.delete(wait);
  }

  // ---------------------------------------------------------------- internals

  /** Whether the pending selective receive takes `message`; a throwing filter fails the receive. */
  protected accepts(receiver: Wait<M>, message: M): boolean {
    const filter = receiver.data as ((m: M) => boolean) | undefined;
    if (filter === undefined) return true;
    try {
      return filter(message);
    } catch (err) {
      receiver.fail(err);
      return false;
    }
  }

  protected findWait(kind: WaitKind | undefined): Wait<any> | undefined {
    if (this.wait !== undefined && (kind === undefined || this.wait.kind === kind)) return this.wait;
    if (this.extraWaits !== undefined) for (const w of this.extraWaits) if (kind === undefined || w.kind === kind) return w;
    return undefined;
  }

  protected mustBeAlive(action: string): void {
    if (this.state === Ended) throw new CoroFinishedError(`cannot ${action} ${this}: it has ended`);
  }

  protected takeSwap(): HotSwapRequest {
    const request = new HotSwapRequest(`hot swap of ${this}`);
    request.replacement = this.swap!.fn;
    this.swapDelivered = { request, swap: this.swap! };
    this.swap = undefined;
    return request;
  }

  protected deliverSwap(): void {
    const w = this.findWait(WaitKind.Receive) ?? this.findWait(WaitKind.Sleep);
    if (w !== undefined) w.fail(this.takeSwap());
  }

  protected status(): MonitorStatus<R> {
    const { reason, value, error } = this.outcome!;
    // The class hierarchy ends in Coro, which is a CoroRef.
    return new MonitorStatus<R>(this as unknown as CoroRef<unknown, R>, reason, value as R, error);
  }

}

/** A held resource as a snapshot names it: its own toString, else its class. */
function describeResource(resource: object): string {
  const text = String(resource);
  return text.startsWith('[object ') ? resource.constructor.name : text;
}
