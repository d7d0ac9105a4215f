/**
 * The connections of a node: dialling (once per location at a time, with a back-off after a
 * failure, DialBackoff.ts), accepting, authenticating, settling simultaneous connects (the
 * connection initiated by the lower node id is kept), recognising a restarted peer by its new
 * incarnation, and logging a refused peer once. A dial that a peer's listener answered but
 * refused as busy is tried again after the back-off delay while the peer is still wanted: a call
 * waits for it, a message is queued for it (for `requestTimeout`), or it was just heard of (a
 * ping, a peer list: for `requestTimeout`), as is one closed before the peer answered past its
 * greeting (its table made room for another); one whose handshake was cut short otherwise (timed
 * out, dropped) likewise, twice at most in a row. Refused by the OS (nothing listens), or a wrong
 * secret or version, fails what waits at once.
 * Seeds are dialled again by the network's tick whenever they are not connected.
 * @module
 */
import type { Socket } from 'node:net';
import type { PingInfo } from './Discovery.js';
import type { RecordLayer } from './RecordLayer.js';
import type { HelloInfo } from './handshake.js';
import { Location } from './Location.js';
import { AuthenticationError, NetworkStoppedError, PeerBusyError, PeerLostError, PeerUnreachableError, ProtocolError } from './netErrors.js';
import { Peer, type PeerHost } from './Peer.js';
import type { PeerLink, PeerLinkEvents } from './PeerLink.js';
import { isLoopback, type ResolvedOptions } from './peerOptions.js';
import { DuplicateConnectionError } from './netErrors.js';
import { LogThrottle } from '../../runtime/logging.js';
import type { ReadTurns } from './ReadTurns.js';
import type { HandshakeTable } from './HandshakeTable.js';
import { DialBackoff } from './DialBackoff.js';
import { dialsPinger, type Peering } from './peering.js';
import type * as TcpSideModule from './tcpSide.js';

/** The TCP side's exports (tcpSide.ts), loaded on first need. */
type TcpSide = typeof TcpSideModule;

/** A handshake cut short (not refused as busy) is tried again this many times in a row at most. */
const CUT_RETRIES = 2;
/** Milliseconds per turn of the event loop that all peer connections together spend handling frames. */
const READ_TURN_MS = 5;
/** An accepted connection that has sent nothing this long after the greeting is closed (at most connectTimeout). */
const FIRST_BYTE_MS = 2000;

/** What the links need from their network. */
export interface PeerLinksHost extends PeerHost {
  readonly incarnation: string;
  readonly location: Location;
  readonly name: string;
  readonly options: ResolvedOptions;
  readonly isStopped: boolean;
  /** A peer has been authenticated and attached. */
  peerOnline(peer: Peer): void;
}

/**
 * Who a peer is: its incarnation (node id), name and where it listens.
 * @example
 * ```ts
 * const id: PeerIdentity = { nodeId: 'ab12…', name: 'node-2', location: Location.parse('127.0.0.1:9705') };
 * ```
 */
export interface PeerIdentity {
  readonly nodeId: string;
  readonly name: string;
  readonly location: Location;
  /** Its part in the network's connections (default 'mesh'). */
  readonly peering?: Peering;
}

/**
 * The peer table and connection management of one Network.
 * @example
 * ```ts
 * const peer = links.route(Location.parse('127.0.0.1:9705')); // connects if needed
 * ```
 */
export class PeerLinks {
  /** Authenticated peers by incarnation. */
  readonly online = new Map<string, Peer>();
  /** Online and connecting peers by location (advertised and dialled). */
  readonly byLocation = new Map<string, Peer>();
  private readonly backoff = new DialBackoff();
  /** Dials waiting for their back-off delay (cleared when the network stops), and their peers. */
  private readonly retries = new Set<NodeJS.Timeout>();
  private readonly waiting = new Set<Peer>();
  /** How often each location came online (bounded by the number of locations ever seen). */
  private readonly connects = new Map<string, number>();
  private readonly loggedAuthFailures = new Set<string>();
  /** Connections this node dialled, in their handshake. */
  private readonly handshaking = new Set<Socket>();
  /** Connections this node accepted, in their handshake (made on first use: the options come after this). */
  private handshakes: HandshakeTable | undefined;
  private readonly refusals = new LogThrottle(10_000);
  /** The TCP side, once loaded (tcpSide.ts): links over ports alone never load it. */
  private tcp: TcpSide | undefined;
  private turns: ReadTurns | undefined;

  constructor(private readonly host: PeerLinksHost) {}

  /**
   * @internal The TCP side, loaded on first need: the network's start when it listens, discovers
   * or has seeds, else the first dial. Rejects with the loader's error (a broken install).
   */
  async tcpSide(): Promise<TcpSide> {
    return (this.tcp ??= await import('./tcpSide.js'));
  }

