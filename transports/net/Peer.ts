/**
 * A peer: another node this one talks to over one persistent connection. Owns the requests
 * pending on it (multiplexed by id), the messages queued while it connects, and the heartbeat
 * bookkeeping. When the connection is lost every pending request fails at once with
 * PeerLostError, and the network's layers hear of it (the remote layer ends its watches).
 * @module
 */
import type { Codec } from './Codec.js';
import type { PeerSnapshot } from '../../runtime/snapshotTypes.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import type { Logger } from '../../runtime/logging.js';
import { checkWaitOptions } from '../../runtime/options.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import type { Location } from './Location.js';
import { PeerLostError, PeerUnreachableError, ProtocolError, UnknownRequestError } from './netErrors.js';
import type { PeerLink } from './PeerLink.js';
import { CloneWire } from './CloneWire.js';
import { BATCH } from './frameBatch.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';
import type { Peering } from './peering.js';
import { PeerLiveness } from './PeerLiveness.js';
import { PeerQueue } from './PeerQueue.js';
import { PendingRequests } from './PendingRequests.js';

const REQ = 0, REP = 1, PING = 2, BYE = 3;
const isId = (id: unknown): id is number => typeof id === 'number' && Number.isInteger(id) && id >= 0;

/**
 * Serves one request type: gets the decoded body and the peer it came from; its return value
 * (or resolved value) is the reply, a thrown error becomes a RemoteError at the caller.
 * @example
 * ```ts
 * net.handle('echo', (body, peer) => body);
 * ```
 */
export type RequestHandler = (body: unknown, peer: Peer) => unknown;

/** Options of a request: timeout (→ TimeoutError, or `alarm` when given), signal, acting coroutine. */
export interface RequestOptions extends ActingWaitOptions {
  /** Returned on timeout instead of throwing TimeoutError. */
  alarm?: unknown;
  /** Memory in the body that moves to a thread of this process instead of being copied. */
  transfer?: ReadonlyArray<ArrayBuffer | ArrayBufferView>;
}

/** What a peer needs from its network. */
export interface PeerHost {
  readonly scheduler: Scheduler;
  readonly codec: Codec;
  /** Told of each live local object a sent message referenced. */
  readonly referenceSent: (live: object) => void;
  readonly logger: Logger;
  handler(type: string): RequestHandler | undefined;
  peerClosed(peer: Peer, wasOnline: boolean): void;
}

/**
 * A node this one is connected (or connecting) to.
 * @example
 * ```ts
 * const peer = await net.peer(Location.parse('127.0.0.1:9705'));
 * log(peer.name, String(peer.location), peer.incarnation);
 * ```
 */
export class Peer {
  private childLogger: Logger | undefined;
  /** The peer's incarnation (node id), known once authenticated. */
  incarnation = '';
  name: string;
  state: 'connecting' | 'online' | 'closed' = 'connecting';
  /** Its part in the network's connections, as its handshake said ('mesh' until then, and for a 2.0 node). */
  peering: Peering = 'mesh';
  /** Whether this side sends heartbeats to it and judges its silence (both by default). */
  readonly liveness = new PeerLiveness();
  /** @internal Heard of (a ping, a peer list): a refused dial is retried until then (performance.now()). */
  wantedUntil = 0;
  /** Why it closed. */
  error: Error | undefined = undefined;
  /** @internal */
  connection: PeerLink | undefined = undefined;
  private readonly queue = new PeerQueue();
  private readonly pending = new PendingRequests<Wait<unknown>>();
  /** The request whose round trip is being timed (one at a time: enough for a snapshot's figure). */
  private timed: { id: number; at: number } | undefined;
  /** The last request round trip, in ms (undefined until one completed). */
  roundTripMs: number | undefined;
  /** Connections to this node after the first (a reconnect is a new Peer of the same location). */
  reconnects = 0;
  private nextId = 1;
  private readonly onlineWaiters = new WaiterQueue();
  /** The clone form of messages, for a link inside the process (made on first use). */
  private wire: CloneWire | undefined;

  constructor(
    private readonly host: PeerHost,
    /** Where it listens (the dialled address until the handshake says otherwise). */
    public location: Location,
  ) {
    this.name = String(location);
  }

  get isOnline(): boolean {
    return this.state === 'online';
  }

