/**
 * The options bag every blocking call takes, and its validation, written once.
 * @module
 */
import { InvalidArgumentError } from './runtimeErrors.js';

/**
 * Options of every blocking call: a timeout in milliseconds and an AbortSignal.
 *
 * @example
 * ```ts
 * await coro.receive({ timeout: 500, signal: controller.signal });
 * ```
 */
export interface WaitOptions {
  /** Milliseconds to wait; `undefined` or `Infinity` waits forever, `0` does not wait. */
  timeout?: number;
  /** Aborting it cancels the wait, which then rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Validates a timeout and returns it as a number of milliseconds (Infinity for none).
 * @example
 * ```ts
 * checkTimeout(undefined); // Infinity
 * ```
 */
export function checkTimeout(timeout: unknown, what = 'timeout'): number {
  if (timeout === undefined || timeout === null) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
    throw new InvalidArgumentError(`${what} must be a non-negative number of milliseconds, got ${describe(timeout)}`);
  }
  return timeout;
}

/**
 * Validates the options bag itself and its signal; returns the timeout in ms.
 * @example
 * ```ts
 * const ms = checkWaitOptions(opts);
 * ```
 */
export function checkWaitOptions(options: WaitOptions | undefined): number {
  if (options === undefined) return Infinity;
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(`options must be an object, got ${describe(options)}`);
  }
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError(`signal must be an AbortSignal, got ${describe(signal)}`);
  }
  return checkTimeout(options.timeout);
}

/**
 * Options of a send: `transfer` lists the buffers (ArrayBuffers, or Buffers and other views of
 * them) whose memory moves to the receiving thread instead of being copied. They are moved:
 * once sent to another thread they are detached here (length 0); within a thread, or over TCP,
 * the message is delivered or copied as usual, and the sender must not use them either way.
 * @example
 * ```ts
 * const options: SendOptions = { transfer: [frame] };
 * ```
 */
export interface SendOptions {
  transfer?: ReadonlyArray<ArrayBuffer | ArrayBufferView>;
}

/**
 * The buffers of `options.transfer` (validated): InvalidArgumentError unless it is an array of
 * ArrayBuffers or views of one (a SharedArrayBuffer is shared, not moved).
 * @example
 * ```ts
 * const moved = checkSendOptions({ transfer: [buf] });
 * ```
 */
export function checkSendOptions(options: SendOptions | undefined): ReadonlyArray<ArrayBuffer | ArrayBufferView> {
  if (options === undefined) return [];
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`send options must be an object, got ${describe(options)}`);
  const transfer = options.transfer;
  if (transfer === undefined) return [];
  if (!Array.isArray(transfer)) throw new InvalidArgumentError(`transfer must be an array of buffers, got ${describe(transfer)}`);
  for (const item of transfer) {
    const memory = ArrayBuffer.isView(item) ? item.buffer : item;
    if (!(memory instanceof ArrayBuffer)) throw new InvalidArgumentError(`transfer takes ArrayBuffers and views of them (Buffers), got ${describe(item)}`);
  }
  return transfer;
}

/**
 * Throws InvalidArgumentError unless `value` is a function.
 * @example
 * ```ts
 * checkFunction(fn, 'target');
 * ```
 */
export function checkFunction(value: unknown, what: string): asserts value is (...args: any[]) => unknown {
  if (typeof value !== 'function') throw new InvalidArgumentError(`${what} must be a function, got ${describe(value)}`);
}

/**
 * Throws InvalidArgumentError unless `value` is a non-negative integer.
 * @example
 * ```ts
 * checkCount(n, 'n');
 * ```
 */
export function checkCount(value: unknown, what: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(`${what} must be an integer >= ${min}, got ${describe(value)}`);
  }
  return value;
}

/**
 * Throws InvalidArgumentError unless `value` is a non-empty string.
 * @example
 * ```ts
 * checkName(name, 'name');
 * ```
 */
export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(`${what} must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

/** @internal A short, safe description of a value for error messages (never its full content). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (typeof value === 'function') return 'function';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}
