/**
 * The types a coroutine is built from: wait options, monitor targets, and what it needs of its scheduler.
 * @module
 */
import type { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from './logging.js';
import type { WaitOptions } from './options.js';
import type { MessageCounters } from './snapshotTypes.js';
import type { WaitHost, WaitOwner } from './Wait.js';

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

/** Anything that can receive a monitor message: a local coroutine or a remote proxy. */
export interface MonitorTarget {
  send(message: unknown): boolean;
  /** True for a target that only records outcomes: a failure it sees still gets a crash report. */
  readonly passive?: boolean;
}

/** A requested hot swap: the new function and its arguments. */
export interface Swap {
  fn: CoroBody;
  args: unknown[];
}

/** How a coroutine ended. */
export type Outcome = { reason: ExitReason; value?: unknown; error?: unknown };

/**
 * Why a coroutine ended: it returned, it threw, it was terminated, or (for a remote coroutine)
 * the connection to its peer was lost.
 * @example
 * ```ts
 * const reason: ExitReason = 'finished';
 * ```
 */
export type ExitReason = 'finished' | 'failed' | 'terminated' | 'peer-lost';

/** A coroutine function as its state machine holds it (typed by `Coro`). */
export type CoroBody = (coro: any, ...args: any[]) => unknown;

/**
 * What a coroutine needs of its scheduler (the Scheduler implements it), so the
 * coroutine's state machine does not depend on the Scheduler class.
 */
export interface CoroHost extends WaitHost {
  readonly logger: Logger;
  readonly tracker: AsyncLocalStorage<unknown> | undefined;
  adopt(coro: object, daemon: boolean): number;
  /** @internal `now()`: performance.now() in whole ms for a coroutine adopted just now (the clock is read once every few spawns). */
  readonly starts: { now(): number };
  retire(coro: object): void;
  daemonChanged(daemon: boolean): void;
  deadLetter(target: object, reason: string, message?: unknown): void;
  actor(coro: WaitOwner | undefined): WaitOwner | undefined;
  ready<T>(value: T): Promise<T>;
  /** The live message counters, bumped on the hot paths. */
  readonly counters: Omit<MessageCounters, 'spawned' | 'live' | 'daemons'>;
  /** Keeps the process alive until `promise` settles (a call awaited from outside any coroutine, with no deadline). */
  holdUntil<T>(promise: Promise<T>): Promise<T>;
}

/**
 * The coroutine a blocking call acts for, as the runtime sees it (a `Coro` is one).
 * @example
 * ```ts
 * const acting: ActingCoro = coro;
 * ```
 */
export interface ActingCoro extends WaitOwner {
  readonly scheduler: CoroHost;
}

/**
 * Options of a blocking call made on behalf of a coroutine that is not the receiver of the call.
 * Naming the coroutine makes the wait interruptible by its `terminate()` and `throw()`.
 *
 * @example
 * ```ts
 * await event.wait({ coro, timeout: 100 });
 * ```
 */
export interface ActingWaitOptions extends WaitOptions {
  /** The coroutine that waits. Defaults to `Coro.current()` when the scheduler tracks it. */
  coro?: ActingCoro;
}
