/**
 * The types a coroutine is built from: its function, spawn and wait options, and monitor targets.
 * @module
 */
import type { Coro } from './Coro.js';
import type { MailboxOptions } from './Mailbox.js';
import type { ExitReason } from './MonitorStatus.js';
import type { WaitOptions } from './options.js';
import type { Scheduler } from './Scheduler.js';

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

/** Anything that can receive a monitor message: a local coroutine or a remote proxy. */
export interface MonitorTarget {
  send(message: unknown): boolean;
}

/** @internal A requested hot swap: the new function and its arguments. */
export interface Swap {
  fn: CoroFunction<any, any, any[]>;
  args: unknown[];
}

/** @internal How a coroutine ended. */
export type Outcome = { reason: ExitReason; value?: unknown; error?: unknown };
