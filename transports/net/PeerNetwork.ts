/**
 * The peer network of a scheduler: listens for peers, discovers them, authenticates them, keeps
 * one connection per peer with heartbeats, and serves typed requests. What travels over it
 * besides requests (coroutine, channel and RCI references, their request handlers) is plugged in
 * as an explicit list of layers when it starts; the remote layer's `Network` composes that list.
 * @module
 */
import type { Server } from 'node:net';
import type { SeedAddresses } from './seedAddresses.js';
import { Codec, type ReferenceType, type WireContext } from './Codec.js';
import type { PeerSnapshot } from '../../runtime/snapshotTypes.js';
import type { MonitorTarget } from '../../runtime/coroTypes.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import type { Logger } from '../../runtime/logging.js';
import { checkFunction, checkName, checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import type { Discovery } from './Discovery.js';
import { newNodeId } from './nodeIdentity.js';
import { Location } from './Location.js';
import { NetworkStoppedError, PeerUnreachableError } from './netErrors.js';
import type { Peer, RequestHandler, RequestOptions } from './Peer.js';
import type { PeerLinksHost } from './PeerLinks.js';
import { PeerLinks } from './PeerLinks.js';
import { PeerLocator, serveLocate, type LocateKind, type LocateOptions } from './PeerLocator.js';
import type { Registry } from '../../runtime/Registry.js';
import type { ResolvedOptions } from './peerOptions.js';
import { PeerWatchers } from './PeerWatchers.js';
import { Heartbeats } from './Heartbeats.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';

/**
 * Something that travels over a peer network: the reference types it adds to the wire codec,
 * the request handlers it installs when networking starts, and what it does when a reference
 * to one of its live objects is sent to another node.
 * @example
 * ```ts
 * const ECHO_LAYER: NetworkLayer = { install: (net) => net.handle('echo', (body) => body) };
 * ```
 */
export interface NetworkLayer {
  readonly references?: readonly ReferenceType[];
  /** Registries this layer makes locatable across the network (each served as its request type). */
  readonly locates?: readonly LocateKind[];
  install?(net: PeerNetwork): void;
  referenceSent?(live: object): void;
  /** A peer closed (lost, stopped, or never connected): `peer.error` says why. */
  peerClosed?(net: PeerNetwork, peer: Peer): void;
}

/**
 * The peer network of one scheduler. Applications use the remote layer's `Network`, which
 * extends it; layer authors reach it through `asyncoro/extend`.
 *
 * @example
 * ```ts
 * const net = await Network.start(sched, { secret: 's3cret', discover: false });
 * net.handle('echo', (body) => body);
 * await net.stop();
 * ```
 */
export class PeerNetwork implements PeerLinksHost, WireContext, AsyncDisposable {
  /** This node's id: fresh at every start, so a restarted node is a new incarnation. */
  readonly incarnation: string;
  readonly codec: Codec;
  readonly logger: Logger;
  location!: Location;
  name!: string;
  private servers: Server[] = [];
  private seeds: SeedAddresses | undefined;
  private discovery: Discovery | undefined;
  private heartbeats: Heartbeats | undefined;
  private stopped = false;
  /** @internal The peer table (the threads of this process link their ports with `links.join`). */
  readonly links: PeerLinks = new PeerLinks(this);
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly watchers: PeerWatchers;
  private readonly senders: Array<(live: object) => void>;
  /** @internal Network-wide locates of every kind (coroutines, RCIs, ...). */
  readonly locator = new PeerLocator(this);
  private dropExitHook: (() => void) | undefined;
  private readonly extensions = new Map<object | symbol, unknown>();

  protected constructor(
    readonly scheduler: Scheduler,
    /** The resolved options (the secret is never kept here in clear). */
    readonly options: ResolvedOptions,
    private readonly layers: readonly NetworkLayer[],
  ) {
    this.incarnation = options.inProcess?.incarnation ?? newNodeId();
    this.logger = scheduler.logger;
    this.watchers = new PeerWatchers(scheduler);
    this.codec = new Codec(this, layers.flatMap((layer) => layer.references ?? []));
    this.senders = layers.flatMap((layer) => (layer.referenceSent === undefined ? [] : [layer.referenceSent.bind(layer)]));
  }

  /** Called by Peer after encoding a message that referenced live local objects. */
  readonly referenceSent = (live: object): void => {
    for (const sent of this.senders) sent(live);
  };

  /**
   * The state a layer keeps for this network, created by `create` on first use (one per `key`):
   * state hangs on the network it belongs to, not in module-level maps.
   * @example
   * ```ts
   * const seen = net.extension(Symbol.for('my-layer'), () => new Set<string>());
   * ```
   */
  extension<T>(key: object | symbol, create: (net: this) => T): T {
    let value = this.extensions.get(key) as T | undefined;
    if (value === undefined) this.extensions.set(key, (value = create(this)));
    return value;
  }

  /** Default timeout of internal requests (ms). */
  get requestTimeout(): number {
    return this.options.requestTimeout;
  }

  /** Largest frame sent or accepted (bytes). */
  get maxFrame(): number {
    return this.options.maxFrame;
  }

  /**
   * Every address it listens on (`host` given as several: one each, at the same port).
   * @example
   * ```ts
   * log(net.addresses.map(String)); // ['127.0.0.1:9705', '[::1]:9705']
   * ```
   */
  get addresses(): Location[] {
    return this.servers.map((s) => {
      const a = s.address() as { address: string; port: number };
      return new Location(a.address, a.port);
    });
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

  /**
   * The peers, for `scheduler.snapshot()`: identity, state, last frame heard, last request round
   * trip, bytes and frames each way, reconnects.
   * @example
   * ```ts
   * for (const p of net.snapshotPeers()) log(p.name, p.bytesOut);
   * ```
   */
  snapshotPeers(): PeerSnapshot[] {
    return this.onlinePeers().map((p) => p.describe());
  }

  /** @internal The peers online now. */
  onlinePeers(): Peer[] {
    return this.links.onlinePeers();
  }

  /** @internal The online peer with this incarnation. */
  peerByIncarnation(incarnation: string): Peer | undefined {
    const peer = this.links.online.get(incarnation);
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
    this.links.clearRetry(loc);
    return this.route(loc)!.whenOnline(options ?? { timeout: 2 * this.options.connectTimeout });
  }

  /**
   * @internal The peer for `location`: the online or connecting one, else a new connection attempt.
   * Undefined when stopped, for this node itself, or while the location recently failed.
   */
  route(location: Location): Peer | undefined {
    return this.links.route(location);
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
    this.discover();
    return this.watchers.waitForName(name, timeout, options?.signal);
  }

  /**
   * Finds `name` in one of the scheduler's registries: here, at `location`, or at any peer (first
   * answer wins) when a layer makes that registry locatable; only here otherwise. Undefined on timeout.
   * @example
   * ```ts
   * const news = await net.locate(sched.channelNames, 'news', { timeout: 5000 });
   * ```
   */
  locate(registry: Registry<any>, name: string, options?: LocateOptions): Promise<unknown> {
    for (const layer of this.layers) {
      for (const kind of layer.locates ?? []) {
        if (kind.registry(this.scheduler) === registry) return this.locator.locate(name, options, kind);
      }
    }
    return this.scheduler.locateIn(registry, name, options);
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
    return this.watchers.subscribe(target, this.onlinePeers());
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

  /** The handler registered for a request type. */
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
   * NetworkStoppedError), stops discovery and listening. Idempotent; resolves true once stopped.
   * @example
   * ```ts
   * await net.stop();
   * ```
   */
  async stop(): Promise<boolean> {
    if (this.stopped) return true;
    this.stopped = true;
    this.dropExitHook?.();
    this.heartbeats?.stop();
    this.locator.stop();
    this.watchers.stop();
    const error = new NetworkStoppedError('networking has stopped');
    this.links.closeAll(error);
    await this.discovery?.close();
    // The listeners close once the peers' sockets have; the bound (a ref'd timer) keeps the process up until then.
    if (this.servers.length > 0) await (await this.links.tcpSide()).closeListeners(this.servers, 2000);
    this.logger.info({ location: String(this.location) }, 'networking stopped');
    return true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** A peer closed: forget it and tell the subscribers. */
  peerClosed(peer: Peer, wasOnline: boolean): void {
    this.links.forget(peer);
    for (const layer of this.layers) layer.peerClosed?.(this, peer);
    if (!wasOnline) return;
    this.logger.info({ peer: String(peer), reason: peer.error?.message }, 'peer offline');
    this.watchers.offline(peer);
  }

  /**
   * @internal Listens, installs the layers and starts discovery (called once, by the starting
   * subclass). The TCP side is loaded here when the network listens, discovers or has seeds.
   */
  protected async open(): Promise<void> {
    const o = this.options;
    const listens = o.inProcess?.listen !== false; // else it is `name:0`
    const tcp = listens || o.discover || o.seedLocations.length > 0 ? await this.links.tcpSide() : undefined;
    if (listens) this.servers = await tcp!.listenAll(o.hosts, o.port, (socket) => this.links.accept(socket));
    for (const server of this.servers) {
      server.unref();
      server.on('error', (err) => this.logger.error({ err }, 'peer listener error'));
    }
    const port = this.servers.length === 0 ? 0 : (this.servers[0]!.address() as { port: number }).port;
    this.location = port === 0 ? new Location(o.name!, 0) : new Location(o.extHost ?? tcp!.advertisedHost(o.host), port);
    this.name = o.name ?? String(this.location);
    if (o.keys.skipsVerify && !o.keys.hasSecret) this.logger.warn({ location: String(this.location) }, 'tls with insecureSkipVerify and no secret: peers are not authenticated, an active attacker can sit in the middle');
    this.dropExitHook = this.scheduler.atExit(() => this.stop(), -1000);
    for (const layer of this.layers) {
      for (const kind of layer.locates ?? []) serveLocate(this, kind);
      layer.install?.(this);
    }
    this.heartbeats = new Heartbeats(o.heartbeatInterval, o.peerTimeout, (now, timeout) => this.tick(now, timeout));
    this.heartbeats.start();
    if (tcp !== undefined && o.discover) {
      const defaultPort = o.udpPort || 51350;
      const ping = tcp.encodePing({ nodeId: this.incarnation, host: this.location.host, port, name: this.name, version: o.protocolVersion, peering: o.peering });
      this.discovery = await tcp.Discovery.start({
        port: o.udpPort,
        host: o.udpHost,
        targets: o.discoveryTargets ?? tcp.broadcastTargets(o.hosts, defaultPort),
        multicast: o.multicast,
        interval: o.discoveryInterval,
        ping,
        onPing: (info, from) => this.links.onPing(info, from),
        logger: this.logger,
      });
    }
    if (tcp !== undefined && o.seedLocations.length > 0) {
      const seeds = (this.seeds = new tcp.SeedAddresses(o.seedLocations, o.lookup ?? tcp.lookupAll));
      for (const seed of seeds.current) this.route(seed);
      if (seeds.hasNames) void seeds.refresh().then((all) => all.forEach((seed) => this.route(seed)));
    }
    this.logger.info({ location: String(this.location), name: this.name, incarnation: this.incarnation }, 'networking started');
  }

  private tick(now: number, timeout: number): void {
    for (const peer of this.onlinePeers()) peer.tick(now, this.options.heartbeatInterval, timeout);
    this.seeds?.refreshIfDue(now);
    for (const seed of this.seeds?.current ?? []) this.route(seed);
  }

  /** A peer was authenticated: tell subscribers, name waiters and pending locates. */
  peerOnline(peer: Peer): void {
    this.logger.info({ peer: String(peer), incarnation: peer.incarnation }, 'peer online');
    this.watchers.online(peer);
    this.locator.peerOnline(peer);
  }
}
