/**
 * AsyncServer: a listening TCP or TLS socket whose connections coroutines take
 * with `accept()`, after asyncoro's `listen`/`accept`. A TLS server completes
 * each handshake before `accept` returns the connection.
 * @module
 */
import net from 'node:net';
import tls from 'node:tls';
import { Deque } from '../../runtime/Deque.js';
import { InvalidArgumentError, TimeoutError } from '../../runtime/runtimeErrors.js';
import { checkCount, describe } from '../../runtime/options.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import { AsyncSocket } from './AsyncSocket.js';
import { acting, socketSettings, type SocketOpOptions, type SocketOptions, type SocketSettings } from './socketOptions.js';
import { ListenError, SocketClosedError } from './ioErrors.js';

/**
 * Options of {@link AsyncServer.listen}; the socket settings apply to every accepted connection.
 * @example
 * ```ts
 * await AsyncServer.listen({ port: 0, tls: { cert, key }, defaultTimeout: 30_000 });
 * ```
 */
export interface ListenOptions extends SocketOptions {
  /** Default 0: an ephemeral port (read it from `server.port`). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Kernel listen backlog. Default 511. */
  backlog?: number;
  /** Serve TLS (node's `tls.createServer` options: `cert`, `key`, `ca`, `requestCert`...). */
  tls?: tls.TlsOptions;
  /** Connections accepted by the kernel but not yet by `accept()`; newer ones are dropped. Default 4096. */
  maxPending?: number;
  /** Disable Nagle's algorithm on accepted connections (default true). */
  noDelay?: boolean;
}

/**
 * A listening socket.
 * @example
 * ```ts
 * const server = await AsyncServer.listen({ port: 0 });
 * spawn(async (coro) => {
 *   for (;;) {
 *     const conn = await server.accept({ coro });
 *     spawn(handle, conn);
 *   }
 * });
 * ```
 */
export class AsyncServer {
  /** The node server (for `getConnections`, `ref`/`unref`...). */
  readonly raw: net.Server;
  private readonly settings: SocketSettings;
  private readonly pending = new Deque<net.Socket>(64);
  private readonly acceptors = new WaiterQueue();
  private readonly maxPending: number;
  private readonly noDelay: boolean;
  private closedError: SocketClosedError | undefined = undefined;
  private dropped = 0;
  private bound: net.AddressInfo | undefined = undefined;

  private constructor(server: net.Server, options: ListenOptions, settings: SocketSettings) {
    this.raw = server;
    this.settings = settings;
    this.maxPending = checkCount(options.maxPending ?? 4096, 'maxPending', 1);
    this.noDelay = options.noDelay !== false;
    server.on(options.tls !== undefined ? 'secureConnection' : 'connection', (sock: net.Socket) => this.arrived(sock));
    server.on('tlsClientError', (err: Error) => this.logger.debug({ err: err.message }, 'TLS handshake with a client failed'));
  }

  /**
   * Listens on `host:port` (default 127.0.0.1, ephemeral port); EADDRINUSE and the like → ListenError.
   * @example
   * ```ts
   * const server = await AsyncServer.listen({ host: '127.0.0.1', port: 0 });
   * log(server.port);
   * ```
   */
  static listen(options: ListenOptions = {}): Promise<AsyncServer> {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`listen options must be an object, got ${describe(options)}`);
    const settings = socketSettings(options);
    const port = checkCount(options.port ?? 0, 'port');
    const backlog = checkCount(options.backlog ?? 511, 'backlog', 1);
    const host = options.host ?? '127.0.0.1';
    if (typeof host !== 'string') throw new InvalidArgumentError(`host must be a string, got ${describe(host)}`);
    const raw = options.tls !== undefined ? tls.createServer(options.tls) : net.createServer();
    const server = new AsyncServer(raw, options, settings);
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        raw.close();
        reject(new ListenError(`listen on ${host}:${port} failed: ${err.message}`, { cause: err }));
      };
      raw.once('error', onError);
      raw.listen({ port, host, backlog }, () => {
        raw.off('error', onError);
        void server.address;
        raw.on('error', (err) => server.logger.warn({ err: err.message }, 'server error'));
        resolve(server);
      });
    });
  }

  /** The port it listens on (still known after `close()`). */
  get port(): number {
    return this.address.port;
  }

  /** The address it listens on (still known after `close()`). */
  get address(): net.AddressInfo {
    return (this.bound ??= this.raw.address() as net.AddressInfo);
  }

  /** Connections dropped because `maxPending` were waiting for `accept()`. */
  get droppedConnections(): number {
    return this.dropped;
  }

  /**
   * The next connection, oldest first; several accepting coroutines are served FIFO.
   * Timeout → TimeoutError; server closed → SocketClosedError.
   * @example
   * ```ts
   * const conn = await server.accept({ coro, timeout: 5000 });
   * ```
   */
  accept(options?: SocketOpOptions): Promise<AsyncSocket> {
    const { sched, owner, timeout, signal } = acting(options, this.settings);
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    if (this.acceptors.length === 0 && this.pending.length > 0) {
      const interrupt = owner?.pendingInterrupt(WaitKind.Other);
      if (interrupt !== undefined) return Promise.reject(interrupt);
      if (signal?.aborted) return Promise.reject(signal.reason);
      return sched.ready(this.adopt(this.pending.shift()!));
    }
    if (timeout === 0) return Promise.reject(new TimeoutError('timed out'));
    const wait = new Wait<AsyncSocket>(sched, owner, WaitKind.Other);
    wait.throwOnTimeout = true;
    this.acceptors.push(wait);
    const promise = wait.start(timeout, signal);
    if (wait.settled) this.acceptors.remove(wait);
    return promise;
  }

  /**
   * Stops listening: pending `accept` calls fail with SocketClosedError and connections not yet
   * accepted are closed. Accepted connections are not affected.
   * @example
   * ```ts
   * server.close();
   * ```
   */
  close(): void {
    if (this.closedError !== undefined) return;
    this.closedError = new SocketClosedError('the server was closed');
    this.raw.close();
    for (const w of this.acceptors.drain()) w.fail(this.closedError);
    for (const sock of this.pending.drain()) sock.destroy();
  }

  /** `await using server = await AsyncServer.listen()` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  private get logger() {
    return (this.settings.scheduler ?? Scheduler.default()).logger;
  }

  private arrived(sock: net.Socket): void {
    if (this.closedError !== undefined) {
      sock.destroy();
      return;
    }
    for (let w = this.acceptors.shift(); w !== undefined; w = this.acceptors.shift()) {
      if (w.settled) continue;
      w.wake(this.adopt(sock));
      return;
    }
    if (this.pending.length >= this.maxPending) {
      this.dropped++;
      this.logger.warn({ pending: this.pending.length }, 'accept backlog full: connection dropped');
      sock.destroy();
      return;
    }
    sock.on('error', ignore); // until accepted: a reset before accept() must not crash the process
    this.pending.push(sock);
  }

  private adopt(sock: net.Socket): AsyncSocket {
    sock.off('error', ignore);
    if (this.noDelay) sock.setNoDelay(true);
    return new AsyncSocket(sock, this.settings);
  }
}

function ignore(): void {}
