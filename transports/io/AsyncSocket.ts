/**
 * AsyncSocket: pull-style TCP and TLS sockets for coroutines, after asyncoro's
 * AsyncSocket. Every blocking call is a runtime Wait (one timer heap, AbortSignal,
 * interrupted by `terminate()`/`throw()` of `opts.coro`); reads queue FIFO; both
 * directions apply backpressure so memory stays bounded whatever the peer does.
 * @module
 */
import net from 'node:net';
import tls from 'node:tls';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { encodeFrame } from './FrameDecoder.js';
import { checkCount, describe } from '../../runtime/options.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { acting, checkBytes, socketSettings, type SocketOpOptions, type SocketOptions, type SocketSettings } from './socketOptions.js';
import { SocketWriter } from './SocketWriter.js';
import { ConnectError, SocketClosedError, TlsHandshakeError, toSocketError, type SocketError } from './ioErrors.js';
import { ReadKind, SocketBuffer } from './SocketBuffer.js';

/**
 * Options of {@link AsyncSocket.connect}: where to, the connect timeout (ms), TLS, and socket settings.
 * @example
 * ```ts
 * await AsyncSocket.connect({ host: 'localhost', port: 8443, timeout: 2000, tls: { ca: caPem } });
 * ```
 */
export interface ConnectOptions extends SocketOptions, SocketOpOptions {
  port: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Connect with TLS, verifying the server (node's `tls.connect` options; `true` for the defaults). */
  tls?: tls.ConnectionOptions | true;
  /** Disable Nagle's algorithm (default true: request/response traffic). */
  noDelay?: boolean;
}

/**
 * A connected TCP or TLS socket with pull-style, coroutine-friendly I/O.
 *
 * Reads from several coroutines queue FIFO; a read consumes bytes only when it completes, so one
 * that times out or whose coroutine is terminated leaves every byte for the next reader.
 *
 * @example
 * ```ts
 * spawn(async (coro) => {
 *   const sock = await AsyncSocket.connect({ host: '127.0.0.1', port, coro, timeout: 1000 });
 *   await sock.sendMsg(Buffer.from('ping'), { coro });
 *   log(String(await sock.recvMsg({ coro, timeout: 1000 })));
 *   sock.close();
 * });
 * ```
 */
export class AsyncSocket {
  /** The wrapped node socket (for `setKeepAlive`, addresses, certificates...). */
  readonly raw: net.Socket;
  private settings: SocketSettings;
  private readonly input: SocketBuffer;
  private readonly output: SocketWriter;
  private closedByUs = false;
  private failure: SocketError | undefined = undefined;

  /** Wraps a node socket (connected or connecting); the AsyncSocket takes over its 'data' events. */
  constructor(sock: net.Socket, options?: SocketOptions) {
    if (!(sock instanceof net.Socket)) throw new InvalidArgumentError(`AsyncSocket wraps a net.Socket, got ${describe(sock)}`);
    this.settings = socketSettings(options);
    this.raw = sock;
    this.input = new SocketBuffer(sock, this.settings.highWaterMark);
    this.output = new SocketWriter(sock);
    // Module-level listeners find this object on the socket: no closures per connection.
    (sock as OwnedSocket)[OWNER] = this;
    sock.on('data', onSocketData);
    sock.on('end', onSocketEnd);
    sock.on('error', onSocketError);
    sock.on('close', onSocketClose);
  }

  /** @internal Called by the shared 'close' listener. */
  closedBelow(): void {
    this.input.end();
    this.output.fail(this.failure ?? new SocketClosedError('the socket is closed'));
  }

  /** @internal */
  get inputBuffer(): SocketBuffer {
    return this.input;
  }

  /**
   * Wraps a node socket; same as the constructor.
   * @example
   * ```ts
   * import { connect } from 'node:net';
   * const sock = AsyncSocket.wrap(connect(port), { defaultTimeout: 1000 });
   * ```
   */
  static wrap(sock: net.Socket, options?: SocketOptions): AsyncSocket {
    return new AsyncSocket(sock, options);
  }

