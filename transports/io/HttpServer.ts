/**
 * A `node:http` server as a runtime primitive (Erlang's port, as `ForkedProcess` is for a child
 * process): it has one owner, usually a coroutine, whose mailbox receives each request
 * (`HttpExchange`, the request with its response) and, when a response's connection closes before
 * the response ended (an event stream whose page went away), `HttpClosed`. Listening and closing
 * are waits (`{ timeout, signal, coro }`), so nothing above it listens to the server itself.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActingWaitOptions } from '../../runtime/coroTypes.js';
import { checkCount, checkWaitOptions, describe } from '../../runtime/options.js';
import { InvalidArgumentError, TimeoutError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import { ListenError } from './ioErrors.js';

/**
 * Where an HTTP server's requests go: a coroutine (or anything with `send`); `send` returning
 * false means the owner is gone, and the request is answered 503.
 * @example
 * ```ts
 * const owner: HttpOwner = coro;
 * ```
 */
export interface HttpOwner {
  send(message: unknown): boolean;
}

/**
 * Options of `HttpServer.listen`.
 * @example
 * ```ts
 * const options: HttpListenOptions = { owner: coro, host: '127.0.0.1', port: 0 };
 * ```
 */
export interface HttpListenOptions extends ActingWaitOptions {
  /** Receives every `HttpExchange` and `HttpClosed`. */
  owner: HttpOwner;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: an ephemeral port (read it from `port`). */
  port?: number;
  scheduler?: Scheduler;
}

/**
 * A request, in its owner's mailbox: answer it through `res` (any time, from any coroutine).
 * @example
 * ```ts
 * const m = await coro.receive();
 * if (m instanceof HttpExchange) m.res.end('hello');
 * ```
 */
export class HttpExchange {
  constructor(
    readonly server: HttpServer,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {}
}

/**
 * A response whose connection closed before it ended (its client went away), in its owner's
 * mailbox. A response that ended normally is not reported.
 * @example
 * ```ts
 * const m = await coro.receive();
 * if (m instanceof HttpClosed) log('a client went away', m.res.req.url);
 * ```
 */
export class HttpClosed {
  constructor(
    readonly server: HttpServer,
    readonly res: ServerResponse,
  ) {}
}

/**
 * A listening HTTP server.
 * @example
 * ```ts
 * const server = await HttpServer.listen({ owner: coro, port: 0 });
 * for (;;) {
 *   const m = await coro.receive();
 *   if (m instanceof HttpExchange) m.res.end(`you asked for ${m.req.url}`);
 * }
 * ```
 */
export class HttpServer {
  private bound: AddressInfo | undefined;
  private closing = false;
  private closed = false;
  private readonly closeWaiters = new WaiterQueue();

  private constructor(
    private readonly raw: Server,
    private readonly owner: HttpOwner,
    private readonly scheduler: Scheduler,
  ) {
    raw.on('request', (req: IncomingMessage, res: ServerResponse) => this.arrived(req, res));
  }

  /**
   * Listens on `host:port` (default 127.0.0.1, an ephemeral port). Throws InvalidArgumentError for
   * bad options; rejects with ListenError when the address cannot be bound, with TimeoutError
   * after `timeout` ms, with the signal's reason when it aborts (the server is then closed).
   * @example
   * ```ts
   * const server = await HttpServer.listen({ owner: coro, host: '127.0.0.1', port: 8080, timeout: 5000 });
   * log(server.port);
   * ```
   */
  static listen(options: HttpListenOptions): Promise<HttpServer> {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`listen options must be an object, got ${describe(options)}`);
    const owner = options.owner;
    if (owner === null || typeof owner !== 'object' || typeof owner.send !== 'function') throw new InvalidArgumentError(`an HTTP server's owner must be a coroutine (something with send), got ${describe(owner)}`);
    const host = options.host ?? '127.0.0.1';
    if (typeof host !== 'string' || host === '') throw new InvalidArgumentError(`host must be a host name or address, got ${describe(host)}`);
    const port = checkCount(options.port ?? 0, 'port');
    if (port > 65535) throw new InvalidArgumentError(`port must be in 0..65535, got ${port}`);
    if (options.scheduler !== undefined && !(options.scheduler instanceof Scheduler)) throw new InvalidArgumentError('scheduler must be a Scheduler');
    const timeout = checkWaitOptions(options);
    const sched = options.coro?.scheduler ?? options.scheduler ?? Scheduler.default();
    // A listen never completes at once: polling it (timeout 0) is a timeout, with nothing left behind.
    if (timeout === 0) return Promise.reject(new TimeoutError(`listen on ${host}:${port} timed out`));
    const raw = createServer();
    const server = new HttpServer(raw, owner, options.scheduler ?? (sched as Scheduler));
    const wait = new Wait<HttpServer>(sched, sched.actor(options.coro), WaitKind.Other);
    wait.throwOnTimeout = true;
    wait.what = `listen on ${host}:${port}`;
    const onError = (err: Error): void => {
      wait.onCancel = undefined;
      raw.close();
      wait.fail(new ListenError(`cannot listen on ${host}:${port}: ${err.message}`, { cause: err }));
    };
    // Timed out or aborted before it listened: nobody will use it.
    wait.onCancel = () => void raw.close();
    raw.once('error', onError);
    raw.listen(port, host, () => {
      raw.off('error', onError);
      raw.on('error', (err) => server.scheduler.logger.warn({ err: err.message }, 'HTTP server error'));
      server.bound = raw.address() as AddressInfo;
      if (!wait.wake(server)) raw.close();
    });
    return wait.start(timeout, options.signal);
  }

  /** The port it listens on (still known after `close()`). */
  get port(): number {
    return this.bound!.port;
  }

  /** The address it listens on. */
  get address(): AddressInfo {
    return this.bound!;
  }

  /** True once `close()` was called. */
  get isClosing(): boolean {
    return this.closing;
  }

  /**
   * Stops listening and ends every connection, open event streams included: true once the server
   * is closed, false when `timeout` ms pass first (it goes on closing; `timeout: 0` only starts
   * it); rejects with the signal's reason when it aborts. Calling it again waits for the same close.
   * @example
   * ```ts
   * await server.close({ timeout: 5000 });
   * ```
   */
  close(options?: ActingWaitOptions): Promise<boolean> {
    let timeout: number;
    try {
      timeout = checkWaitOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    const sched = options?.coro?.scheduler ?? this.scheduler;
    if (this.closed) return sched.ready(true);
    if (!this.closing) {
      this.closing = true;
      this.raw.close(() => {
        this.closed = true;
        for (const w of this.closeWaiters.drain()) w.wake(true);
      });
      this.raw.closeAllConnections();
    }
    if (timeout === 0) return sched.ready(false);
    const wait = new Wait<boolean>(sched, sched.actor(options?.coro), WaitKind.Other);
    wait.alarm = false;
    wait.what = 'close of an HTTP server';
    this.closeWaiters.push(wait);
    return wait.start(timeout, options?.signal);
  }

  /** `await using server = await HttpServer.listen(...)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toString(): string {
    return this.bound === undefined ? 'HTTP server' : `HTTP server ${this.bound.address}:${this.bound.port}`;
  }

  private arrived(req: IncomingMessage, res: ServerResponse): void {
    if (this.closing || !this.owner.send(new HttpExchange(this, req, res))) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end('closing\n');
      return;
    }
    res.once('close', () => {
      if (!res.writableFinished) this.owner.send(new HttpClosed(this, res));
    });
  }
}