  /**
   * Sends a one-way request; false if the peer is closed or its queue is full. `transfer`: memory
   * in `body` that moves to a thread of this process instead of being copied (see SendOptions).
   * Throws InvalidArgumentError if `body` cannot be encoded.
   */
  post(type: string, body: unknown, transfer?: ReadonlyArray<ArrayBuffer | ArrayBufferView>): boolean {
    if (this.state === 'closed') return false;
    const conn = this.connection;
    if (conn?.request !== undefined && this.state === 'online') {
      // A link inside the process: the body crosses as a value, with no message array around it.
      conn.request(type, (this.wire ??= new CloneWire(this.host.codec, this)).out(body, this.host.referenceSent), transfer);
      return true;
    }
    return this.write(this.encode([REQ, 0, type, body], this.host.referenceSent), transfer);
  }

  /**
   * Sends a request and waits for its reply. Throws PeerLostError/PeerUnreachableError when the
   * connection is lost, TimeoutError on timeout (unless `alarm` is given), RemoteError when the
   * handler failed.
   */
  request(type: string, body: unknown, options?: RequestOptions): Promise<unknown> {
    const timeout = checkWaitOptions(options);
    if (this.state === 'closed') return Promise.reject(this.lostError());
    const id = this.nextId++;
    const payload = this.encode([REQ, id, type, body], this.host.referenceSent);
    const sched = this.host.scheduler;
    const wait = new Wait<unknown>(sched, sched.actor(options?.coro), WaitKind.Other);
    wait.what = 'remote call'; // a constant: no string built per request
    if (options !== undefined && 'alarm' in options) wait.alarm = options.alarm;
    else wait.throwOnTimeout = true;
    wait.onCancel = () => this.untrack(id);
    this.pending.set(id, wait);
    if (this.timed === undefined) this.timed = { id, at: performance.now() };
    // A pending request keeps the process alive; an idle connection does not.
    if (this.pending.size === 1) this.connection?.ref();
    const promise = wait.start(timeout, options?.signal);
    if (wait.settled) this.untrack(id); // interrupted or aborted before it was sent
    else if (!this.write(payload, options?.transfer)) {
      this.untrack(id);
      wait.fail(new PeerLostError(`cannot queue a request to ${this}: its queue is full`));
    }
    return promise;
  }

  /** Resolves once the peer is online; throws if it closes first or `timeout` passes (TimeoutError). */
  whenOnline(options?: ActingWaitOptions): Promise<Peer> {
    const timeout = checkWaitOptions(options);
    if (this.state === 'online') return Promise.resolve(this);
    if (this.state === 'closed') return Promise.reject(this.lostError());
    const sched = this.host.scheduler;
    const wait = new Wait<Peer>(sched, sched.actor(options?.coro), WaitKind.Other);
    wait.what = `peer ${this} online`;
    wait.throwOnTimeout = true;
    this.onlineWaiters.push(wait);
    return wait.start(timeout, options?.signal);
  }

  /**
   * @internal What waits for this connecting peer: 'call' (a request, a `peer()` call: its retries keep
   * the process alive, as the call does), 'intent' (a message queued < `window` ms ago, or heard of lately).
   */
  awaited(now: number, window: number): 'call' | 'intent' | undefined {
    if (this.pending.size > 0 || this.onlineWaiters.length > 0) return 'call';
    return now < this.wantedUntil || (this.queue.length > 0 && now - this.queue.oldestAt < window) ? 'intent' : undefined;
  }

  /** @internal Adopts an authenticated connection and sends what was queued. */
  attach(conn: PeerLink, info: { nodeId: string; name: string; location: Location; peering?: Peering }): void {
    this.connection = conn;
    this.incarnation = info.nodeId;
    this.name = info.name;
    this.location = info.location;
    this.peering = info.peering ?? 'mesh';
    this.state = 'online';
    for (const payload of this.queue.drain()) conn.write(payload);
    if (this.pending.size === 0) conn.unref();
    for (const w of this.onlineWaiters.drain()) w.wake(this);
  }

