/**
 * Options of the socket transports and their validation, shared by
 * AsyncSocket, AsyncServer and AsyncUdpSocket.
 * @module
 */
import type { Coro } from '../../runtime/Coro.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { MAX_FRAME_LIMIT } from './FrameDecoder.js';
import { checkCount, checkTimeout, checkWaitOptions, describe } from '../../runtime/options.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import type { WaitOwner } from '../../runtime/Wait.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';

/**
 * Per-socket settings, given to `connect`, `wrap`, `listen` (for accepted sockets) or the constructor.
 * @example
 * ```ts
 * const sock = AsyncSocket.wrap(raw, { defaultTimeout: 5000, maxMessageSize: 1 << 20 });
 * ```
 */
export interface SocketOptions {
  /** Timeout (ms) of every operation that does not give its own; default: wait forever. */
  defaultTimeout?: number;
  /** Receive buffer size (bytes) above which the socket stops reading from the kernel. Default 64 KiB. */
  highWaterMark?: number;
  /** Largest `sendMsg`/`recvMsg` payload in bytes. Default 16 MiB. */
  maxMessageSize?: number;
  /** Longest `recvLine` line in bytes, newline included. Default 64 KiB. */
  maxLineLength?: number;
  /** Scheduler whose timers and logger the socket uses when an operation names no coroutine. */
  scheduler?: Scheduler;
}

/**
 * Options of one blocking socket operation: `timeout` (ms; defaults to the socket's `defaultTimeout`),
 * `signal`, and `coro`, the coroutine whose `terminate()`/`throw()` interrupts the operation.
 * @example
 * ```ts
 * const data = await sock.recv(1024, { coro, timeout: 1000 });
 * ```
 */
export type SocketOpOptions = ActingWaitOptions;

/** Resolved per-socket settings. */
export interface SocketSettings {
  defaultTimeout: number;
  highWaterMark: number;
  maxMessageSize: number;
  maxLineLength: number;
  scheduler: Scheduler | undefined;
}

/**
 * Validates socket options and fills in the defaults.
 * @example
 * ```ts
 * const settings = socketSettings({ highWaterMark: 1 << 20 });
 * ```
 */
export function socketSettings(options: SocketOptions | undefined): SocketSettings {
  // Settings are shared, never mutated (a socket that changes its own copies them first):
  // the sockets a server accepts all use the server's, and plain sockets the defaults.
  if (options === undefined) return (defaults ??= resolve(undefined));
  if (resolved.has(options as SocketSettings)) return options as SocketSettings;
  return resolve(options);
}

let defaults: SocketSettings | undefined;
const resolved = new WeakSet<SocketSettings>();

function resolve(options: SocketOptions | undefined): SocketSettings {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidArgumentError(`socket options must be an object, got ${describe(options)}`);
  }
  const scheduler = options?.scheduler;
  if (scheduler !== undefined && !(scheduler instanceof Scheduler)) {
    throw new InvalidArgumentError(`scheduler must be a Scheduler, got ${describe(scheduler)}`);
  }
  const maxMessageSize = checkCount(options?.maxMessageSize ?? 16 * 1024 * 1024, 'maxMessageSize');
  if (maxMessageSize > MAX_FRAME_LIMIT) throw new InvalidArgumentError(`maxMessageSize must be at most ${MAX_FRAME_LIMIT}`);
  const settings: SocketSettings = {
    defaultTimeout: checkTimeout(options?.defaultTimeout, 'defaultTimeout'),
    highWaterMark: checkCount(options?.highWaterMark ?? 64 * 1024, 'highWaterMark', 1),
    maxMessageSize,
    maxLineLength: checkCount(options?.maxLineLength ?? 64 * 1024, 'maxLineLength', 1),
    scheduler,
  };
  resolved.add(settings);
  return settings;
}

/** What a blocking operation needs: the scheduler, the waiting coroutine and the timeout. */
export interface Acting {
  sched: Scheduler;
  owner: WaitOwner | undefined;
  timeout: number;
  signal: AbortSignal | undefined;
}

/**
 * Validates an operation's options; the scheduler is the coroutine's, else the socket's, else the default.
 * @example
 * ```ts
 * const { sched, owner, timeout } = acting(opts, settings);
 * ```
 */
export function acting(options: SocketOpOptions | undefined, settings: { defaultTimeout: number; scheduler: Scheduler | undefined }): Acting {
  let timeout = checkWaitOptions(options);
  if (options?.timeout === undefined) timeout = settings.defaultTimeout;
  const coro = options?.coro as Coro<any, any> | undefined | null;
  if (coro !== undefined && (typeof coro !== 'object' || coro === null)) {
    throw new InvalidArgumentError(`coro must be a local coroutine, got ${describe(coro)}`);
  }
  const sched = coro?.scheduler ?? settings.scheduler ?? Scheduler.default();
  return { sched, owner: sched.actor(coro ?? undefined), timeout, signal: options?.signal };
}

/**
 * Throws InvalidArgumentError unless `data` is a Buffer or Uint8Array.
 * @example
 * ```ts
 * checkBytes(data, 'data');
 * ```
 */
export function checkBytes(data: unknown, what: string): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new InvalidArgumentError(`${what} must be a Buffer or Uint8Array, got ${describe(data)}`);
  return data;
}