  /**
   * Connects (with TLS if `tls` is given, completing the handshake). Refused or unreachable →
   * ConnectError; certificate or handshake failure → TlsHandshakeError; timeout → TimeoutError.
   * @example
   * ```ts
   * const sock = await AsyncSocket.connect({ port: 8010, timeout: 1000, coro });
   * ```
   */
  static connect(options: ConnectOptions): Promise<AsyncSocket> {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`connect options must be an object, got ${describe(options)}`);
    const port = checkCount(options.port, 'port');
    const host = options.host ?? '127.0.0.1';
    if (typeof host !== 'string') throw new InvalidArgumentError(`host must be a string, got ${describe(host)}`);
    const settings = socketSettings(options);
    const { sched, owner, timeout, signal } = acting(options, { defaultTimeout: Infinity, scheduler: settings.scheduler });
    const wait = new Wait<AsyncSocket>(sched, owner, WaitKind.Other);
    wait.throwOnTimeout = true;
    const secure = options.tls !== undefined && (options.tls as unknown) !== false;
    let tcpConnected = false;
    let sock: net.Socket | undefined;
    wait.onCancel = () => sock?.destroy();
    const promise = wait.start(timeout, signal);
    if (wait.settled) return promise;
    const onError = (err: Error): void => {
      const message = `${secure && tcpConnected ? 'TLS handshake' : 'connect'} to ${host}:${port} failed: ${err.message}`;
      wait.fail(secure && tcpConnected ? new TlsHandshakeError(message, { cause: err }) : new ConnectError(message, { cause: err }));
      sock?.destroy();
    };
    const onReady = (): void => {
      sock!.off('error', onError);
      if (options.noDelay !== false) sock!.setNoDelay(true);
      if (!wait.wake(new AsyncSocket(sock!, options))) sock!.destroy();
    };
    try {
      if (secure) {
        const tlsOptions = options.tls === true ? {} : options.tls!;
        const servername = tlsOptions.servername ?? (net.isIP(host) === 0 ? host : undefined);
        sock = tls.connect({ ...tlsOptions, host, port, servername }, onReady);
        sock.once('connect', () => (tcpConnected = true));
      } else sock = net.connect({ host, port }, onReady);
    } catch (err) {
      wait.fail(new ConnectError(`connect to ${host}:${port} failed: ${(err as Error).message}`, { cause: err }));
      return promise;
    }
    sock.on('error', onError);
    return promise;
  }

  /** The socket's default timeout (ms; Infinity: wait forever), used by operations that give none. */
  get defaultTimeout(): number {
    return this.settings.defaultTimeout;
  }

  set defaultTimeout(ms: number) {
    // Settings may be shared with other sockets: change a copy.
    this.settings = socketSettings({ ...this.settings, defaultTimeout: ms });
  }