  /**
   * @internal Every frame from the connection comes here: CBOR bytes, or a message value from a
   * link inside the process. Throws ProtocolError on a wrong shape.
   */
  onFrame(payload: unknown): void {
    if (!(payload instanceof Uint8Array)) return this.onMessage(this.fromClone(payload));
    const msg = this.host.codec.decode(payload);
    if (!Array.isArray(msg) || msg.length === 0) throw new ProtocolError('message is not a non-empty array');
    if (msg[0] !== BATCH) return this.onMessage(msg);
    for (let k = 1; k < msg.length && this.state !== 'closed'; k++) {
      const item: unknown = msg[k];
      if (!Array.isArray(item) || item.length === 0 || item[0] === BATCH) throw new ProtocolError('a batch holds messages, not batches');
      this.onMessage(item);
    }
  }

  /** @internal A one-way request from a link inside the process (its body in clone form). */
  onRequest(type: string, body: unknown): void {
    this.serve(0, type, (this.wire ??= new CloneWire(this.host.codec, this)).in(body));
  }

  private onMessage(msg: unknown[]): void {
    switch (msg[0]) {
      case REQ: {
        const [, id, type, body] = msg;
        if (msg.length !== 4 || !isId(id) || typeof type !== 'string') throw new ProtocolError('malformed request');
        return this.serve(id, type, body);
      }
      case REP: {
        const [, id, ok, value] = msg;
        if (msg.length !== 4 || !isId(id) || typeof ok !== 'boolean') throw new ProtocolError('malformed reply');
        if (this.timed?.id === id) {
          this.roundTripMs = performance.now() - this.timed.at;
          this.timed = undefined;
        }
        const wait = this.untrack(id);
        if (wait === undefined) return; // timed out or cancelled meanwhile
        if (ok) wait.wake(value);
        else wait.fail(value instanceof Error ? value : new ProtocolError('malformed error reply'));
        return;
      }
      case PING:
        return;
      case BYE:
        return this.lose(new PeerLostError(`${this} stopped`));
      default:
        throw new ProtocolError(`unknown message kind ${String(msg[0]).slice(0, 20)}`);
    }
  }

  /** @internal Sends a heartbeat if nothing was sent lately; declares the peer lost if it has been silent too long. */
  tick(now: number, interval: number, timeout: number): void {
    const conn = this.connection;
    const due = this.state !== 'online' || conn === undefined ? undefined : this.liveness.check(conn, now, interval, timeout);
    if (due === 'beat') conn!.write(this.encode([PING]));
    else if (due === 'lost') {
      this.host.logger.warn({ peer: String(this) }, 'peer missed its heartbeats');
      this.lose(new PeerLostError(`${this} missed its heartbeats for ${Math.round(now - conn!.lastReceived)} ms`), false);
    }
  }

  /** @internal Says goodbye and closes the connection; pending requests fail with `error`. */
  close(error: Error): void {
    // Say goodbye, then end: lose() closes the connection gracefully after failing what waits
    // with `error` (closing it first would fail them with the connection's own PeerLostError).
    if (this.state === 'online' && this.connection !== undefined) this.connection.write(this.encode([BYE]));
    this.lose(error);
  }

  /** @internal Ends the peer: fails what waits on it, tells the network (and its layers), forgets it. */
  lose(error: Error, graceful = true): void {
    if (this.state === 'closed') return;
    const wasOnline = this.state === 'online';
    this.state = 'closed';
    this.error = error;
    this.connection?.close(error, graceful);
    this.queue.drain();
    for (const w of this.pending.drain()) w.fail(error);
    for (const w of this.onlineWaiters.drain()) w.fail(error);
    this.host.peerClosed(this, wasOnline);
  }

  /**
   * What a snapshot shows of this peer: identity, state, the last frame heard, the last request
   * round trip, and the traffic of its current connection.
   * @example
   * ```ts
   * const { bytesIn, roundTripMs } = peer.describe();
   * ```
   */
  describe(): PeerSnapshot {
    const conn = this.connection;
    return {
      location: String(this.location),
      name: this.name,
      incarnation: this.incarnation,
      state: this.state,
      lastHeardMs: conn === undefined ? null : Math.round(performance.now() - conn.lastReceived),
      roundTripMs: this.roundTripMs === undefined ? null : Math.round(this.roundTripMs * 1000) / 1000,
      bytesIn: conn?.bytesIn ?? 0,
      bytesOut: conn?.bytesOut ?? 0,
      framesIn: conn?.framesIn ?? 0,
      framesOut: conn?.framesOut ?? 0,
      reconnects: this.reconnects,
      requests: this.pending.size,
    };
  }

