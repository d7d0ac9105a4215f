/**
 * Typed errors of the runtime. Every error has a stable `code` (part of the
 * public contract and, later, of the wire protocol) and a static `is()` guard
 * that also recognises errors rebuilt from another process.
 *
 * @example
 * ```ts
 * try { coro.resume(1); } catch (err) {
 *   if (CoroFinishedError.is(err)) log(err.code); // 'ERR_CORO_FINISHED'
 * }
 * ```
 * @module
 */

/**
 * Base class of every error this library throws.
 *
 * @example
 * ```ts
 * if (err instanceof AsyncoroError) log(err.code);
 * ```
 */
export class AsyncoroError extends Error {
  /** Stable machine-readable code, e.g. `ERR_TIMEOUT`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /** True when `err` is this class, or carries this class's code (e.g. rebuilt from the wire). */
  static is<T extends abstract new (...args: any[]) => AsyncoroError>(this: T, err: unknown): err is InstanceType<T> {
    if (err instanceof this) return true;
    const code = (this as unknown as { CODE?: string }).CODE;
    return code !== undefined && typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
  }
}

/**
 * Declares an error class with a fixed code (and, optionally, another base than AsyncoroError),
 * so that each error class is a one-liner. Shared by every area's error file.
 * @example
 * ```ts
 * export class DiskFullError extends coded('ERR_DISK_FULL') {}
 * ```
 */
export function coded<B extends new (code: string, message: string, options?: { cause?: unknown }) => AsyncoroError = typeof AsyncoroError>(code: string, Base?: B) {
  const Parent = (Base ?? AsyncoroError) as new (code: string, message: string, options?: { cause?: unknown }) => AsyncoroError;
  return class extends Parent {
    static readonly CODE = code;
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, options);
    }
  } as unknown as (new (message: string, options?: { cause?: unknown }) => InstanceType<B>) & { readonly CODE: string; is: typeof AsyncoroError.is };
}

/**
 * An argument has the wrong type or range (a negative timeout, a non-function target...).
 * @example
 * ```ts
 * await coro.receive({ timeout: -1 }); // throws InvalidArgumentError (ERR_INVALID_ARGUMENT)
 * ```
 */
export class InvalidArgumentError extends coded('ERR_INVALID_ARGUMENT') {}

/**
 * A request that needed an answer did not get one in time.
 * @example
 * ```ts
 * await coro.finish({ timeout: 10 }); // returns the alarm value; remote requests throw TimeoutError
 * ```
 */
export class TimeoutError extends coded('ERR_TIMEOUT') {}

/**
 * The operation needs a live coroutine and this one has ended.
 * @example
 * ```ts
 * done.resume(1); // throws CoroFinishedError when `done` has ended
 * ```
 */
export class CoroFinishedError extends coded('ERR_CORO_FINISHED') {
  /** How the coroutine ended, when known (an `ask` whose target ended says it; its error is the `cause`). */
  reason: 'finished' | 'failed' | 'terminated' | 'peer-lost' | undefined = undefined;
}

/**
 * Thrown inside a coroutine that was terminated: at its pending runtime call, or its next one.
 * Catching it does not stop the termination.
 * @example
 * ```ts
 * try { await coro.receive(); } catch (e) { if (CoroTerminatedError.is(e)) throw e; }
 * ```
 */
export class CoroTerminatedError extends coded('ERR_CORO_TERMINATED') {}

/**
 * The scheduler has stopped (finish() or terminate()); nothing new can start on it.
 * @example
 * ```ts
 * await sched.terminate(); sched.spawn(async () => {}); // throws SchedulerStoppedError
 * ```
 */
export class SchedulerStoppedError extends coded('ERR_SCHEDULER_STOPPED') {}

/**
 * A bounded mailbox with the `reject` policy is full.
 * @example
 * ```ts
 * worker.send(msg); // throws MailboxFullError when the worker's mailbox is at capacity
 * ```
 */
export class MailboxFullError extends coded('ERR_MAILBOX_FULL') {}

/**
 * A second receive was started while one is pending on the same coroutine.
 * @example
 * ```ts
 * void coro.receive(); await coro.receive(); // the second throws ConcurrentReceiveError
 * ```
 */
export class ConcurrentReceiveError extends coded('ERR_CONCURRENT_RECEIVE') {}

/**
 * A call was made by a coroutine (or code) that does not own what it acts on: a lock, semaphore
 * or condition released or waited on by a coroutine that does not hold it, or a call only a
 * coroutine may make on itself (`receive`, `poll`, `messages`, `sleep`, `suspend`) made from
 * elsewhere. Nothing is changed by the refused call.
 * @example
 * ```ts
 * lock.release(other); // throws NotOwnerError (ERR_NOT_OWNER)
 * ```
 */
export class NotOwnerError extends coded('ERR_NOT_OWNER') {}

/**
 * A name is already registered to another live coroutine or channel.
 * @example
 * ```ts
 * a.register('server'); b.register('server'); // throws NameTakenError
 * ```
 */
export class NameTakenError extends coded('ERR_NAME_TAKEN') {}

/**
 * `Coro.current()` was called where no coroutine context is known.
 * @example
 * ```ts
 * Coro.current(); // outside a coroutine, or without trackCurrent: throws NotInCoroutineError
 * ```
 */
export class NotInCoroutineError extends coded('ERR_NOT_IN_COROUTINE') {}

/**
 * Thrown into a hot-swappable coroutine at a safe point to replace its function.
 * Let it propagate to accept the swap; catch it to refuse.
 * @example
 * ```ts
 * let msg: unknown;
 * try { msg = await coro.receive(); } catch (e) { if (HotSwapRequest.is(e)) throw e; }
 * ```
 */
export class HotSwapRequest extends coded('ERR_HOT_SWAP') {
  /** The function that would replace the running one (inspect its `name` to decide). */
  replacement: ((...args: any[]) => unknown) | undefined = undefined;
}

/**
 * Runs `fn` without capturing stack traces for the errors it creates: for bulk operations whose
 * errors would all show the same uninteresting stack (terminating every coroutine at once).
 * @example
 * ```ts
 * withoutStacks(() => coros.forEach((c) => c.terminate()));
 * ```
 */
export function withoutStacks<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
