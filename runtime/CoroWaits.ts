/**
 * The waits of a coroutine. Its own blocking calls (receive, sleep, suspend) use one wait built
 * into the coroutine: the pending promise's resolver lives in two fields, and a deadline or an
 * AbortSignal in one small object allocated on first use and reused, so a receive allocates
 * nothing but its promise. Waits of other primitives (locks, finish, I/O) are {@link Wait}
 * objects the coroutine keeps track of, so that `terminate()` and `throw()` can interrupt them.
 * Internal layer of {@link Coro}.
 * @module
 */
import { CoroState, DAEMON, Ended, OWN_RECEIVE, OWN_SLEEP, OWN_SUSPEND, OWN_WAIT, Scheduled, STATE, type OwnTimer } from './CoroState.js';
import { WaitKind, type Wait, type WaitOwner } from './Wait.js';
import type { CoroActivity, CoroSnapshot } from './snapshotTypes.js';

/** The deadline and abort listener of a coroutine's own wait. */
class OwnDeadline implements OwnTimer {
  deadline = 0;
  index = -1;
  ref = false;
  alarm: unknown = undefined;
  signal: AbortSignal | undefined = undefined;
  constructor(private readonly coro: CoroWaits<any, any>) {}

  /** Timer callback: the deadline passed. */
  fire(): void {
    this.coro.ownWaitExpired();
  }

  /** AbortSignal listener. */
  handleEvent(): void {
    this.coro.ownWaitAborted();
  }
}

function ignore(): void {}

/** A thenable that rejects whatever adopts it with `error`. */
class Rejection {
  constructor(private readonly error: unknown) {}
  then(_resolve: unknown, reject: (error: unknown) => void): void {
    reject(this.error);
  }
}

/**
 * Wait bookkeeping of a coroutine.
 * @example
 * ```ts
 * // internal: Coro extends CoroLifecycle extends CoroWaits extends CoroState
 * ```
 */
export abstract class CoroWaits<M, R> extends CoroState<M, R> implements WaitOwner {
  // ---------------------------------------------------------------- its own wait

  /**
   * Arms the coroutine's own wait as `kind` and returns the promise its body awaits; `timeout`
   * in ms (Infinity for none). The caller has checked that it is free and nothing interrupts it.
   */
  protected armOwnWait(kind: number, timeout: number, alarm: unknown, signal: AbortSignal | undefined): Promise<any> {
    // A closure per call measured faster than one shared executor handing the resolver over
    // through module variables (old-generation writes).
    const promise = new Promise<any>((resolve) => {
      this.resolver = resolve;
    });
    this.awaited = promise;
    this.flags |= kind;
    if (timeout !== Infinity || signal !== undefined) {
      const x = this.extras();
      const timer = (x.timer ??= new OwnDeadline(this));
      timer.alarm = alarm;
      if (signal !== undefined) {
        timer.signal = signal;
        signal.addEventListener('abort', timer);
      }
      if (timeout !== Infinity) {
        timer.ref = (this.flags & DAEMON) === 0; // a daemon's deadline does not keep the process alive
        this.scheduler.timers.scheduleSoon(timer, timeout);
      }
    }
    return promise;
  }

  /** Settles its own wait with `value` (a message, an update, the alarm). */
  protected settleOwnWait(value: unknown): void {
    const resolve = this.resolver as (value: unknown) => void;
    this.resolver = this.awaited = undefined;
    this.flags &= ~OWN_WAIT;
    if (this.x !== undefined) this.clearOwnWait();
    this.scheduler.dispatch(resolve, value);
  }

  /**
   * Fails its own wait with `error`. The promise is marked handled first (a caller that dropped it
   * must not crash the process), then resolved with a thenable that rejects it with `error` (the
   * coroutine keeps only the resolve function of its pending promise: an idle one is smaller).
   */
  protected failOwnWait(error: unknown): void {
    const resolve = this.resolver as (value: unknown) => void;
    (this.awaited as Promise<unknown>).catch(ignore);
    this.clearOwnWait();
    this.scheduler.dispatch(resolve, new Rejection(error));
  }

  /** Ends its own wait without settling it (the coroutine ended) or after settling it. */
  protected clearOwnWait(): void {
    this.resolver = this.awaited = undefined;
    this.flags &= ~OWN_WAIT;
    const x = this.x;
    if (x === undefined) return;
    x.filter = undefined;
    const timer = x.timer;
    if (timer === undefined) return;
    if (timer.index !== -1) this.scheduler.timers.cancel(timer);
    if (timer.signal !== undefined) {
      timer.signal.removeEventListener('abort', timer);
      timer.signal = undefined;
    }
    timer.alarm = undefined;
  }

  /** @internal Its own wait's deadline passed. */
  ownWaitExpired(): void {
    if ((this.flags & OWN_WAIT) !== 0) this.settleOwnWait(this.x!.timer!.alarm);
  }

