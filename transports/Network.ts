/**
 * The networking object of a scheduler: listens for peers, discovers them, authenticates them,
 * keeps one connection per peer with heartbeats, serves requests and routes remote coroutine
 * references. Start one per scheduler with `Network.start`.
 * @module
 */
import { networkInterfaces } from 'node:os';
import type { Server, Socket } from 'node:net';
import type { RemoteCoro } from '../actors/RemoteCoro.js';
import { Codec } from '../runtime/codec.js';
import { Coro, type MonitorTarget } from '../runtime/Coro.js';
import { InvalidArgumentError } from '../runtime/errors.js';
import type { Logger } from '../runtime/logging.js';
import { checkFunction, checkName, checkWaitOptions, type ActingWaitOptions, type WaitOptions } from '../runtime/options.js';
import { Scheduler } from '../runtime/Scheduler.js';
import { Wait, WaitKind } from '../runtime/Wait.js';
import { WaiterQueue } from '../runtime/WaiterQueue.js';
import { Discovery, encodePing, type PingInfo } from './Discovery.js';
import { DuplicateConnectionError, handshake, newNodeId, type HelloInfo } from './Handshake.js';
import { Location } from './Location.js';
import { AuthenticationError, NetworkStoppedError, PeerLostError, PeerUnreachableError } from './netErrors.js';
import { Peer, type PeerHost, type RequestHandler, type RequestOptions } from './Peer.js';
import { PeerConnection } from './PeerConnection.js';
import { dial, listen } from './PeerDialer.js';
import { PeerLocator, type LocateOptions } from './PeerLocator.js';
import { isLoopback, resolveOptions, type NetworkOptions, type ResolvedOptions } from './PeerOptions.js';
import { installBuiltinHandlers } from './PeerRequests.js';
import { PeerStatus } from './PeerStatus.js';

const networks = new WeakMap<Scheduler, Network>();
/** After a failed connection, wait this long before dialling the same location implicitly again. */
const RETRY_AFTER_MS = 1000, RETRY_AFTER_AUTH_FAILURE_MS = 60_000;

declare module '../runtime/Scheduler.js' {
  interface Scheduler {
    /** The networking started on this scheduler, if any (see Network.start). */
    readonly network: Network | undefined;
  }
}
declare module '../runtime/Coro.js' {
  interface Coro<M, R> {
    /** Where this coroutine's node listens, once networking is started on its scheduler. */
    readonly location: Location | undefined;
  }
}
Object.defineProperty(Scheduler.prototype, 'network', { configurable: true, get(this: Scheduler) { return networks.get(this); } });
Object.defineProperty(Coro.prototype, 'location', { configurable: true, get(this: Coro) { return networks.get(this.scheduler)?.location; } });

/**
 * Distribution for one scheduler.
 *
 * @example
 * ```ts
 * const net = await Network.start(sched, { secret: 's3cret', discoveryTargets: ['127.0.0.1:51350'] });
 * const server = await Coro.locate('server_coro', { scheduler: sched, timeout: 5000 });
 * server?.send('hello');
 * await net.stop();
 * ```
 */
export class Network implements PeerHost, AsyncDisposable {
  /** This process's node id: fresh at every start, so a restarted node is a new incarnation. */
  readonly incarnation = newNodeId();
  readonly codec: Codec = new Codec(this);
  readonly logger: Logger;
  location!: Location;
  name!: string;
  private server: Server | undefined;
  private discovery: Discovery | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly online = new Map<string, Peer>();
  private readonly byLocation = new Map<string, Peer>();
  private readonly retryAfter = new Map<string, number>();
  private readonly loggedAuthFailures = new Set<string>();
  private readonly handshaking = new Set<Socket>();
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly statusListeners = new Set<(status: PeerStatus) => void>();
  private readonly nameWaiters = new Map<string, WaiterQueue>();
  private readonly locator = new PeerLocator(this);
  private dropExitHook: (() => void) | undefined;

  private constructor(
    readonly scheduler: Scheduler,
    /** @internal */
    readonly options: ResolvedOptions,
  ) {
    this.logger = scheduler.logger;
  }

