/**
 * The state of a coroutine: its fields (the rarely used ones allocated on first use, the small
 * ones packed into one number), identity and the interrupts (termination, thrown errors, hot
 * swaps) a wait must honour. Internal: users see it through {@link Coro}.
 * @module
 */
import { CoroFinishedError, CoroTerminatedError, HotSwapRequest, NotOwnerError } from './runtimeErrors.js';
import { Mailbox, type MailboxOptions } from './Mailbox.js';
import { MonitorStatus } from './MonitorStatus.js';
import type { CoroBody, CoroHost, MonitorTarget, Outcome, Swap } from './coroTypes.js';
import { Wait, WaitKind, type WaitOwner } from './Wait.js';
import type { WaiterQueue } from './WaiterQueue.js';
import type { TimerEntry } from './TimerHeap.js';
import type { Logger } from './logging.js';
import type { CoroRef } from './networkPort.js';

/** @internal Lifecycle states: the low bits of a coroutine's flags. */
export const Scheduled = 0, Running = 1, Ended = 2;
/** @internal The other flags. */
export const STATE = 3, DAEMON = 4, INTERRUPT = 8, REGISTERED = 16;
/** @internal Its scheduler tracks the current coroutine: its owner-only calls check who calls (never the hot paths). */
export const TRACKED = 128;
/** @internal What the coroutine's own wait (see CoroWaits) is: nothing, a receive, a sleep, a suspend. */
export const OWN_WAIT = 96, OWN_RECEIVE = 32, OWN_SLEEP = 64, OWN_SUSPEND = 96;
/**
 * @internal Its `mailbox` field holds one queued message itself, not a Mailbox: a message sent
 * before the coroutine starts (or while it is busy) costs no Mailbox and no ring buffer until a
 * second one arrives. Unbounded mailboxes only (a bounded one is made with the coroutine).
 */
export const HELD = 256;

/** A resource a coroutine holds, released for it if it ends holding it (a lock, semaphore permits). */
export interface Owned {
  ownerEnded(coro: any): void;
}

/** The deadline and abort listener of a coroutine's own wait, allocated once on first use. */
export interface OwnTimer extends TimerEntry {
  alarm: unknown;
  signal: AbortSignal | undefined;
  /** AbortSignal listener. */
  handleEvent(): void;
}

/** The parts of a coroutine most never use. */
export class CoroExtras {
  /** Waits beyond the first pending one (`wait`). */
  extraWaits: Set<Wait<any>> | undefined = undefined;
  thrown: Error[] | undefined = undefined;
  terminating: CoroTerminatedError | undefined = undefined;
  swap: Swap | undefined = undefined;
  swapDelivered: { request: HotSwapRequest; swap: Swap } | undefined = undefined;
  swappable = false;
  abort: AbortController | undefined = undefined;
  monitors: Set<MonitorTarget> | undefined = undefined;
  finishWaiters: WaiterQueue | undefined = undefined;
  endWatchers: WaiterQueue | undefined = undefined;
  /** Resources held, in the order taken (released in reverse order, usually from the end). */
  owned: Owned[] | undefined = undefined;
  logger: Logger | undefined = undefined;
  /** The filter of the pending selective receive. */
  filter: ((message: any) => boolean) | undefined = undefined;
  /** A receive pending while its own wait was taken (a sleep raced with a receive). */
  receiver: Wait<any> | undefined = undefined;
  timer: OwnTimer | undefined = undefined;
  /** The wait of its last blocking acquire, reused by the next one once settled. */
  spareWait: Wait<any> | undefined = undefined;
}

/**
 * Fields of a coroutine.
 * @example
 * ```ts
 * // internal: Coro extends CoroLifecycle extends CoroWaits extends CoroState
 * ```
 */
