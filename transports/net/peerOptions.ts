/**
 * Options of `Network.start`, their defaults and their validation, written once.
 * @module
 */
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { checkTimeout, describe } from '../../runtime/options.js';
import { Location } from './Location.js';
import { InsecureNetworkError, WeakSecretError } from './netErrors.js';
import { Secret } from './Secret.js';
import { PROTOCOL_VERSION } from './nodeIdentity.js';
import { PeerKeys, type PeerTlsOptions } from './PeerKeys.js';
import type { HostLookup } from './seedAddresses.js';
import { PEERINGS, type Peering } from './peering.js';

/** Default UDP discovery port (asyncoro's). */
export const DEFAULT_UDP_PORT = 51350;
/** Default maximum frame: 1 MiB (a file-transfer chunk is 256 KiB). */
export const DEFAULT_MAX_FRAME = 1024 * 1024;
/** Default caps on connections still in their handshake: in total, and from one source address. */
export const DEFAULT_MAX_HANDSHAKES = 64, DEFAULT_MAX_HANDSHAKES_PER_ADDRESS = 8;
/** Default most file transfers in flight from one peer. */
export const DEFAULT_MAX_FILE_TRANSFERS = 8;
/** Shortest secret accepted beyond loopback, in bytes. */
export const MIN_SECRET_BYTES = 16;

/**
 * Options of {@link Network.start}. Durations are milliseconds.
 * @example
 * ```ts
 * await Network.start(sched, { host: '0.0.0.0', secret: process.env.ASYNCORO_SECRET, seeds: ['10.0.0.5:9705'] });
 * ```
 */
export interface NetworkOptions {
  /**
   * Address to listen on (default '127.0.0.1'), or several: the node listens on each, at the same
   * port, and advertises the first (or `extHost`). Beyond loopback a `secret` (or `insecure: true`) is required.
   */
  host?: string | readonly string[];
  /** TCP port (default 0: ephemeral). */
  port?: number;
  /** Address advertised to peers instead of `host` (NAT, containers, or when listening on 0.0.0.0). */
  extHost?: string;
  /** This node's name (default 'host:port'); `locatePeer` finds nodes by it. */
  name?: string;
  /**
   * Shared secret: peers must have the same one. Every byte of a connection after its greeting is
   * then sealed in ChaCha20-Poly1305 records, with keys for each connection and direction derived from it
   * (HKDF-SHA-256) and both sides' fresh nonces; it never travels and is not kept. Use a high-entropy one
   * (`newSecret()`): a recorded connection lets an attacker test guesses offline. Beyond loopback
   * it must have at least 16 bytes (WeakSecretError). A `Secret` keeps it unprintable meanwhile.
   */
  secret?: string | Buffer | Secret;
  /** Allow listening beyond loopback without a secret. */
  insecure?: boolean;
  /** Certificate TLS for every peer connection: peers must present a certificate `ca` signed (mutual TLS); without `ca`, `insecureSkipVerify: true` is required. */
  tls?: PeerTlsOptions;
  /** UDP discovery on/off (default true). */
  discover?: boolean;
  /**
   * This node's part in the network's connections (default 'mesh'; see peering.ts and the README):
   * 'mesh' dials every peer it is told of (one seed joins a full mesh), 'leaf' keeps the connections
   * it makes or accepts, 'hub' tells newcomers where the others listen but dials only its seeds,
   * 'hidden' is never told of (known only to whom it dials and who dials it).
   */
  peering?: Peering;
  /** The same as `peering`: true is 'mesh', false is 'leaf' (the option's earlier name). */
  meshPeers?: boolean;
  /** UDP port to receive discovery pings on (default 51350, shared with reuseAddr; 0 = ephemeral). */
  udpPort?: number;
  /** Address the UDP socket binds (default '0.0.0.0'; '127.255.255.255' for a loopback node, which receives loopback broadcasts only). */
  udpHost?: string;
  /** Where pings go (default: the UDP port at the broadcast address of the host's subnet, see `broadcastAddresses`; 127.255.255.255 on loopback). Unicast works where broadcast does not. */
  discoveryTargets?: Array<string | { host: string; port: number }>;
  /** Also ping (and listen on) a multicast group: true for 239.255.97.5, or a group address. */
  multicast?: boolean | string;
  /** Re-announce every this many ms (default 30000; 0 = only at start and on `discover()`). */
  discoveryInterval?: number;
  /**
   * Peers to connect to at start (and again while they are not connected), for networks broadcast
   * does not reach. A host name is dialled at each address it resolves to (resolved again every 30 s).
   */
  seeds?: Array<Location | string>;
  /** How seed host names are resolved (default: every address `dns.lookup` gives). */
  lookup?: HostLookup;
  /** Largest frame accepted or sent (default 1 MiB); an oversized frame drops the connection. */
  maxFrame?: number;
  /**
   * Most connections in their handshake at once (default 64). When full, a new one takes the
   * place of the oldest that has not proved the secret (see the security model).
   */
  maxHandshakes?: number;
  /** When the handshake table is full, connections from an address holding more than this many (default 8) go first. */
  maxHandshakesPerAddress?: number;
  /** Heartbeat period (default 1000). */
  heartbeatInterval?: number;
  /** A peer silent for this long is declared lost (default 5000; more than heartbeatInterval). */
  peerTimeout?: number;
  /** Limit for connecting plus the handshake (default 5000). */
  connectTimeout?: number;
  /** Default timeout of internal requests such as installing a monitor (default 10000). */
  requestTimeout?: number;
  /** Directory for received files (used by file transfer). */
  destDir?: string;
  /** Largest file accepted by file transfer (bytes). */
  maxFileSize?: number;
  /** Most file transfers in flight from one peer (default 8: each holds an open file); more are refused with FileTransferLimitError. */
  maxFileTransfers?: number;
  /** @internal For tests: the protocol version to claim. */
  protocolVersion?: { major: number; minor: number };
  /** @internal Set by the owner of a worker thread for the thread's node (see `InProcessNode`). */
  inProcess?: InProcessNode;
}

