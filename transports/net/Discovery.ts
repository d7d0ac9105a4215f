/**
 * UDP discovery: a node announces itself with a small, fixed-layout ping (never CBOR: anyone
 * can send a datagram), by broadcast, multicast or unicast, at start, periodically and on demand.
 * A node that hears a ping connects to the sender over TCP and authenticates there; a ping
 * itself grants nothing. A hub's (or a hidden node's) ping ends with its peering byte, so that
 * hubs do not dial one another (peering.ts); other pings keep the 2.0 layout.
 * @module
 */
import dgram from 'node:dgram';
import type { Logger } from '../../runtime/logging.js';
import { LogThrottle } from '../../runtime/logging.js';
import type { Location } from './Location.js';
import { peeringCode, peeringOf, type Peering } from './peering.js';

const MAGIC = 0x4143524f; // 'ACRO'
const PING = 0x50;
/** Largest datagram read as a ping. */
export const MAX_PING_BYTES = 600;

/** What a ping announces. */
export interface PingInfo {
  nodeId: string;
  host: string;
  port: number;
  name: string;
  version: { major: number; minor: number };
  /** 'mesh' when the ping does not say (a mesh or leaf node, or a 2.0 one). */
  peering: Peering;
}

/** Options of {@link Discovery.start}. */
export interface DiscoveryOptions {
  /** UDP port to bind (0: ephemeral). */
  port: number;
  /** Address to bind. */
  host: string;
  /** Where announcements go. */
  targets: Location[];
  /** Multicast group to join and announce to. */
  multicast: string | undefined;
  /** Re-announce period (0: never). */
  interval: number;
  /** Our ping (built once; the location does not change). */
  ping: Buffer;
  onPing(info: PingInfo, from: { address: string; port: number }): void;
  logger: Logger;
}

/**
 * Encodes a ping.
 * @example
 * ```ts
 * const buf = encodePing({ nodeId, host: '127.0.0.1', port: 9705, name: 'n1', version: { major: 1, minor: 0 }, peering: 'mesh' });
 * ```
 */
export function encodePing(info: PingInfo): Buffer {
  const host = Buffer.from(info.host, 'utf8').subarray(0, 255);
  const name = Buffer.from(info.name, 'utf8').subarray(0, 255);
  const says = info.peering === 'hub' || info.peering === 'hidden';
  const out = Buffer.alloc(4 + 3 + 16 + 2 + 1 + host.length + 1 + name.length + (says ? 1 : 0));
  let o = out.writeUInt32BE(MAGIC, 0);
  out[o++] = PING;
  out[o++] = info.version.major;
  out[o++] = info.version.minor;
  o += Buffer.from(info.nodeId, 'hex').copy(out, o, 0, 16);
  o = out.writeUInt16BE(info.port, o);
  out[o++] = host.length;
  o += host.copy(out, o);
  out[o++] = name.length;
  o += name.copy(out, o);
  if (says) out[o] = peeringCode(info.peering);
  return out;
}

/**
 * Parses a ping; undefined for anything that is not exactly one.
 * @example
 * ```ts
 * const info = parsePing(datagram); if (info) log(info.name);
 * ```
 */
export function parsePing(buf: Buffer): PingInfo | undefined {
  if (buf.length < 4 + 3 + 16 + 2 + 2 || buf.length > MAX_PING_BYTES) return undefined;
  if (buf.readUInt32BE(0) !== MAGIC || buf[4] !== PING) return undefined;
  let o = 7;
  const nodeId = buf.toString('hex', o, o + 16);
  o += 16;
  const port = buf.readUInt16BE(o);
  o += 2;
  const hostLen = buf[o++];
  if (hostLen === 0 || port === 0 || o + hostLen + 1 > buf.length) return undefined;
  const host = buf.toString('utf8', o, o + hostLen);
  o += hostLen;
  const nameLen = buf[o++];
  const end = o + nameLen;
  if (end !== buf.length && end + 1 !== buf.length) return undefined;
  const peering = end === buf.length ? 'mesh' : peeringOf(buf[end]!);
  if (peering === undefined) return undefined;
  return { nodeId, host, port, name: buf.toString('utf8', o, end), version: { major: buf[5], minor: buf[6] }, peering };
}

/**
 * The discovery socket of a node.
 * @example
 * ```ts
 * const d = await Discovery.start({ port: 0, host: '127.0.0.1', targets, multicast: undefined, interval: 30000, ping, onPing, logger });
 * d.announce();
 * ```
 */
export class Discovery {
  private timer: NodeJS.Timeout | undefined;
  private readonly sendErrors = new LogThrottle(60_000);
  private closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly options: DiscoveryOptions,
  ) {}

  /** Binds the UDP socket (shared with other nodes on the host via reuseAddr) and announces once. */
  static async start(options: DiscoveryOptions): Promise<Discovery> {
    const socket = dgram.createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4', reuseAddr: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port, options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const d = new Discovery(socket, options);
    socket.on('error', (err) => options.logger.warn({ err }, 'discovery socket error'));
    socket.on('message', (msg, rinfo) => d.onMessage(msg, rinfo));
    try {
      socket.setBroadcast(true);
      if (options.multicast !== undefined) {
        socket.addMembership(options.multicast);
        socket.setMulticastLoopback(true);
      }
    } catch (err) {
      options.logger.warn({ err }, 'discovery: cannot enable broadcast or join the multicast group');
    }
    socket.unref();
    if (options.interval > 0 && options.interval !== Infinity) {
      d.timer = setInterval(() => d.announce(), options.interval);
      d.timer.unref();
    }
    d.announce();
    return d;
  }

  /** The bound UDP port. */
  get port(): number {
    return this.socket.address().port;
  }

  /** Sends our ping to every target (and the multicast group). UDP may lose it: call again as needed. */
  announce(extra: Location[] = []): void {
    if (this.closed) return;
    const targets = [...this.options.targets, ...extra];
    for (const t of targets) this.sendTo(t.host, t.port);
    if (this.options.multicast !== undefined) {
      for (const port of new Set(targets.map((t) => t.port))) this.sendTo(this.options.multicast, port);
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    clearInterval(this.timer);
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private sendTo(host: string, port: number): void {
    this.socket.send(this.options.ping, port, host, (err) => {
      if (err && this.sendErrors.hit()) this.options.logger.debug({ err, host, port, count: this.sendErrors.take() }, 'discovery ping not sent');
    });
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const info = parsePing(msg);
    if (info === undefined) return;
    try {
      this.options.onPing(info, { address: rinfo.address, port: rinfo.port });
    } catch (err) {
      this.options.logger.warn({ err }, 'discovery: ping handler failed');
    }
  }
}
