/**
 * AsyncUdpSocket: datagram sockets for coroutines (`sendTo`/`recvFrom`), after
 * asyncoro's UDP AsyncSocket. Received datagrams wait in a bounded queue;
 * beyond it they are dropped, as the kernel would.
 * @module
 */
import dgram from 'node:dgram';
import { Deque } from '../../runtime/Deque.js';
import { InvalidArgumentError, TimeoutError } from '../../runtime/runtimeErrors.js';
import { checkCount, describe } from '../../runtime/options.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import { acting, checkBytes, type SocketOpOptions } from './socketOptions.js';
import { SocketClosedError, SocketIOError, ListenError, toSocketError } from './ioErrors.js';

/**
 * A received datagram and its sender.
 * @example
 * ```ts
 * const { data, address, port } = await udp.recvFrom(1500, { coro });
 * ```
 */
export interface Datagram {
  data: Buffer;
  address: string;
  port: number;
}

/**
 * Options of {@link AsyncUdpSocket.bind}.
 * @example
 * ```ts
 * await AsyncUdpSocket.bind({ host: '127.0.0.1', port: 0, maxQueued: 256 });
 * ```
 */
export interface UdpOptions {
  /** Default `udp4`. */
  type?: 'udp4' | 'udp6';
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default `127.0.0.1` (`::1` for udp6). */
  host?: string;
  /** Datagrams kept while no `recvFrom` waits; newer ones are dropped. Default 1024. */
  maxQueued?: number;
  /** Timeout (ms) of operations that give none; default: wait forever. */
  defaultTimeout?: number;
  scheduler?: Scheduler;
}

/**
 * A bound UDP socket.
 * @example
 * ```ts
 * const server = await AsyncUdpSocket.bind({ port: 0 });
 * const client = await AsyncUdpSocket.bind();
 * await client.sendTo(Buffer.from('hi'), server.port, '127.0.0.1');
 * const { data } = await server.recvFrom(1500, { timeout: 1000 });
 * ```
 */
export class AsyncUdpSocket {
  /** The node socket. */
  readonly raw: dgram.Socket;
  private readonly queue = new Deque<Datagram>(64);
  private readonly readers = new WaiterQueue();
  private readonly settings: { defaultTimeout: number; scheduler: Scheduler | undefined };
  private readonly maxQueued: number;
  private closedError: SocketClosedError | undefined = undefined;
  private dropped = 0;

  private constructor(raw: dgram.Socket, options: UdpOptions) {
    this.raw = raw;
    this.maxQueued = checkCount(options.maxQueued ?? 1024, 'maxQueued', 1);
    this.settings = { defaultTimeout: acting({ timeout: options.defaultTimeout }, { defaultTimeout: Infinity, scheduler: undefined }).timeout, scheduler: options.scheduler };
    raw.on('message', (data, rinfo) => this.arrived({ data, address: rinfo.address, port: rinfo.port }));
    raw.on('error', (err) => (this.settings.scheduler ?? Scheduler.default()).logger.debug({ err: err.message }, 'udp socket error'));
    raw.on('close', () => this.close());
  }