  /**
   * A child of the network's logger bound to this peer (`{ peer: 'name@host:port' }`), created on first use.
   * @example
   * ```ts
   * peer.logger.warn('slow');
   * ```
   */
  get logger(): Logger {
    return (this.childLogger ??= this.host.logger.child({ peer: String(this) }));
  }

  /** `name@host:port`, or just `host:port` for a node named after its location (the default). */
  toString(): string {
    const where = String(this.location);
    return this.name === where || this.name === '' ? where : `${this.name}@${where}`;
  }

  /** What a log line shows of a peer (`logger.info({ peer })`): its identity, nothing of the network behind it. */
  toJSON(): object {
    return { name: this.name, location: String(this.location), incarnation: this.incarnation, state: this.state };
  }

  private lostError(): Error {
    return this.error ?? new PeerUnreachableError(`${this} is not connected`);
  }

  private untrack(id: number): Wait<unknown> | undefined {
    const wait = this.pending.take(id);
    if (this.timed?.id === id) this.timed = undefined; // timed out or cancelled: time the next one
    if (this.pending.size === 0) this.connection?.unref();
    return wait;
  }

  /**
   * `message` as its link carries it: CBOR bytes, or (a link inside the process) the message
   * itself with its last part, the body or value, in clone form.
   */
  private encode(message: unknown[], sent?: (live: object) => void): unknown {
    if (this.connection?.clones !== true || this.state !== 'online') return this.host.codec.encode(message, sent);
    if (message.length === 4) message[3] = (this.wire ??= new CloneWire(this.host.codec, this)).out(message[3], sent);
    return message;
  }

  /** A message from a link that clones: `[kind, id, type or ok, body or value in clone form]`. */
  private fromClone(payload: unknown): unknown[] {
    if (!Array.isArray(payload) || payload.length !== 4) throw new ProtocolError('message is not [kind, id, type, body]');
    payload[3] = (this.wire ??= new CloneWire(this.host.codec, this)).in(payload[3]);
    return payload;
  }

  private write(encoded: unknown, transfer?: ReadonlyArray<ArrayBuffer | ArrayBufferView>): boolean {
    if (this.connection !== undefined && this.state === 'online') {
      this.connection.write(encoded, transfer);
      return true;
    }
    // Only a connection being made queues, and it carries bytes.
    if (this.queue.push(encoded as Buffer)) return true;
    this.host.logger.warn({ peer: String(this) }, 'queue to a connecting peer is full; message dropped');
    return false;
  }

  private serve(id: number, type: string, body: unknown): void {
    const handler = this.host.handler(type);
    if (handler === undefined) {
      if (id !== 0) this.reply(id, false, new UnknownRequestError(`no handler for request type '${type.slice(0, 60)}'`));
      else this.host.logger.debug({ peer: String(this), type: type.slice(0, 60) }, 'one-way request of unknown type dropped');
      return;
    }
    let result: unknown;
    try {
      result = handler(body, this);
    } catch (err) {
      return id === 0 ? this.oneWayFailed(type, err) : this.reply(id, false, err);
    }
    if (result !== null && typeof (result as Promise<unknown>)?.then === 'function') {
      (result as Promise<unknown>).then(
        (value) => id !== 0 && this.reply(id, true, value),
        (err) => (id === 0 ? this.oneWayFailed(type, err) : this.reply(id, false, err)),
      );
    } else if (id !== 0) this.reply(id, true, result);
  }

  private reply(id: number, ok: boolean, value: unknown): void {
    if (this.state !== 'online' || this.connection === undefined) return;
    if (!ok && !(value instanceof Error)) value = new Error(String(value));
    let payload: unknown;
    try {
      payload = this.encode([REP, id, ok, value], this.host.referenceSent);
    } catch (err) {
      payload = this.encode([REP, id, false, err instanceof Error ? err : new InvalidArgumentError('unencodable reply')]);
    }
    try {
      this.connection.write(payload);
    } catch (err) {
      this.connection.write(this.encode([REP, id, false, err]));
    }
  }

  private oneWayFailed(type: string, err: unknown): void {
    this.host.logger.debug({ peer: String(this), type: type.slice(0, 60), err }, 'one-way request failed');
  }
}
