/**
 * Typed errors of the I/O transports: sockets (AsyncSocket, AsyncServer, AsyncUdpSocket),
 * files, pipes and the worker pool. Pipes to child processes are sockets in Node, so their I/O
 * errors are the socket errors (`SocketClosedError`, `ConnectionResetError` for EPIPE).
 * Each has a stable `code`; the OS error code, when there was one, is kept in `errno`
 * and the original error in `cause`.
 *
 * @example
 * ```ts
 * try { await AsyncSocket.connect({ host: '127.0.0.1', port: 1 }); }
 * catch (e) { if (ConnectError.is(e)) log(e.code, e.errno); } // ERR_CONNECT ECONNREFUSED
 * ```
 * @module
 */
import { AsyncoroError, coded } from '../../runtime/runtimeErrors.js';

/**
 * Base class of the socket errors: carries the OS error code (`ECONNRESET`...) when there was one.
 * @example
 * ```ts
 * if (err instanceof SocketError) log(err.code, err.errno);
 * ```
 */
export class SocketError extends AsyncoroError {
  /** The system error code behind this error (`ECONNREFUSED`, `EPIPE`...), if any. */
  readonly errno: string | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    const inner = (options?.cause as { code?: unknown } | undefined)?.code;
    this.errno = typeof inner === 'string' ? inner : undefined;
  }
}

const socketError = (code: string) => coded(code, SocketError);

/**
 * A connection could not be established (refused, unreachable, DNS failure).
 * @example
 * ```ts
 * await AsyncSocket.connect({ host: '127.0.0.1', port: closedPort }); // throws ConnectError (ERR_CONNECT)
 * ```
 */
export class ConnectError extends socketError('ERR_CONNECT') {}

/**
 * A server could not listen (address in use, permission denied).
 * @example
 * ```ts
 * await AsyncServer.listen({ port: busyPort }); // throws ListenError (ERR_LISTEN)
 * ```
 */
export class ListenError extends socketError('ERR_LISTEN') {}

/**
 * The TLS handshake failed: the certificate did not verify, the names did not match, the peer hung up.
 * @example
 * ```ts
 * await AsyncSocket.connect({ port, tls: { ca: wrongCa } }); // throws TlsHandshakeError (ERR_TLS_HANDSHAKE)
 * ```
 */
export class TlsHandshakeError extends socketError('ERR_TLS_HANDSHAKE') {}

/**
 * The socket was closed by this side (`close()`), before or during the operation.
 * @example
 * ```ts
 * sock.close(); await sock.recv(10); // throws SocketClosedError (ERR_SOCKET_CLOSED)
 * ```
 */
export class SocketClosedError extends socketError('ERR_SOCKET_CLOSED') {}

/**
 * The peer reset the connection (ECONNRESET, EPIPE) or the socket is no longer writable.
 * @example
 * ```ts
 * await sock.recvMsg(); // throws ConnectionResetError (ERR_CONNECTION_RESET) if the peer aborted mid-message
 * ```
 */
export class ConnectionResetError extends socketError('ERR_CONNECTION_RESET') {}

/**
 * The stream ended before the request was complete (`recvAll`, or `recvMsg` in the middle of a frame).
 * The bytes that did arrive stay buffered: `recv()` still returns them.
 * @example
 * ```ts
 * await sock.recvAll(100); // throws EndOfStreamError (ERR_END_OF_STREAM) if the peer sent 50 bytes and closed
 * ```
 */
export class EndOfStreamError extends socketError('ERR_END_OF_STREAM') {}

/**
 * `recvLine` found no newline within the maximum line length. The bytes stay buffered.
 * @example
 * ```ts
 * await sock.recvLine({ maxLength: 80 }); // throws LineTooLongError (ERR_LINE_TOO_LONG)
 * ```
 */
export class LineTooLongError extends socketError('ERR_LINE_TOO_LONG') {}

/**
 * Any other I/O failure of the socket; `errno` says which.
 * @example
 * ```ts
 * await udp.sendTo(buf, 9, 'no.such.host'); // throws SocketIOError (ERR_SOCKET_IO)
 * ```
 */
export class SocketIOError extends socketError('ERR_SOCKET_IO') {}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/**
 * Maps a node socket error to the typed error a pending operation should see.
 * @example
 * ```ts
 * socket.on('error', (e) => wait.fail(toSocketError(e)));
 * ```
 */
export function toSocketError(err: unknown): SocketError {
  if (err instanceof SocketError) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && RESET_CODES.has(code)) return new ConnectionResetError(`connection reset: ${message}`, { cause: err });
  return new SocketIOError(`socket error: ${message}`, { cause: err });
}

// ---------------------------------------------------------------- files, pipes, worker pool

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

/**
 * The IPC channel to the other process is closed (it exited, or either side disconnected).
 * @example
 * ```ts
 * const ipc = IpcPort.parent();
 * await ipc.recv(); // throws IpcClosedError (ERR_IPC_CLOSED) once the parent is gone
 * ```
 */
export class IpcClosedError extends coded('ERR_IPC_CLOSED') {}

/**
 * A tarball that cannot be read, or would not be extracted safely: not gzip or tar, truncated, an
 * entry that would land outside its folder (absolute, `..`), a link or device, more bytes or
 * entries than allowed. Nothing of it is left on disk.
 * @example
 * ```ts
 * if (TarballError.is(err)) log('package refused:', (err as Error).message); // ERR_TARBALL
 * ```
 */
export class TarballError extends coded('ERR_TARBALL') {}

/**
 * A frame's length prefix exceeds the configured maximum.
 * @example
 * ```ts
 * try { decoder.push(chunk); } catch (e) { if (FrameTooLargeError.is(e)) sock.destroy(); }
 * ```
 */
export class FrameTooLargeError extends AsyncoroError {
  static readonly CODE = 'ERR_FRAME_TOO_LARGE';
  constructor(
    readonly length: number,
    readonly limit: number,
  ) {
    super(FrameTooLargeError.CODE, `frame of ${length} bytes exceeds the limit of ${limit} bytes`);
  }
}