  /** The accepted connections' table: made by the first accept, which a listener (so the TCP side) precedes. */
  private table(tcp: TcpSide): HandshakeTable {
    const o = this.host.options;
    return (this.handshakes ??= new tcp.HandshakeTable({
      capacity: o.maxHandshakes,
      perAddress: o.maxHandshakesPerAddress,
      firstByteMs: Math.min(FIRST_BYTE_MS, o.connectTimeout),
      provedAfterBytes: o.keys.mode === 'psk' ? tcp.greetingBytes('psk') + 32 : undefined,
    }));
  }

  /** The peers online now. */
  onlinePeers(): Peer[] {
    return [...this.online.values()].filter((p) => p.isOnline);
  }

  /** Lets the next route() to `location` dial at once. */
  clearRetry(location: Location): void {
    this.backoff.allowNow(String(location));
  }

  /** A location heard of (a discovery ping, a peer list): dialled, and again after a refusal, for `requestTimeout`. */
  heardOf(location: Location): void {
    const peer = this.route(location);
    if (peer?.state === 'connecting') peer.wantedUntil = Math.max(peer.wantedUntil, performance.now() + this.host.options.requestTimeout);
  }

  /** Forgets a closed peer. */
  forget(peer: Peer): void {
    if (this.online.get(peer.incarnation) === peer) this.online.delete(peer.incarnation);
    for (const [key, p] of this.byLocation) if (p === peer) this.byLocation.delete(key);
  }

  /** Closes every peer (they are told) and every connection still in its handshake. */
  closeAll(error: Error): void {
    for (const peer of new Set([...this.online.values(), ...this.byLocation.values()])) peer.close(error);
    for (const socket of this.handshaking) socket.destroy();
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    this.waiting.clear();
    this.handshakes?.closeAll();
  }

  /**
   * The peer for `location`: the online or connecting one, else a new connection attempt.
   * Undefined when stopped, for this node itself, or while the location recently failed.
   */
  route(location: Location): Peer | undefined {
    if (this.host.isStopped || location.equals(this.host.location)) return undefined;
    const key = location.toString(); // not String(location): the generic conversion is the slow part of a lookup
    const known = this.byLocation.get(key);
    if (known !== undefined && known.state !== 'closed') return known;
    // Port 0 is a node that does not listen (a thread of some process): only its owner links it.
    if (location.port === 0 || this.backoff.waitFor(key) > 0) return undefined;
    const peer = new Peer(this.host, location);
    this.byLocation.set(key, peer);
    void this.connect(peer, location);
    return peer;
  }

  /**
   * A discovery ping: dial its sender, at the datagram's source address (never the host the ping
   * names, so a ping cannot make this node dial a third party) and the announced port.
   */
  onPing(info: PingInfo, from: { address: string }): void {
    if (this.host.isStopped || info.nodeId === this.host.incarnation || info.version.major !== this.host.options.protocolVersion.major) return;
    if (!dialsPinger(this.host.options.peering, info.peering)) return;
    if (this.online.get(info.nodeId)?.isOnline) return;
    const address = from.address.startsWith('::ffff:') ? from.address.slice(7) : from.address;
    // A loopback node only talks to loopback peers.
    if (this.host.options.loopbackOnly && !isLoopback(address)) return;
    let location: Location;
    try {
      location = new Location(address, info.port);
    } catch {
      return;
    }
    const known = this.byLocation.get(String(location));
    if (known?.isOnline && known.incarnation !== info.nodeId) known.lose(new PeerLostError(`${known} restarted (new incarnation)`));
    this.heardOf(location);
  }

  /**
   * A connection from a listener: admitted to the handshake table (which may close a less advanced
   * one to make room, see HandshakeTable.ts) and authenticated, or closed at once when its address
   * is throttled after failed authentications or nothing can make room.
   */
  accept(socket: Socket): void {
    if (this.host.isStopped) return void socket.destroy();
    const tcp = this.tcp;
    // A listener is made by the TCP side, so it is loaded; a socket handed in otherwise waits for it.
    if (tcp === undefined) return void this.tcpSide().then(() => this.accept(socket), () => socket.destroy());
    const o = this.host.options;
    const address = socket.remoteAddress ?? '?';
    const table = this.table(tcp);
    const entry = table.admit(socket);
    const evicted = table.takeEvicted();
    if (typeof entry === 'string' || evicted > 0) {
      if (typeof entry === 'string') table.refuse(socket, tcp.encodeFrame(tcp.reject(tcp.RejectReason.Busy, o.protocolVersion)));
      // Throttled to one line per interval: the latest cause, and how many since the last line.
      if (this.refusals.hit()) {
        const cause = typeof entry === 'string' ? (entry === 'throttled' ? 'refused: address throttled (failed authentications, or its rate under pressure)' : 'refused: no room') : 'an older unauthenticated connection closed to make room';
        this.host.logger.warn({ remote: address, cause, count: this.refusals.take(), inHandshake: table.size }, 'handshake table under pressure');
      }
      if (typeof entry === 'string') return;
    }
    tcp.handshake(socket, 'responder', { self: this.self(), keys: o.keys, version: o.protocolVersion, timeout: o.connectTimeout, decide: (hello) => this.decide(hello), onSecured: () => table.secured(entry) }).then(
      ({ socket: channel, peer, leftover, records }) => {
        table.release(entry);
        if (this.host.isStopped) return void channel.destroy();
        this.adopt(tcp, channel, false, peer, leftover, undefined, records);
      },
      (err) => {
        table.release(entry);
        socket.destroy();
        // A wrong secret or a malformed handshake slows its address down; a dropped connection does not.
        if (err instanceof AuthenticationError || (err instanceof ProtocolError && !(err instanceof DuplicateConnectionError))) table.failed(address);
        this.handshakeFailed(err, address); // no port: a refused party dials from a new one each time
      },
    );
  }