/**
 * What the owner of a worker thread decides for the thread's node (set by `Threads`, not by hand): the incarnation it
 * gave it (so both ends of every port know it before the thread runs), whether it also listens on
 * TCP for other hosts (a thread that does not is at `name:0`, which nobody dials: only its owner's
 * ports reach it), and the keys it listens with (its owner's).
 * @example
 * ```ts
 * const node: InProcessNode = { incarnation: '0123456789abcdef0123456789abcdef', listen: false };
 * ```
 */
export interface InProcessNode {
  incarnation: string;
  listen: boolean;
  keys?: PeerKeys;
}

/** The options with their defaults applied; the secret and the TLS key are only in `keys`, out of sight. */
export type ResolvedOptions = Required<Omit<NetworkOptions, 'meshPeers' | 'host' | 'extHost' | 'name' | 'secret' | 'tls' | 'destDir' | 'maxFileSize' | 'discoveryTargets' | 'multicast' | 'inProcess' | 'lookup'>> & {
  inProcess: InProcessNode | undefined;
  /** Undefined: every address `dns.lookup` gives (seedAddresses.ts's `lookupAll`). */
  lookup: HostLookup | undefined;
  extHost: string | undefined;
  name: string | undefined;
  keys: PeerKeys;
  destDir: string | undefined;
  maxFileSize: number | undefined;
  discoveryTargets: Location[] | undefined;
  multicast: string | undefined;
  seedLocations: Location[];
  /** The first address listened on (the advertised one, unless extHost). */
  host: string;
  /** Every address listened on. */
  hosts: string[];
  /** True when every address is loopback: discovery and peers stay on loopback. */
  loopbackOnly: boolean;
};

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i;

