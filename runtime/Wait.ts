/**
 * A pending blocking call, written once for every primitive: it owns the
 * promise the caller awaits, its deadline in the scheduler's timer heap, its
 * AbortSignal listener and its registration with the waiting coroutine (so
 * that `terminate()` and `throw()` can interrupt it). Internal machinery.
 * @module
 */
import { TimeoutError } from './runtimeErrors.js';
import type { TimerEntry, TimerHeap } from './TimerHeap.js';

/** What the coroutine is waiting for; hot swaps are delivered only in receive and sleep waits. */
export const WaitKind = { Receive: 1, Sleep: 2, Other: 3 } as const;
export type WaitKind = (typeof WaitKind)[keyof typeof WaitKind];

/** The side of the scheduler a wait needs: its timers and its budgeted dispatch. */
export interface WaitHost {
  readonly timers: TimerHeap;
  /** Calls `settle(value)` now, or later if the fairness budget is spent. */
  dispatch(settle: (value: any) => void, value: unknown): void;
}

/** The side of a coroutine a wait needs. */
export interface WaitOwner {
  readonly daemon: boolean;
  /** An error to raise instead of waiting (termination, a thrown error, a due hot swap). */
  pendingInterrupt(kind: WaitKind): Error | undefined;
  addWait(wait: Wait<any>): void;
  removeWait(wait: Wait<any>): void;
}

/**
 * One pending blocking call. Settled exactly once: woken, timed out, aborted or interrupted.
 * @example
 * ```ts
 * const w = new Wait(host, coro, WaitKind.Other);
 * w.alarm = false;
 * const p = w.start(100, signal); // resolves with the alarm value after 100 ms
 * ```
 */
export class Wait<T> implements TimerEntry {
  settled = false;
  deadline = 0;
  index = -1;
  ref = false;
  /** Value returned on timeout (unless throwOnTimeout). */
  alarm: unknown = undefined;
  throwOnTimeout = false;
  /** Payload for the primitive that queued it (a filter, a permit count...). */
  data: unknown = undefined;
  /** What is waited on, for snapshots ('Lock', 'socket', 'remote call'...); unset for plain waits. */
  what: string | undefined = undefined;
  /** Links while the wait sits in a WaiterQueue. */
  prev: Wait<any> | undefined = undefined;
  next: Wait<any> | undefined = undefined;
  queue: { remove(w: Wait<any>): void } | undefined = undefined;
  /** Called when the wait ends other than by wake(), to undo the primitive's bookkeeping. */
  onCancel: ((w: Wait<T>) => void) | undefined = undefined;
  private signal: AbortSignal | undefined = undefined;
  private promise!: Promise<T>;
  private resolveFn!: (v: T) => void;
  private rejectFn!: (e: unknown) => void;

  constructor(
    readonly host: WaitHost,
    readonly owner: WaitOwner | undefined,
    readonly kind: WaitKind,
  ) {}

  /**
   * Arms the wait and returns its promise. `timeout` is in ms (Infinity for none).
   * Rejects at once if the owner has an interrupt pending or the signal is aborted.
   */
  start(timeout: number, signal: AbortSignal | undefined): Promise<T> {
    const promise = new Promise<T>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    this.promise = promise;
    const interrupt = this.owner?.pendingInterrupt(this.kind);
    if (interrupt !== undefined) {
      // The caller may already have queued the wait: undo that, or a later wake() would be lost on it.
      this.cancelBookkeeping();
      this.finish();
      promise.catch(ignore);
      this.rejectFn(interrupt);
      return promise;
    }
    if (signal !== undefined) {
      if (signal.aborted) {
        this.cancelBookkeeping();
        this.finish();
        promise.catch(ignore);
        this.rejectFn(signal.reason);
        return promise;
      }
      this.signal = signal;
      signal.addEventListener('abort', this);
    }
    if (timeout !== Infinity) {
      this.ref = this.owner === undefined || !this.owner.daemon;
      this.host.timers.scheduleSoon(this, timeout);
    }
    this.owner?.addWait(this);
    return promise;
  }

  /**
   * @internal Makes a settled wait new again for its owner's next blocking call of the same
   * primitive (see `CoroState.reusableWait`): its queue, timer and signal were already left.
   */
  reset(): void {
    this.settled = false;
    this.ref = false;
    this.alarm = undefined;
    this.throwOnTimeout = false;
    this.data = undefined;
    this.what = undefined;
    this.onCancel = undefined;
  }

  /** Settles with `value`; false if it was already settled. */
  wake(value: T): boolean {
    if (this.settled) return false;
    this.finish();
    this.host.dispatch(this.resolveFn, value);
    return true;
  }

  /**
   * Settles with an error, after removing it from whatever queue holds it.
   * The promise is marked handled first: a caller that dropped it must not crash the process.
   */
  fail(error: unknown): boolean {
    if (this.settled) return false;
    this.cancelBookkeeping();
    this.finish();
    this.promise.catch(ignore);
    this.host.dispatch(this.rejectFn, error);
    return true;
  }

  /** Withdraws the wait without settling it: its coroutine has ended and nobody awaits it. */
  abandon(): void {
    if (this.settled) return;
    this.cancelBookkeeping();
    this.finish();
  }

  /** Timer callback: the deadline passed. */
  fire(): void {
    if (this.settled) return;
    this.cancelBookkeeping();
    this.finish();
    if (this.throwOnTimeout) {
      this.promise.catch(ignore);
      this.host.dispatch(this.rejectFn, new TimeoutError('timed out'));
    }
    else this.host.dispatch(this.resolveFn, this.alarm);
  }

  /** AbortSignal listener. */
  handleEvent(): void {
    this.fail(this.signal?.reason);
  }

  private cancelBookkeeping(): void {
    this.queue?.remove(this);
    this.onCancel?.(this);
  }

  private finish(): void {
    this.settled = true;
    if (this.index !== -1) this.host.timers.cancel(this);
    if (this.signal !== undefined) {
      this.signal.removeEventListener('abort', this);
      this.signal = undefined;
    }
    this.owner?.removeWait(this);
  }
}

function ignore(): void {}