  private self(): { nodeId: string; host: string; port: number; name: string; peering: Peering } {
    return { nodeId: this.host.incarnation, host: this.host.location.host, port: this.host.location.port, name: this.host.name, peering: this.host.options.peering };
  }

  /** Simultaneous connections between two nodes: keep the one initiated by the lower node id. */
  private decide(hello: HelloInfo): 'accept' | 'duplicate' {
    if (hello.nodeId === this.host.incarnation) return 'duplicate';
    const existing = this.online.get(hello.nodeId) ?? this.byLocation.get(String(new Location(hello.host, hello.port)));
    if (existing === undefined || existing.state === 'closed') return 'accept';
    // A peer waiting out a refusal is no attempt in flight: its connection to us is taken.
    const ourAttempt = (existing.state === 'connecting' && !this.waiting.has(existing)) || existing.connection?.initiator === true;
    return ourAttempt && this.host.incarnation < hello.nodeId ? 'duplicate' : 'accept';
  }

  private async connect(peer: Peer, location: Location): Promise<void> {
    let socket: Socket | undefined;
    let answered = false;
    try {
      const o = this.host.options;
      const tcp = await this.tcpSide().catch((err: unknown) => {
        throw new PeerUnreachableError(`cannot connect to ${location}: the TCP side of the network cannot be loaded`, { cause: err });
      });
      if (this.host.isStopped) throw new NetworkStoppedError('networking has stopped');
      socket = await tcp.dial(location, o.connectTimeout);
      answered = true;
      this.handshaking.add(socket);
      const { socket: channel, peer: hello, leftover, records } = await tcp.handshake(socket, 'initiator', { self: this.self(), keys: o.keys, version: o.protocolVersion, timeout: o.connectTimeout });
      this.handshaking.delete(socket);
      if (this.host.isStopped) {
        channel.destroy();
        throw new NetworkStoppedError('networking has stopped');
      }
      if (peer.state !== 'connecting') return void channel.destroy(); // adopted the peer's own connection meanwhile
      this.backoff.succeeded(String(location));
      this.adopt(tcp, channel, true, hello, leftover, peer, records);
    } catch (err) {
      if (socket !== undefined) {
        this.handshaking.delete(socket);
        socket.destroy();
      }
      if (err instanceof DuplicateConnectionError) {
        // The peer keeps the connection it is opening to us; give it the connect timeout to arrive.
        const timer = setTimeout(() => peer.state === 'connecting' && peer.lose(new PeerUnreachableError(`${location}: its connection to us never arrived`)), this.host.options.connectTimeout);
        timer.unref();
        return;
      }
      if (peer.state !== 'connecting') return;
      const key = String(location);
      // Its listener answered, so it is alive: refused for now (busy), or cut short (for a cause that
      // may come back every time: a few times only, and a busy refusal after a cut is not waited out).
      const why = err instanceof AuthenticationError ? 'auth' : err instanceof PeerBusyError ? 'busy' : answered && err instanceof PeerUnreachableError ? 'cut' : 'other';
      const delay = this.backoff.failed(key, why);
      const { cuts } = this.backoff.count(key);
      const again = ((why === 'busy' && cuts === 0) || (why === 'cut' && cuts <= CUT_RETRIES)) && !this.host.isStopped;
      const awaited = again ? peer.awaited(performance.now(), this.host.options.requestTimeout) : undefined;
      if (awaited !== undefined) return this.dialAgain(peer, location, err, delay, awaited === 'call');
      this.giveUp(peer, location, err);
    }
  }