  /** @internal Its own wait's signal was aborted. */
  ownWaitAborted(): void {
    if ((this.flags & OWN_WAIT) !== 0) this.failOwnWait(this.x!.timer!.signal!.reason);
  }

  /** What its own wait is now: 0 (none), OWN_RECEIVE, OWN_SLEEP or OWN_SUSPEND. */
  protected get ownWait(): number {
    return this.flags & OWN_WAIT;
  }

  // ---------------------------------------------------------------- other waits (WaitOwner)

  /** Records a wait this coroutine is in. */
  addWait(wait: Wait<any>): void {
    if (this.wait === undefined) this.wait = wait;
    else (this.extras().extraWaits ??= new Set()).add(wait);
  }

  /** Forgets a wait that ended. */
  removeWait(wait: Wait<any>): void {
    if (this.wait === wait) this.wait = undefined;
    else this.x?.extraWaits?.delete(wait);
    if (this.x !== undefined && this.x.receiver === wait) this.x.receiver = undefined;
  }

  protected findWait(kind: WaitKind | undefined): Wait<any> | undefined {
    if (this.wait !== undefined && (kind === undefined || this.wait.kind === kind)) return this.wait;
    const extra = this.x?.extraWaits;
    if (extra !== undefined) for (const w of extra) if (kind === undefined || w.kind === kind) return w;
    return undefined;
  }

  /** Fails the pending wait, its own first: what `throw()` does. False when it waits for nothing. */
  protected failAWait(error: Error): boolean {
    if ((this.flags & OWN_WAIT) !== 0) {
      this.failOwnWait(error);
      return true;
    }
    const w = this.findWait(undefined);
    return w !== undefined && w.fail(error);
  }

  /** Fails every pending wait: what `terminate()` does. */
  protected failAllWaits(error: Error): void {
    if ((this.flags & OWN_WAIT) !== 0) this.failOwnWait(error);
    for (let w = this.findWait(undefined); w !== undefined; w = this.findWait(undefined)) w.fail(error);
  }

  /** Withdraws every pending wait: the coroutine has ended and nobody will be woken. */
  protected abandonWaits(): void {
    if ((this.flags & OWN_WAIT) !== 0) this.clearOwnWait();
    this.wait?.abandon();
    const extra = this.x?.extraWaits;
    if (extra !== undefined) for (const w of [...extra]) w.abandon();
  }

  /** The pending receive or sleep a due hot swap interrupts, as a function that fails it. */
  protected swapPoint(): ((error: Error) => void) | undefined {
    if ((this.flags & OWN_WAIT) !== 0) return (error) => this.failOwnWait(error);
    const w = this.findWait(WaitKind.Receive) ?? this.findWait(WaitKind.Sleep);
    return w === undefined ? undefined : (error) => void w.fail(error);
  }

  /** Wakes a pending sleep or suspend with `update`; false when there is none. */
  protected wakeSleeper(update: unknown): boolean {
    const own = this.flags & OWN_WAIT;
    if (own === OWN_SLEEP || own === OWN_SUSPEND) {
      this.settleOwnWait(update);
      return true;
    }
    const w = this.findWait(WaitKind.Sleep);
    return w !== undefined && w.wake(update);
  }

  /** Whether a receive is pending (its own wait, or a separate one raced with a sleep). */
  protected get receiving(): boolean {
    return (this.flags & OWN_WAIT) === OWN_RECEIVE || (this.x !== undefined && this.x.receiver !== undefined);
  }

  /** Whether `message` is taken by the pending receive's filter; a throwing filter fails the receive. */
  protected accepts(filter: ((m: M) => boolean) | undefined, message: M, fail: (error: unknown) => void): boolean {
    if (filter === undefined) return true;
    try {
      return filter(message);
    } catch (err) {
      fail(err);
      return false;
    }
  }

  // ---------------------------------------------------------------- snapshot

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
    const x = this.x;
    const own = this.flags & OWN_WAIT;
    const wait = this.wait ?? (x?.extraWaits !== undefined ? x.extraWaits.values().next().value : undefined);
    if ((this.flags & STATE) === Ended) state = 'ended';
    else if ((this.flags & STATE) === Scheduled) state = 'scheduled';
    else if (this.receiving) state = 'receiving';
    else if (own === OWN_SLEEP) state = 'sleeping';
    else if (own === OWN_SUSPEND) state = 'suspended';
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
      mailbox: this.pending,
      dropped: this.dropped,
      monitors: (x?.monitors?.size ?? 0) + (x?.endWatchers?.length ?? 0),
      registered,
      holds: x?.owned === undefined ? [] : x.owned.map(describeResource),
      daemon: this.daemon,
      ageMs: Math.round(performance.now() - this.born),
    };
  }
}

/** A held resource as a snapshot names it: its own toString, else its class. */
function describeResource(resource: object): string {
  const text = String(resource);
  return text.startsWith('[object ') ? resource.constructor.name : text;
}