/** True for loopback addresses. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** Validates the options and applies the defaults; throws InvalidArgumentError or InsecureNetworkError. */
export function resolveOptions(options: NetworkOptions | undefined): ResolvedOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidArgumentError(`options must be an object, got ${describe(options)}`);
  }
  const o = options ?? {};
  const given: unknown[] = o.host === undefined ? ['127.0.0.1'] : Array.isArray(o.host) ? [...new Set<unknown>(o.host)] : [o.host];
  if (given.length === 0) throw new InvalidArgumentError('host must name at least one address');
  for (const h of given) if (typeof h !== 'string' || h.length === 0) throw new InvalidArgumentError(`host must be a non-empty string, got ${describe(h)}`);
  const hosts = given as string[];
  const host = hosts[0]!;
  if (o.secret !== undefined && typeof o.secret !== 'string' && !Buffer.isBuffer(o.secret) && !(o.secret instanceof Secret)) {
    throw new InvalidArgumentError(`secret must be a string, a Buffer or a Secret, got ${describe(o.secret)}`);
  }
  const open = hosts.find((h) => !isLoopback(h));
  const loopback = open === undefined;
  const secretBytes = o.secret === undefined ? 0 : typeof o.secret === 'string' ? Buffer.byteLength(o.secret) : o.secret.length;
  if (secretBytes === 0 && !loopback && o.insecure !== true) {
    throw new InsecureNetworkError(`refusing to listen on ${open} without a secret; pass a secret, or insecure: true to accept any peer`);
  }
  if (secretBytes > 0 && secretBytes < MIN_SECRET_BYTES && !loopback) {
    // Never echo the secret: only what is wrong with it.
    throw new WeakSecretError(`refusing to listen on ${open} with a secret of ${secretBytes} bytes: beyond loopback it needs at least ${MIN_SECRET_BYTES} (newSecret() makes 32 random bytes)`);
  }
  if (o.lookup !== undefined && typeof o.lookup !== 'function') throw new InvalidArgumentError(`lookup must be a function, got ${describe(o.lookup)}`);
  const heartbeatInterval = positive(o.heartbeatInterval ?? 1000, 'heartbeatInterval');
  const peerTimeout = positive(o.peerTimeout ?? Math.max(5000, 3 * heartbeatInterval), 'peerTimeout');
  if (peerTimeout <= heartbeatInterval) throw new InvalidArgumentError('peerTimeout must exceed heartbeatInterval');
  const maxFrame = o.maxFrame ?? DEFAULT_MAX_FRAME;
  if (!Number.isInteger(maxFrame) || maxFrame < 1024 || maxFrame > 0xffffffff) throw new InvalidArgumentError(`maxFrame must be an integer between 1024 and 2^32-1, got ${describe(maxFrame)}`);
  const udpPort = port(o.udpPort ?? DEFAULT_UDP_PORT, 'udpPort');
  const inProcess = checkInProcess(o.inProcess, o.name);
  return {
    inProcess,
    host,
    hosts,
    loopbackOnly: loopback,
    lookup: o.lookup,
    port: port(o.port ?? 0, 'port'),
    extHost: optionalText(o.extHost, 'extHost'),
    name: optionalText(o.name, 'name'),
    keys: inProcess?.keys ?? PeerKeys.from(o.secret, o.tls),
    insecure: o.insecure === true,
    discover: o.discover !== false && inProcess === undefined,
    peering: peeringOption(o.peering, o.meshPeers),
    udpPort,
    udpHost: optionalText(o.udpHost, 'udpHost') ?? (loopback ? '127.255.255.255' : '0.0.0.0'),
    discoveryTargets: o.discoveryTargets?.map((t) => Location.parse(t)),
    multicast: o.multicast === true ? '239.255.97.5' : typeof o.multicast === 'string' ? o.multicast : undefined,
    discoveryInterval: checkTimeout(o.discoveryInterval ?? 30000, 'discoveryInterval'),
    seeds: o.seeds ?? [],
    seedLocations: (o.seeds ?? []).map((s) => Location.parse(s)),
    maxFrame,
    maxHandshakes: count(o.maxHandshakes ?? DEFAULT_MAX_HANDSHAKES, 'maxHandshakes'),
    maxHandshakesPerAddress: count(o.maxHandshakesPerAddress ?? DEFAULT_MAX_HANDSHAKES_PER_ADDRESS, 'maxHandshakesPerAddress'),
    heartbeatInterval,
    peerTimeout,
    connectTimeout: positive(o.connectTimeout ?? 5000, 'connectTimeout'),
    requestTimeout: positive(o.requestTimeout ?? 10000, 'requestTimeout'),
    destDir: optionalText(o.destDir, 'destDir'),
    maxFileSize: o.maxFileSize,
    maxFileTransfers: count(o.maxFileTransfers ?? DEFAULT_MAX_FILE_TRANSFERS, 'maxFileTransfers'),
    protocolVersion: o.protocolVersion ?? PROTOCOL_VERSION,
  };
}

function peeringOption(peering: unknown, meshPeers: unknown): Peering {
  if (meshPeers !== undefined && typeof meshPeers !== 'boolean') throw new InvalidArgumentError(`meshPeers must be a boolean, got ${describe(meshPeers)}`);
  if (peering === undefined) return meshPeers === false ? 'leaf' : 'mesh';
  if (!PEERINGS.includes(peering as Peering)) throw new InvalidArgumentError(`peering must be one of ${PEERINGS.join(', ')}, got ${describe(peering)}`);
  if (meshPeers !== undefined && meshPeers !== (peering === 'mesh')) throw new InvalidArgumentError(`meshPeers: ${String(meshPeers)} contradicts peering: '${String(peering)}'`);
  return peering as Peering;
}

function checkInProcess(node: InProcessNode | undefined, name: string | undefined): InProcessNode | undefined {
  if (node === undefined) return undefined;
  if (node === null || typeof node !== 'object' || typeof node.incarnation !== 'string' || !/^[0-9a-f]{32}$/.test(node.incarnation) || typeof node.listen !== 'boolean') {
    throw new InvalidArgumentError('inProcess must be { incarnation: 32 hex digits, listen: boolean }');
  }
  if (node.keys !== undefined && !(node.keys instanceof PeerKeys)) throw new InvalidArgumentError('inProcess.keys must be PeerKeys');
  // A node that does not listen is known by its name alone, at port 0.
  if (!node.listen && name === undefined) throw new InvalidArgumentError('a node that does not listen needs a name');
  return node;
}

function positive(value: unknown, what: string): number {
  const ms = checkTimeout(value, what);
  if (ms === 0 || ms === Infinity) throw new InvalidArgumentError(`${what} must be a positive, finite number of milliseconds`);
  return ms;
}

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`${what} must be a positive integer, got ${describe(value)}`);
  return value;
}

function port(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new InvalidArgumentError(`${what} must be an integer between 0 and 65535, got ${describe(value)}`);
  }
  return value;
}

function optionalText(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) throw new InvalidArgumentError(`${what} must be a non-empty string, got ${describe(value)}`);
  return value;
}