  /** Dials `peer` again after `delay` ms, if something still waits for it then. */
  private dialAgain(peer: Peer, location: Location, err: unknown, delay: number, holdsProcess: boolean): void {
    this.host.logger.debug({ remote: String(location), err, retryInMs: Math.round(delay) }, 'connection refused; dialling again');
    this.waiting.add(peer);
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      this.waiting.delete(peer);
      if (peer.state !== 'connecting' || this.host.isStopped) return;
      if (peer.awaited(performance.now(), this.host.options.requestTimeout) === undefined) return this.giveUp(peer, location, err);
      void this.connect(peer, location);
    }, delay);
    if (!holdsProcess) timer.unref(); // a pending call keeps the process alive; a queued message does not
    this.retries.add(timer);
  }

  private giveUp(peer: Peer, location: Location, err: unknown): void {
    this.handshakeFailed(err, String(location));
    peer.lose(err instanceof Error && 'code' in err ? err : new PeerUnreachableError(`cannot connect to ${location}`, { cause: err }));
  }

  private adopt(tcp: TcpSide, socket: Socket, initiator: boolean, hello: HelloInfo, leftover: Buffer, dialled: Peer | undefined, records: RecordLayer | undefined): void {
    const location = new Location(hello.host, hello.port);
    const key = String(location);
    const current = this.online.get(hello.nodeId);
    if (current?.isOnline) {
      if (initiator && current.connection?.initiator === false && hello.nodeId < this.host.incarnation) {
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
    this.install(peer ?? new Peer(this.host, location), { nodeId: hello.nodeId, name: hello.name, location, peering: hello.peering }, (events) => new tcp.PeerConnection(socket, initiator, this.host.options.maxFrame, leftover, events, (this.turns ??= new tcp.ReadTurns(READ_TURN_MS)), records));
  }

  /**
   * Adopts a link that needs no handshake: a MessagePort to a thread of this process, whose
   * identity (incarnation, name, location) comes from the owner that created both ends. A peer
   * online under the same incarnation or at the same location with another one is replaced.
   * Throws NetworkStoppedError once the network has stopped.
   * @example
   * ```ts
   * const { port1 } = new MessageChannel();
   * const peer = links.join({ nodeId, name: 'thread-1', location }, (events) => new PortLink(port1, { initiator: true, judgesSilence: true }, events));
   * ```
   */
  join(identity: PeerIdentity, open: (events: PeerLinkEvents) => PeerLink): Peer {
    if (this.host.isStopped) throw new NetworkStoppedError('networking has stopped');
    const key = String(identity.location);
    this.online.get(identity.nodeId)?.lose(new PeerLostError(`${identity.name} linked again`));
    const stale = this.byLocation.get(key);
    if (stale !== undefined && stale.state !== 'closed') stale.lose(new PeerLostError(`${stale} restarted (new incarnation)`));
    return this.install(new Peer(this.host, identity.location), identity, open);
  }

  /** Attaches `peer` to the link `open` makes, records it online and tells the network. */
  private install(peer: Peer, identity: PeerIdentity, open: (events: PeerLinkEvents) => PeerLink): Peer {
    const key = String(identity.location);
    const link = open({
      frame: (payload) => peer.onFrame(payload),
      request: (type, body) => peer.onRequest(type, body),
      closed: (error) => {
        // A peer that dropped its own connection (lost for a reason already told) is not news.
        if (error !== undefined && peer.state !== 'closed') this.host.logger.warn({ peer: String(peer), err: error }, 'peer connection dropped');
        peer.lose(new PeerLostError(`connection to ${peer} lost${error ? `: ${error.message}` : ''}`, { cause: error }), false);
      },
    });
    peer.attach(link, identity);
    const connects = (this.connects.get(key) ?? 0) + 1;
    this.connects.set(key, connects);
    peer.reconnects = connects - 1;
    this.online.set(identity.nodeId, peer);
    this.byLocation.set(key, peer);
    this.backoff.succeeded(key);
    this.host.peerOnline(peer);
    return peer;
  }

  private handshakeFailed(err: unknown, where: string): void {
    if (err instanceof DuplicateConnectionError || this.host.isStopped) return;
    if (err instanceof AuthenticationError || (err as { code?: string })?.code === 'ERR_PROTOCOL_VERSION') {
      // Once per claimed peer location and cause, whichever side dialled.
      const remote = (err as { peerLocation?: string }).peerLocation ?? where;
      const key = `${remote}|${(err as AuthenticationError).code}`;
      if (this.loggedAuthFailures.has(key)) return;
      if (this.loggedAuthFailures.size >= 1000) this.loggedAuthFailures.clear();
      this.loggedAuthFailures.add(key);
      this.host.logger.warn({ remote, code: (err as AuthenticationError).code, reason: (err as Error).message }, 'peer refused');
    } else this.host.logger.debug({ remote: where, err }, 'connection attempt failed');
  }
}
