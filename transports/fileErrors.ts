/**
 * Typed errors of async files, pipes and the worker pool. Pipes to child
 * processes are sockets in Node, so their I/O errors are the socket errors
 * (`SocketClosedError`, `ConnectionResetError` for EPIPE, `EndOfStreamError`).
 * @module
 */
import { AsyncoroError, coded } from '../runtime/errors.js';


/**
 * The file was closed: pending and later operations fail with this.
 * @example
 * ```ts
 * file.close(); await file.read(10); // throws FileClosedError (ERR_FILE_CLOSED)
 * ```
 */
export class FileClosedError extends coded('ERR_FILE_CLOSED') {}

/**
 * An operating-system error from a file operation (the OS code is in `cause.code`).
 * @example
 * ```ts
 * await AsyncFile.open('/missing'); // throws FileIOError (ERR_FILE_IO)
 * ```
 */
export class FileIOError extends coded('ERR_FILE_IO') {}

/**
 * A function run on the worker pool threw: `name`, `message` and `stack` are the worker's.
 * @example
 * ```ts
 * try { await pool.run(task); } catch (e) { if (WorkerTaskError.is(e)) log(e.remoteName); }
 * ```
 */
export class WorkerTaskError extends coded('ERR_WORKER_TASK') {
  /** The name of the error thrown in the worker (e.g. 'TypeError'). */
  remoteName = 'Error';
  /** The worker-side stack trace. */
  remoteStack: string | undefined = undefined;
}

/**
 * The worker running the task died (it crashed, or was stopped to cancel the task).
 * @example
 * ```ts
 * await pool.run(crashingTask); // throws WorkerCrashedError (ERR_WORKER_CRASHED)
 * ```
 */
export class WorkerCrashedError extends coded('ERR_WORKER_CRASHED') {}

/**
 * The pool is closed, or its queue is full.
 * @example
 * ```ts
 * await pool.close(); await pool.run(task); // throws PoolClosedError (ERR_POOL_CLOSED)
 * ```
 */
export class PoolClosedError extends coded('ERR_POOL_CLOSED') {}

/**
 * The pool's queue already holds `maxQueue` tasks.
 * @example
 * ```ts
 * await pool.run(task); // throws PoolFullError (ERR_POOL_FULL) when the queue is full
 * ```
 */
export class PoolFullError extends coded('ERR_POOL_FULL') {}
