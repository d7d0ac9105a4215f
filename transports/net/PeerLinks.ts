/**
 * The connections of a node: dialling (once per location at a time, with a back-off after a
 * failure), accepting, authenticating, settling simultaneous connects (the connection initiated
 * by the lower node id is kept), recognising a restarted peer by its new incarnation, and
 * logging a refused peer once.
 * @module
 */
import type { Socket } from 'node:net';
import type { PingInfo } from './Discovery.js';
import {  handshake, type HelloInfo } from './handshake.js';
import { Location } from './Location.js';
import { AuthenticationError, NetworkStoppedError, PeerLostError, PeerUnreachableError } from './netErrors.js';
import { Peer, type PeerHost } from './Peer.js';
import { PeerConnection } from './PeerConnection.js';
import { dial } from './peerDialer.js';
import { isLoopback, type ResolvedOptions } from './peerOptions.js';
import { DuplicateConnectionError } from './netErrors.js';

/** After a failed connection, wait this long before dialling the same location implicitly again. */
const RETRY_AFTER_MS = 1000, RETRY_AFTER_AUTH_FAILURE_MS = 60_000;

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
  private readonly retryAfter = new Map<string, number>();
  private readonly loggedAuthFailures = new Set<string>();
  private readonly handshaking = new Set<Socket>();

  constructor(private readonly host: PeerLinksHost) {}

  /** The peers online now. */
  onlinePeers(): Peer[] {
    return [...this.online.values()].filter((p) => p.isOnline);
  }

  /** Lets the next route() to `location` dial at once. */
  clearRetry(location: Location): void {
    this.retryAfter.delete(String(location));
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
  }

  /**
   * The peer for `location`: the online or connecting one, else a new connection attempt.
   * Undefined when stopped, for this node itself, or while the location recently failed.
   */
  route(location: Location): Peer | undefined {
    if (this.host.isStopped || location.equals(this.host.location)) return undefined;
    const key = String(location);
    const known = this.byLocation.get(key);
    if (known !== undefined && known.state !== 'closed') return known;
    if ((this.retryAfter.get(key) ?? 0) > performance.now()) return undefined;
    const peer = new Peer(this.host, location);
    this.byLocation.set(key, peer);
    void this.connect(peer, location);
    return peer;
  }

  onPing(info: PingInfo): void {
    if (this.host.isStopped || info.nodeId === this.host.incarnation || info.version.major !== this.host.options.protocolVersion.major) return;
    if (this.online.get(info.nodeId)?.isOnline) return;
    // A loopback node only talks to loopback peers: a ping must not make it dial elsewhere.
    if (isLoopback(this.host.options.host) && !isLoopback(info.host)) return;
    const location = new Location(info.host, info.port);
    const known = this.byLocation.get(String(location));
    if (known?.isOnline && known.incarnation !== info.nodeId) known.lose(new PeerLostError(`${known} restarted (new incarnation)`));
    this.route(location);
  }

  accept(socket: Socket): void {
    if (this.host.isStopped) return void socket.destroy();
    this.handshaking.add(socket);
    const self = { nodeId: this.host.incarnation, host: this.host.location.host, port: this.host.location.port, name: this.host.name };
    handshake(socket, 'responder', { self, secret: this.host.options.secret, version: this.host.options.protocolVersion, timeout: this.host.options.connectTimeout, decide: (hello) => this.decide(hello) }).then(
      ({ peer, leftover }) => {
        this.handshaking.delete(socket);
        if (this.host.isStopped) return void socket.destroy();
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
    if (hello.nodeId === this.host.incarnation) return 'duplicate';
    const existing = this.online.get(hello.nodeId) ?? this.byLocation.get(String(new Location(hello.host, hello.port)));
    if (existing === undefined || existing.state === 'closed') return 'accept';
    const ourAttempt = existing.state === 'connecting' || existing.connection?.initiator === true;
    return ourAttempt && this.host.incarnation < hello.nodeId ? 'duplicate' : 'accept';
  }

  private async connect(peer: Peer, location: Location): Promise<void> {
    let socket: Socket | undefined;
    try {
      socket = await dial(location, this.host.options.tls, this.host.options.connectTimeout);
      this.handshaking.add(socket);
      const self = { nodeId: this.host.incarnation, host: this.host.location.host, port: this.host.location.port, name: this.host.name };
      const { peer: hello, leftover } = await handshake(socket, 'initiator', { self, secret: this.host.options.secret, version: this.host.options.protocolVersion, timeout: this.host.options.connectTimeout });
      this.handshaking.delete(socket);
      if (this.host.isStopped) throw new NetworkStoppedError('networking has stopped');
      if (peer.state !== 'connecting') return void socket.destroy(); // adopted the peer's own connection meanwhile
      this.adopt(socket, true, hello, leftover, peer);
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
    peer ??= new Peer(this.host, location);
    const p = peer;
    const conn = new PeerConnection(socket, initiator, this.host.options.maxFrame, leftover, {
      frame: (payload) => p.onFrame(payload),
      closed: (error) => {
        if (error !== undefined) this.host.logger.warn({ peer: String(p), err: error }, 'peer connection dropped');
        p.lose(new PeerLostError(`connection to ${p} lost${error ? `: ${error.message}` : ''}`, { cause: error }), false);
      },
    });
    p.attach(conn, { nodeId: hello.nodeId, name: hello.name, location });
    this.online.set(hello.nodeId, p);
    this.byLocation.set(key, p);
    this.retryAfter.delete(key);
    this.host.peerOnline(p);
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