  /**
   * Creates and binds a UDP socket; bind failure → ListenError.
   * @example
   * ```ts
   * const udp = await AsyncUdpSocket.bind({ port: 0 });
   * ```
   */
  static bind(options: UdpOptions = {}): Promise<AsyncUdpSocket> {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`udp options must be an object, got ${describe(options)}`);
    const type = options.type ?? 'udp4';
    if (type !== 'udp4' && type !== 'udp6') throw new InvalidArgumentError(`type must be 'udp4' or 'udp6', got ${describe(type)}`);
    const port = checkCount(options.port ?? 0, 'port');
    const host = options.host ?? (type === 'udp4' ? '127.0.0.1' : '::1');
    const raw = dgram.createSocket(type);
    const sock = new AsyncUdpSocket(raw, options);
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        raw.close();
        reject(new ListenError(`bind to ${host}:${port} failed: ${err.message}`, { cause: err }));
      };
      raw.once('error', onError);
      raw.bind(port, host, () => {
        raw.off('error', onError);
        resolve(sock);
      });
    });
  }

  /** The bound port. */
  get port(): number {
    return this.raw.address().port;
  }

  /** Datagrams dropped because `maxQueued` were waiting. */
  get droppedDatagrams(): number {
    return this.dropped;
  }

  /**
   * Sends one datagram; resolves with its length once the kernel took it. Failure → SocketIOError.
   * @example
   * ```ts
   * await udp.sendTo(Buffer.from('ping'), 9999, '127.0.0.1', { coro });
   * ```
   */
  sendTo(data: Uint8Array, port: number, host: string, options?: SocketOpOptions): Promise<number> {
    checkBytes(data, 'data');
    checkCount(port, 'port', 1);
    if (typeof host !== 'string' || host.length === 0) throw new InvalidArgumentError(`host must be a non-empty string, got ${describe(host)}`);
    const { sched, owner, timeout, signal } = acting(options, this.settings);
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    const wait = new Wait<number>(sched, owner, WaitKind.Other);
    wait.throwOnTimeout = true;
    const promise = wait.start(timeout, signal);
    if (wait.settled) return promise;
    try {
      this.raw.send(data, port, host, (err) => {
        if (err) wait.fail(new SocketIOError(`sendTo ${host}:${port} failed: ${err.message}`, { cause: err }));
        else wait.wake(data.length);
      });
    } catch (err) {
      wait.fail(toSocketError(err));
    }
    return promise;
  }

  /**
   * The next datagram, truncated to `n` bytes (default: whole). Timeout → TimeoutError.
   * @example
   * ```ts
   * const { data, address, port } = await udp.recvFrom(1500, { coro, timeout: 1000 });
   * ```
   */
  recvFrom(n?: number, options?: SocketOpOptions): Promise<Datagram> {
    const limit = n === undefined ? Infinity : checkCount(n, 'n');
    const { sched, owner, timeout, signal } = acting(options, this.settings);
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    if (this.readers.length === 0 && this.queue.length > 0) {
      const interrupt = owner?.pendingInterrupt(WaitKind.Other);
      if (interrupt !== undefined) return Promise.reject(interrupt);
      if (signal?.aborted) return Promise.reject(signal.reason);
      return sched.ready(truncate(this.queue.shift()!, limit));
    }
    if (timeout === 0) return Promise.reject(new TimeoutError('timed out'));
    const wait = new Wait<Datagram>(sched, owner, WaitKind.Other);
    wait.throwOnTimeout = true;
    wait.data = limit;
    this.readers.push(wait);
    const promise = wait.start(timeout, signal);
    if (wait.settled) this.readers.remove(wait);
    return promise;
  }

  /**
   * Closes the socket; pending and later operations fail with SocketClosedError.
   * @example
   * ```ts
   * udp.close();
   * ```
   */
  close(): void {
    if (this.closedError !== undefined) return;
    this.closedError = new SocketClosedError('the socket was closed');
    for (const w of this.readers.drain()) w.fail(this.closedError);
    this.queue.drain();
    try {
      this.raw.close();
    } catch {
      // already closed by node
    }
  }

  /** `await using udp = await AsyncUdpSocket.bind()` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  private arrived(datagram: Datagram): void {
    for (let w = this.readers.shift(); w !== undefined; w = this.readers.shift()) {
      if (w.settled) continue;
      w.wake(truncate(datagram, w.data as number));
      return;
    }
    if (this.queue.length >= this.maxQueued) this.dropped++;
    else this.queue.push(datagram);
  }
}

function truncate(d: Datagram, n: number): Datagram {
  return d.data.length <= n ? d : { data: d.data.subarray(0, n), address: d.address, port: d.port };
}