export abstract class CoroState<M, R> {
  /** Unique among the coroutines of its scheduler. */
  readonly id: number;
  readonly scheduler: CoroHost;
  /** Its name, or the function whose name it takes when asked (reading a function's name is slow). */
  private label: string | CoroBody;
  /** performance.now() at creation, in whole ms (see CoroHost.starts). */
  protected readonly born: number;
  /** State, daemon, interrupt pending, registered and own wait, as bits (see the constants above). */
  protected flags = Scheduled;
  /** Its queued messages: a Mailbox, or (with the HELD flag) the one message queued. */
  protected mailbox: Mailbox<M> | M | undefined = undefined;
  /** Rarely used state, allocated on first use to keep an idle coroutine small. */
  protected x: CoroExtras | undefined = undefined;
  /** A pending wait of another primitive (a lock, finish, I/O...); more in `x.extraWaits`. */
  protected wait: Wait<any> | undefined = undefined;
  protected outcome: Outcome | undefined = undefined;
  /**
   * While its own wait is pending (the OWN_WAIT flags, never these fields, say so): the resolver
   * of the promise the body awaits... Until the coroutine starts: its function.
   */
  protected resolver: ((value: any) => void) | CoroBody | undefined;
  /** ...and that promise, marked handled before it is failed (its caller may have dropped it). Until it starts: its arguments. */
  protected awaited: Promise<any> | unknown[] | undefined;

  protected constructor(scheduler: CoroHost, name: string | undefined, fn: CoroBody, args: unknown[], daemon: boolean, mailbox: MailboxOptions | undefined) {
    this.scheduler = scheduler;
    this.label = name ?? fn;
    // Held in the own-wait fields until it starts: no fields of their own, no start-queue entries.
    this.resolver = fn;
    this.awaited = args;
    if (mailbox !== undefined) this.mailbox = new Mailbox(mailbox, (m) => this.scheduler.deadLetter(this.self, 'mailbox overflow', m));
    if (daemon) this.flags = DAEMON;
    if (scheduler.tracker !== undefined) this.flags |= TRACKED;
    this.id = scheduler.adopt(this.self, daemon);
    this.born = scheduler.starts.now();
  }

  /** Defaults to the function's name. */
  get name(): string {
    const label = this.label;
    return typeof label === 'string' ? label : (this.label = label.name || 'coro');
  }

  /** `name/id`, as asyncoro printed coroutines. */
  toString(): string {
    return `${this.name}/${this.id}`;
  }

  /** This object, as resources and monitors see it (the class hierarchy ends in Coro). */
  protected get self(): this {
    return this;
  }

  protected get state(): number {
    return this.flags & STATE;
  }

  protected set state(state: number) {
    this.flags = (this.flags & ~STATE) | state;
  }

  /** The extras, allocated on first use. */
  protected extras(): CoroExtras {
    return (this.x ??= new CoroExtras());
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
    const extras = this.extras();
    return (extras.logger ??= this.scheduler.logger.child({ coro: String(this) }));
  }

  /** True until the coroutine has ended. */
  get isAlive(): boolean {
    return (this.flags & STATE) !== Ended;
  }

  get daemon(): boolean {
    return (this.flags & DAEMON) !== 0;
  }

  /** @internal Whether it was ever registered under a name (its names are dropped when it ends). */
  get registered(): boolean {
    return (this.flags & REGISTERED) !== 0;
  }

  /** Number of queued messages. */
  get pending(): number {
    return (this.flags & HELD) !== 0 ? 1 : ((this.mailbox as Mailbox<M> | undefined)?.length ?? 0);
  }

  /** Messages the overflow policy has discarded. */
  get dropped(): number {
    return (this.flags & HELD) !== 0 ? 0 : ((this.mailbox as Mailbox<M> | undefined)?.dropped ?? 0);
  }

  /** Its Mailbox, or undefined when no message was ever queued (a held message moves into a new one). */
  protected get box(): Mailbox<M> | undefined {
    if ((this.flags & HELD) === 0) return this.mailbox as Mailbox<M> | undefined;
    const box = new Mailbox<M>();
    box.push(this.mailbox as M);
    this.flags &= ~HELD;
    return (this.mailbox = box);
  }

  /**
   * Queues `message` in the field itself (and counts it sent) when nothing is queued and no
   * Mailbox was ever needed (an unbounded mailbox: a bounded one is made with the coroutine);
   * false otherwise.
   */
  protected holdFirst(message: M): boolean {
    if ((this.flags & HELD) !== 0 || this.mailbox !== undefined) return false;
    this.mailbox = message;
    this.flags |= HELD;
    const counts = this.scheduler.counters;
    counts.sent++;
    if (counts.mailboxHighWater === 0) counts.mailboxHighWater = 1;
    return true;
  }