  /** True once `close()` was called or the connection failed. */
  get closed(): boolean {
    return this.closedByUs || this.raw.destroyed;
  }

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.input.buffered;
  }

  get remoteAddress(): string | undefined {
    return this.raw.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.raw.remotePort;
  }

  get localPort(): number | undefined {
    return this.raw.localPort;
  }

  /**
   * One read of up to `n` bytes: resolves as soon as any are buffered; an empty Buffer at end of stream.
   * @example
   * ```ts
   * const chunk = await sock.recv(4096, { coro, timeout: 1000 });
   * if (chunk.length === 0) sock.close();
   * ```
   */
  recv(n: number, options?: SocketOpOptions): Promise<Buffer> {
    return this.read(ReadKind.Some, checkCount(n, 'n'), options);
  }

  /**
   * Exactly `n` bytes. End of stream first → EndOfStreamError; timeout → TimeoutError. In both cases
   * no byte is consumed: what did arrive stays buffered for the next read.
   * @example
   * ```ts
   * const header = await sock.recvAll(16, { coro, timeout: 1000 });
   * ```
   */
  recvAll(n: number, options?: SocketOpOptions): Promise<Buffer> {
    return this.read(ReadKind.Exact, checkCount(n, 'n'), options);
  }

  /**
   * One line, up to and including '\n' (the last line may lack it); an empty Buffer at end of stream.
   * No newline within `maxLength` bytes (default: the socket's `maxLineLength`) → LineTooLongError.
   * @example
   * ```ts
   * const line = (await sock.recvLine({ coro, maxLength: 1024 })).toString();
   * ```
   */
  recvLine(options?: SocketOpOptions & { maxLength?: number }): Promise<Buffer> {
    const max = checkCount(options?.maxLength ?? this.settings.maxLineLength, 'maxLength', 1);
    return this.read(ReadKind.Line, max, options);
  }

  /**
   * One message sent with `sendMsg` (4-byte big-endian length, then the payload); `undefined` at a
   * clean end of stream between messages. End of stream inside a message → EndOfStreamError; a length
   * above `maxMessageSize` → FrameTooLargeError (nothing consumed; the stream cannot be resynchronised,
   * so close the socket).
   * @example
   * ```ts
   * for (let msg = await sock.recvMsg({ coro }); msg !== undefined; msg = await sock.recvMsg({ coro })) handle(msg);
   * ```
   */
  recvMsg(options?: SocketOpOptions): Promise<Buffer | undefined> {
    return this.read(ReadKind.Frame, this.settings.maxMessageSize, options);
  }

  /**
   * The messages (`recvMsg`) until a clean end of stream, for `for await`; breaking out leaves the
   * socket open. `timeout` bounds each message; errors are thrown from the loop.
   * @example
   * ```ts
   * for await (const msg of sock.messages({ coro })) handle(msg);
   * ```
   */
  async *messages(options?: SocketOpOptions): AsyncGenerator<Buffer, void, undefined> {
    for (let msg = await this.recvMsg(options); msg !== undefined; msg = await this.recvMsg(options)) yield msg;
  }

  /**
   * The lines (`recvLine`, each with its '\n' removed) until end of stream, for `for await`.
   * @example
   * ```ts
   * for await (const line of sock.lines({ coro })) log(line);
   * ```
   */
  async *lines(options?: SocketOpOptions & { maxLength?: number }): AsyncGenerator<string, void, undefined> {
    for (let line = await this.recvLine(options); line.length > 0; line = await this.recvLine(options)) {
      yield line.toString('utf8', 0, line[line.length - 1] === 0x0a ? line.length - 1 : line.length);
    }
  }

  /**
   * One write: waits while node's write buffer is above its high-water mark, then hands over all of
   * `data` and resolves with its length (without waiting for it to drain).
   * @example
   * ```ts
   * await sock.send(Buffer.from('hello'), { coro });
   * ```
   */
  send(data: Uint8Array, options?: SocketOpOptions): Promise<number> {
    return this.write(checkBytes(data, 'data'), false, options) as Promise<number>;
  }

  /**
   * Writes all of `data`; resolves once it is handed to the kernel or buffered within the high-water
   * mark (waiting for 'drain' otherwise). On timeout throws TimeoutError; the bytes stay queued.
   * @example
   * ```ts
   * await sock.sendAll(Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), { coro, timeout: 5000 });
   * ```
   */
  sendAll(data: Uint8Array, options?: SocketOpOptions): Promise<void> {
    return this.write(checkBytes(data, 'data'), true, options) as Promise<unknown> as Promise<void>;
  }

  /**
   * Sends `data` as one framed message (see `recvMsg`). Larger than `maxMessageSize` → FrameTooLargeError.
   * @example
   * ```ts
   * await sock.sendMsg(Buffer.from(JSON.stringify(obj)), { coro });
   * ```
   */
  sendMsg(data: Uint8Array, options?: SocketOpOptions): Promise<void> {
    return this.write(encodeFrame(checkBytes(data, 'data'), this.settings.maxMessageSize), true, options) as Promise<unknown> as Promise<void>;
  }

  /**
   * Closes the socket: pending and later operations fail with SocketClosedError; bytes already
   * handed to `send` are still flushed to the peer before the connection closes.
   * @example
   * ```ts
   * sock.close();
   * ```
   */
  close(): void {
    if (this.closedByUs) return;
    this.closedByUs = true;
    const error = new SocketClosedError('the socket was closed');
    this.input.close(error);
    this.output.fail(error);
    this.raw.destroySoon();
  }

  /**
   * Closes the socket at once, dropping unsent bytes (the peer sees a reset).
   * @example
   * ```ts
   * sock.destroy();
   * ```
   */
  destroy(): void {
    this.close();
    this.raw.resetAndDestroy();
  }

  /** `await using sock = await AsyncSocket.connect(...)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  private read(kind: ReadKind, n: number, options: SocketOpOptions | undefined): Promise<any> {
    const { sched, owner, timeout, signal } = acting(options, this.settings);
    return this.input.read(sched, owner, kind, n, timeout, signal);
  }

  private write(bytes: Uint8Array, all: boolean, options: SocketOpOptions | undefined): Promise<number | undefined> {
    const { sched, owner, timeout, signal } = acting(options, this.settings);
    if (this.closedByUs) return Promise.reject(new SocketClosedError('the socket was closed'));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.raw.destroyed || !this.raw.writable) return Promise.reject(new SocketClosedError('the socket is no longer writable (the connection ended)'));
    return this.output.write(sched, owner, bytes, all, timeout, signal);
  }

  /** @internal Called by the shared 'error' listener. */
  onError(err: Error): void {
    const error = (this.failure ??= toSocketError(err));
    (this.settings.scheduler ?? undefined)?.logger.debug({ errno: error.errno, code: error.code }, 'socket error');
    this.input.fail(error);
    this.output.fail(error);
  }
}

const OWNER = Symbol('asyncoro.AsyncSocket');
type OwnedSocket = net.Socket & { [OWNER]: AsyncSocket };

function onSocketData(this: net.Socket, chunk: Buffer): void {
  (this as OwnedSocket)[OWNER].inputBuffer.push(chunk);
}
function onSocketEnd(this: net.Socket): void {
  (this as OwnedSocket)[OWNER].inputBuffer.end();
}
function onSocketError(this: net.Socket, err: Error): void {
  (this as OwnedSocket)[OWNER].onError(err);
}
function onSocketClose(this: net.Socket): void {
  (this as OwnedSocket)[OWNER].closedBelow();
}