  /**
   * Starts networking on `scheduler` (default: the default scheduler). Throws InsecureNetworkError
   * when asked to listen beyond loopback without a secret (unless `insecure: true`),
   * InvalidArgumentError for bad options or a scheduler that already has networking.
   * @example
   * ```ts
   * const net = await Network.start({ port: 9705, name: 'node-1', secret: 'shared' });
   * ```
   */
  static async start(scheduler?: Scheduler | NetworkOptions, options?: NetworkOptions): Promise<Network> {
    if (!(scheduler instanceof Scheduler)) [scheduler, options] = [Scheduler.default(), scheduler ?? options];
    const resolved = resolveOptions(options);
    if (networks.has(scheduler)) throw new InvalidArgumentError('networking is already started on this scheduler');
    if (!scheduler.isRunning) throw new InvalidArgumentError('the scheduler has stopped');
    const net = new Network(scheduler, resolved);
    await net.open();
    return net;
  }

  /** Default timeout of internal requests (ms). */
  get requestTimeout(): number {
    return this.options.requestTimeout;
  }

  /** Largest frame sent or accepted (bytes). */
  get maxFrame(): number {
    return this.options.maxFrame;
  }

  /** The UDP port discovery listens on (undefined when discovery is off). */
  get udpPort(): number | undefined {
    return this.discovery?.port;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Locations of the peers online now. */
  peers(): Location[] {
    return this.onlinePeers().map((p) => p.location);
  }

  /** @internal The peers online now. */
  onlinePeers(): Peer[] {
    return [...this.online.values()].filter((p) => p.isOnline);
  }

  /** @internal The online peer with this incarnation. */
  peerByIncarnation(incarnation: string): Peer | undefined {
    const peer = this.online.get(incarnation);
    return peer?.isOnline ? peer : undefined;
  }

  /**
   * Connects to the node at `location` (if not connected) and resolves with it once authenticated.
   * Throws PeerUnreachableError, AuthenticationError, ProtocolVersionError, or TimeoutError.
   * @example
   * ```ts
   * const peer = await net.peer('127.0.0.1:9705', { timeout: 5000 });
   * ```
   */
  peer(location: Location | string, options?: ActingWaitOptions): Promise<Peer> {
    checkWaitOptions(options);
    const loc = Location.parse(location);
    if (this.stopped) return Promise.reject(new NetworkStoppedError('networking has stopped'));
    if (loc.equals(this.location)) return Promise.reject(new InvalidArgumentError('cannot peer with this node itself'));
    this.retryAfter.delete(String(loc));
    return this.route(loc)!.whenOnline(options ?? { timeout: 2 * this.options.connectTimeout });
  }

  /**
   * @internal The peer for `location`: the online or connecting one, else a new connection attempt.
   * Undefined when stopped, for this node itself, or while the location recently failed.
   */
  route(location: Location): Peer | undefined {
    if (this.stopped || location.equals(this.location)) return undefined;
    const key = String(location);
    const known = this.byLocation.get(key);
    if (known !== undefined && known.state !== 'closed') return known;
    if ((this.retryAfter.get(key) ?? 0) > performance.now()) return undefined;
    const peer = new Peer(this, location);
    this.byLocation.set(key, peer);
    void this.connect(peer, location);
    return peer;
  }

  /** Announces this node now (UDP may lose pings), optionally to extra locations (`host:udpPort`). */
  discover(extra: Array<Location | string> = []): void {
    this.discovery?.announce(extra.map((l) => Location.parse(l)));
  }

  /**
   * The location of the peer named `name`, waiting up to `timeout` ms for it to come online;
   * undefined on timeout.
   * @example
   * ```ts
   * const loc = await net.locatePeer('node-2', { timeout: 3000 });
   * ```
   */
  locatePeer(name: string, options?: WaitOptions): Promise<Location | undefined> {
    checkName(name, 'name');
    const timeout = checkWaitOptions(options ?? { timeout: 0 });
    const found = this.onlinePeers().find((p) => p.name === name);
    if (found !== undefined || timeout === 0) return Promise.resolve(found?.location);
    const wait = new Wait<Location | undefined>(this.scheduler, undefined, WaitKind.Other);
    let queue = this.nameWaiters.get(name);
    if (queue === undefined) this.nameWaiters.set(name, (queue = new WaiterQueue()));
    queue.push(wait);
    wait.onCancel = () => {
      if (queue!.length === 0 && this.nameWaiters.get(name) === queue) this.nameWaiters.delete(name);
    };
    this.discover();
    return wait.start(timeout, options?.signal);
  }

  /**
   * Finds a coroutine registered under `name`: here, at `location`, or at any peer (first answer
   * wins). `Coro.locate` calls this once networking is started. Undefined on timeout.
   * @example
   * ```ts
   * const server = await net.locateCoro('server_coro', { timeout: 5000 });
   * ```
   */
  locateCoro(name: string, options?: LocateOptions): Promise<Coro<any, any> | RemoteCoro | undefined> {
    return this.locator.locate(name, options);
  }

  /**
   * Sends `target` a PeerStatus message for every peer that comes online or goes offline, starting
   * with Online for each current peer. Returns a function that ends the subscription (so does the
   * target ending).
   * @example
   * ```ts
   * net.peerStatus(watcher); // watcher receives PeerStatus { location, name, status }
   * ```
   */
  peerStatus(target: MonitorTarget): () => void {
    if (target === null || typeof target !== 'object' || typeof target.send !== 'function') {
      throw new InvalidArgumentError('peerStatus needs a coroutine (or anything with send)');
    }
    const listener = (status: PeerStatus): void => {
      if (!target.send(status)) this.statusListeners.delete(listener);
    };
    for (const peer of this.onlinePeers()) target.send(new PeerStatus(peer.location, peer.name, 'online', peer.incarnation));
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Registers the handler of a request type (for layers built on this one: channels, RCI,
   * file transfer). Returns a function that removes it. Throws InvalidArgumentError if taken.
   * @example
   * ```ts
   * net.handle('echo', (body, peer) => body);
   * await net.request(peerLocation, 'echo', 42); // 42
   * ```
   */
  handle(type: string, handler: RequestHandler): () => void {
    checkName(type, 'request type');
    checkFunction(handler, 'request handler');
    if (this.handlers.has(type)) throw new InvalidArgumentError(`request type '${type}' already has a handler`);
    this.handlers.set(type, handler);
    return () => {
      if (this.handlers.get(type) === handler) this.handlers.delete(type);
    };
  }

  /** @internal */
  handler(type: string): RequestHandler | undefined {
    return this.handlers.get(type);
  }

  /**
   * Sends a request to the node at `location` and waits for the reply (connecting if needed).
   * Throws PeerUnreachableError/PeerLostError, TimeoutError (or returns `alarm`), RemoteError.
   * @example
   * ```ts
   * const answer = await net.request('127.0.0.1:9705', 'echo', { n: 1 }, { timeout: 1000 });
   * ```
   */
  request(location: Location | string, type: string, body: unknown, options?: RequestOptions): Promise<unknown> {
    checkName(type, 'request type');
    const peer = this.route(Location.parse(location));
    if (peer === undefined) return Promise.reject(new PeerUnreachableError(`${String(location)} cannot be reached`));
    return peer.request(type, body, options ?? { timeout: this.requestTimeout });
  }

  /**
   * Sends a one-way request (no reply); false when the node cannot be reached.
   * @example
   * ```ts
   * net.post(loc, 'log', 'hello');
   * ```
   */
  post(location: Location | string, type: string, body: unknown): boolean {
    checkName(type, 'request type');
    return this.route(Location.parse(location))?.post(type, body) ?? false;
  }

  /**
   * Closes every connection cleanly (peers are told, pending requests fail with
   * NetworkStoppedError), stops discovery and listening. Idempotent.
   * @example
   * ```ts
   * await net.stop();
   * ```
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    networks.delete(this.scheduler);
    this.scheduler.remoteLocate = undefined;
    this.dropExitHook?.();
    clearInterval(this.ticker);
    this.locator.stop();
    for (const queue of this.nameWaiters.values()) for (const w of queue.drain()) w.wake(undefined);
    const error = new NetworkStoppedError('networking has stopped');
    for (const peer of new Set([...this.online.values(), ...this.byLocation.values()])) peer.close(error);
    for (const socket of this.handshaking) socket.destroy();
    await this.discovery?.close();
    // The listener closes once the peers' sockets have; the timer (ref'd) keeps the process up until then.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.server?.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.logger.info({ location: String(this.location) }, 'networking stopped');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** @internal A peer closed: forget it and tell the subscribers. */
  peerClosed(peer: Peer, wasOnline: boolean): void {
    if (this.online.get(peer.incarnation) === peer) this.online.delete(peer.incarnation);
    for (const [key, p] of this.byLocation) if (p === peer) this.byLocation.delete(key);
    if (!wasOnline) return;
    this.logger.info({ peer: String(peer), reason: peer.error?.message }, 'peer offline');
    this.emit(new PeerStatus(peer.location, peer.name, 'offline', peer.incarnation));
  }

  private async open(): Promise<void> {
    const o = this.options;
    this.server = await listen(o.host, o.port, o.tls, (socket) => this.accept(socket));
    this.server.unref();
    this.server.on('error', (err) => this.logger.error({ err }, 'peer listener error'));
    this.server.on('tlsClientError', (err) => this.logger.debug({ err }, 'TLS handshake with a connecting party failed'));
    const port = (this.server.address() as { port: number }).port;
    this.location = new Location(o.extHost ?? advertisedHost(o.host), port);
    this.name = o.name ?? String(this.location);
    networks.set(this.scheduler, this);
    this.scheduler.remoteLocate = (name, options) => this.locateCoro(name, options as LocateOptions);
    this.dropExitHook = this.scheduler.atExit(() => this.stop(), -1000);
    installBuiltinHandlers(this);
    this.ticker = setInterval(() => this.tick(), Math.max(10, Math.floor(o.heartbeatInterval / 2)));
    this.ticker.unref();
    if (o.discover) {
      const loopback = isLoopback(o.host);
      const defaultPort = o.udpPort || 51350;
      const ping = encodePing({ nodeId: this.incarnation, host: this.location.host, port, name: this.name, version: o.protocolVersion });
      this.discovery = await Discovery.start({
        port: o.udpPort,
        host: o.udpHost,
        targets: o.discoveryTargets ?? [new Location(loopback ? '127.255.255.255' : '255.255.255.255', defaultPort)],
        multicast: o.multicast,
        interval: o.discoveryInterval,
        ping,
        onPing: (info) => this.onPing(info),
        logger: this.logger,
      });
    }
    for (const seed of o.seedLocations) this.route(seed);
    this.logger.info({ location: String(this.location), name: this.name, incarnation: this.incarnation }, 'networking started');
  }

  private tick(): void {
    const now = performance.now();
    const o = this.options;
    for (const peer of this.onlinePeers()) peer.tick(now, o.heartbeatInterval, o.peerTimeout);
    for (const seed of o.seedLocations) this.route(seed);
  }

  private onPing(info: PingInfo): void {
    if (this.stopped || info.nodeId === this.incarnation || info.version.major !== this.options.protocolVersion.major) return;
    if (this.online.get(info.nodeId)?.isOnline) return;
    // A loopback node only talks to loopback peers: a ping must not make it dial elsewhere.
    if (isLoopback(this.options.host) && !isLoopback(info.host)) return;
    const location = new Location(info.host, info.port);
    const known = this.byLocation.get(String(location));
    if (known?.isOnline && known.incarnation !== info.nodeId) known.lose(new PeerLostError(`${known} restarted (new incarnation)`));
    this.route(location);
  }

  private accept(socket: Socket): void {
    if (this.stopped) return void socket.destroy();
    this.handshaking.add(socket);
    const self = { nodeId: this.incarnation, host: this.location.host, port: this.location.port, name: this.name };
    handshake(socket, 'responder', { self, secret: this.options.secret, version: this.options.protocolVersion, timeout: this.options.connectTimeout, decide: (hello) => this.decide(hello) }).then(
      ({ peer, leftover }) => {
        this.handshaking.delete(socket);
        if (this.stopped) return void socket.destroy();
        this.adopt(socket, false, peer, leftover, undefined);
      },
      (err) => {
        this.handshaking.delete(socket);
        socket.destroy();
        this.handshakeFailed(err, `${socket.remoteAddress}:${socket.remotePort}`);
      },
    );
  }

  /** Simultaneous connections between two nodes: keep the one initiated by the lower node id. */
  private decide(hello: HelloInfo): 'accept' | 'duplicate' {
    if (hello.nodeId === this.incarnation) return 'duplicate';
    const existing = this.online.get(hello.nodeId) ?? this.byLocation.get(String(new Location(hello.host, hello.port)));
    if (existing === undefined || existing.state === 'closed') return 'accept';
    const ourAttempt = existing.state === 'connecting' || existing.connection?.initiator === true;
    return ourAttempt && this.incarnation < hello.nodeId ? 'duplicate' : 'accept';
  }

  private async connect(peer: Peer, location: Location): Promise<void> {
    let socket: Socket | undefined;
    try {
      socket = await dial(location, this.options.tls, this.options.connectTimeout);
      this.handshaking.add(socket);
      const self = { nodeId: this.incarnation, host: this.location.host, port: this.location.port, name: this.name };
      const { peer: hello, leftover } = await handshake(socket, 'initiator', { self, secret: this.options.secret, version: this.options.protocolVersion, timeout: this.options.connectTimeout });
      this.handshaking.delete(socket);
      if (this.stopped) throw new NetworkStoppedError('networking has stopped');
      if (peer.state !== 'connecting') return void socket.destroy(); // adopted the peer's own connection meanwhile
      this.adopt(socket, true, hello, leftover, peer);
    } catch (err) {
      if (socket !== undefined) {
        this.handshaking.delete(socket);
        socket.destroy();
      }
      if (err instanceof DuplicateConnectionError) {
        // The peer keeps the connection it is opening to us; give it the connect timeout to arrive.
        const timer = setTimeout(() => peer.state === 'connecting' && peer.lose(new PeerUnreachableError(`${location}: its connection to us never arrived`)), this.options.connectTimeout);
        timer.unref();
        return;
      }
      if (peer.state !== 'connecting') return;
      const auth = err instanceof AuthenticationError;
      this.retryAfter.set(String(location), performance.now() + (auth ? RETRY_AFTER_AUTH_FAILURE_MS : RETRY_AFTER_MS));
      this.handshakeFailed(err, String(location));
      peer.lose(err instanceof Error && 'code' in err ? err : new PeerUnreachableError(`cannot connect to ${location}`, { cause: err }));
    }
  }

  private adopt(socket: Socket, initiator: boolean, hello: HelloInfo, leftover: Buffer, dialled: Peer | undefined): void {
    const location = new Location(hello.host, hello.port);
    const key = String(location);
    const current = this.online.get(hello.nodeId);
    if (current?.isOnline) {
      if (initiator && current.connection?.initiator === false && hello.nodeId < this.incarnation) {
        socket.destroy(); // its connection to us wins; ours is redundant
        dialled?.lose(new PeerLostError('duplicate connection'));
        return;
      }
      current.lose(new PeerLostError(`${current} reconnected`));
    }
    const stale = this.byLocation.get(key);
    if (stale !== undefined && stale !== dialled && stale.isOnline && stale.incarnation !== hello.nodeId) stale.lose(new PeerLostError(`${stale} restarted (new incarnation)`));
    let peer = dialled;
    if (peer === undefined && stale !== undefined && stale.state === 'connecting') peer = stale;
    peer ??= new Peer(this, location);
    const p = peer;
    const conn = new PeerConnection(socket, initiator, this.options.maxFrame, leftover, {
      frame: (payload) => p.onFrame(payload),
      closed: (error) => {
        if (error !== undefined) this.logger.warn({ peer: String(p), err: error }, 'peer connection dropped');
        p.lose(new PeerLostError(`connection to ${p} lost${error ? `: ${error.message}` : ''}`, { cause: error }), false);
      },
    });
    p.attach(conn, { nodeId: hello.nodeId, name: hello.name, location });
    this.online.set(hello.nodeId, p);
    this.byLocation.set(key, p);
    this.retryAfter.delete(key);
    this.logger.info({ peer: String(p), incarnation: hello.nodeId }, 'peer online');
    this.emit(new PeerStatus(location, p.name, 'online', hello.nodeId));
    const waiting = this.nameWaiters.get(p.name);
    if (waiting !== undefined) {
      this.nameWaiters.delete(p.name);
      for (const w of waiting.drain()) w.wake(location);
    }
    this.locator.peerOnline(p);
  }

  private handshakeFailed(err: unknown, where: string): void {
    if (err instanceof DuplicateConnectionError || this.stopped) return;
    if (err instanceof AuthenticationError || (err as { code?: string })?.code === 'ERR_PROTOCOL_VERSION') {
      // Once per claimed peer location and cause, whichever side dialled.
      const remote = (err as { peerLocation?: string }).peerLocation ?? where;
      const key = `${remote}|${(err as AuthenticationError).code}`;
      if (this.loggedAuthFailures.has(key)) return;
      if (this.loggedAuthFailures.size >= 1000) this.loggedAuthFailures.clear();
      this.loggedAuthFailures.add(key);
      this.logger.warn({ remote, code: (err as AuthenticationError).code, reason: (err as Error).message }, 'peer refused');
    } else this.logger.debug({ remote: where, err }, 'connection attempt failed');
  }

  private emit(status: PeerStatus): void {
    for (const listener of [...this.statusListeners]) listener(status);
  }
}

/** The address to advertise for a listening host: a wildcard becomes the first external IPv4 address. */
function advertisedHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