  /**
   * Aborted when the coroutine is terminated: pass it to foreign APIs (fetch, timers/promises...)
   * so that they are cancelled too.
   */
  get signal(): AbortSignal {
    const x = this.extras();
    if (x.abort === undefined) {
      x.abort = new AbortController();
      if (x.terminating) x.abort.abort(x.terminating);
    }
    return x.abort.signal;
  }

  /**
   * @internal Records a resource this coroutine holds (or no longer holds). Resources are
   * usually released in the reverse order of taking, so this is a push and a pop.
   */
  own(resource: Owned, held: boolean): void {
    if (held) {
      (this.extras().owned ??= []).push(resource);
      return;
    }
    const owned = this.x?.owned;
    if (owned === undefined || owned.length === 0) return;
    if (owned[owned.length - 1] === resource) {
      owned.pop();
      return;
    }
    const i = owned.lastIndexOf(resource);
    if (i >= 0) owned.splice(i, 1);
  }

  /**
   * @internal A wait of kind Other owned by this coroutine for a blocking acquire (a lock, a
   * semaphore): the one its previous acquire used, once settled, so that a coroutine contending
   * for a lock in a loop allocates a promise per acquire and no Wait. Only for primitives that
   * keep no reference to a wait once it has settled.
   */
  reusableWait(): Wait<boolean> {
    const x = this.extras();
    const spare = x.spareWait;
    if (spare !== undefined && spare.settled) {
      spare.reset();
      return spare;
    }
    return (x.spareWait = new Wait<boolean>(this.scheduler, this as unknown as WaitOwner, WaitKind.Other));
  }

  // ---------------------------------------------------------------- interrupts

  /** An error to raise instead of waiting (termination, a thrown error, a due hot swap). */
  pendingInterrupt(kind: WaitKind): Error | undefined {
    if ((this.flags & STATE) === Ended) return new CoroFinishedError(`${this} has ended`);
    if ((this.flags & INTERRUPT) === 0) return undefined;
    const x = this.x!;
    if (x.terminating !== undefined) return x.terminating;
    if (x.thrown !== undefined && x.thrown.length > 0) {
      const error = x.thrown.shift();
      this.syncInterrupt();
      return error;
    }
    if (x.swap !== undefined && x.swappable && kind !== WaitKind.Other) return this.takeSwap();
    return undefined;
  }

  /** Sets the INTERRUPT flag exactly when an interrupt is pending, so waits check one bit. */
  protected syncInterrupt(): void {
    const x = this.x;
    const pending = x !== undefined && (x.terminating !== undefined || (x.thrown !== undefined && x.thrown.length > 0) || (x.swap !== undefined && x.swappable));
    this.flags = pending ? this.flags | INTERRUPT : this.flags & ~INTERRUPT;
  }

  /**
   * The error refusing `what` (a call only this coroutine may make on itself) when it certainly
   * comes from elsewhere: always before the coroutine has started; with context tracking
   * (`trackCurrent`), whenever the code calling is not this coroutine's. Undefined otherwise
   * (an ended coroutine is refused by `pendingInterrupt`, with CoroFinishedError).
   */
  protected notOwner(what: string): NotOwnerError | undefined {
    if (this.state === Running) {
      const tracker = this.scheduler.tracker;
      const current = tracker === undefined ? this : tracker.getStore();
      if (current === this) return undefined;
      return new NotOwnerError(`${what} on ${this} from ${current === undefined ? 'outside any coroutine' : String(current)}: only the coroutine itself may`);
    }
    if (this.state === Scheduled) return new NotOwnerError(`${what} on ${this}, which has not started: only the coroutine itself may`);
    return undefined;
  }

  protected takeSwap(): HotSwapRequest {
    const x = this.x!;
    const request = new HotSwapRequest(`hot swap of ${this}`);
    request.replacement = x.swap!.fn;
    x.swapDelivered = { request, swap: x.swap! };
    x.swap = undefined;
    this.syncInterrupt();
    return request;
  }

  protected mustBeAlive(action: string): void {
    if ((this.flags & STATE) === Ended) throw new CoroFinishedError(`cannot ${action} ${this}: it has ended`);
  }

  protected status(): MonitorStatus<R> {
    const { reason, value, error } = this.outcome!;
    // The class hierarchy ends in Coro, which is a CoroRef.
    return new MonitorStatus<R>(this as unknown as CoroRef<unknown, R>, reason, value as R, error);
  }
}
