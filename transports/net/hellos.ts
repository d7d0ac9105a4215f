/**
 * The hello exchange of the peer handshake, run inside the protected channel: each side says who
 * it is (node id, port, host, name, protocol version) and proves the shared secret with an
 * HMAC-SHA-256 over both hellos, fresh nonces and the channel binding (the key exchange's
 * transcript hash with a secret, TLS exported keying material with certificates), so a handshake
 * relayed into another channel does not verify.
 *
 * ```
 * responder → initiator  SERVER_HELLO  magic type ver nonceS idS port host name
 * initiator → responder  CLIENT_HELLO  magic type ver nonceC idC port host name [peeringC] proofC
 *                        proofC = HMAC(k, "asyncoro-initiator" | binding | SERVER_HELLO | CLIENT_HELLO without proofC)
 * responder → initiator  SERVER_PROOF  magic type proofS [peeringS]
 *                        proofS = HMAC(k, "asyncoro-responder" | binding | SERVER_HELLO | CLIENT_HELLO [| peeringS])
 *   or                   REJECT        magic type reason ver
 * ```
 * Both sides check the other's hello: the same major version, not their own node id. The
 * peering bytes (peering.ts) are there when both sides speak 2.1 or later: the initiator knows
 * the responder's version from its hello, the responder the initiator's from its own, so a 2.0
 * node sees the layout it knows (and is a mesh node).
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthenticationError, DuplicateConnectionError, PeerBusyError, PeerUnreachableError, ProtocolError, ProtocolVersionError } from './netErrors.js';
import { peeringCode, peeringOf, type Peering } from './peering.js';

export { newNodeId } from './nodeIdentity.js';

/** Magic of every handshake frame and ping: 'ACRO'. */
export const MAGIC = 0x4143524f;
const NONCE_BYTES = 32, ID_BYTES = 16, MAC_BYTES = 32;
/** Handshake frame types (5: the MODE frame of the greeting; 6: a key exchange NONCE). */
export const FrameType = { ServerHello: 1, ClientHello: 2, ServerProof: 3, Reject: 4, Mode: 5, Nonce: 6 } as const;
/**
 * Why a responder refused a handshake (a Version reject is also the first frame of the greeting;
 * Busy comes instead of the greeting: the address is throttled, or the node has no room).
 */
export const RejectReason = { Version: 1, Auth: 2, Duplicate: 3, Stopping: 4, Busy: 5 } as const;

/** A protocol version. */
export interface Version {
  major: number;
  minor: number;
}

/** What each side tells the other about itself. */
export interface HelloInfo {
  /** 16 random bytes per process start (the incarnation), hex. */
  nodeId: string;
  host: string;
  port: number;
  name: string;
  version: Version;
  /** Its part in the network's connections ('mesh' for a node that does not say: protocol 2.0). */
  peering: Peering;
}

/** What a node says of itself in its hellos. */
export type SelfInfo = Omit<HelloInfo, 'version' | 'peering'> & { peering?: Peering };

/**
 * True when both versions carry the peering byte (2.1 and later).
 * @example
 * ```ts
 * carriesPeering({ major: 2, minor: 0 }, { major: 2, minor: 1 }); // false
 * ```
 */
export function carriesPeering(a: Version, b: Version): boolean {
  const carries = (v: Version): boolean => v.major > 2 || (v.major === 2 && v.minor >= 1);
  return carries(a) && carries(b);
}

/**
 * How the hellos travel: framed in the clear (plain mode, or inside TLS) or each in a sealed record.
 * @example
 * ```ts
 * const frames: HandshakeFrames = { next: () => reader.next(), write: (f) => void socket.write(encodeFrame(f)) };
 * ```
 */
export interface HandshakeFrames {
  /** The next frame (rejects with the reader's error). */
  next(): Promise<Buffer>;
  write(frame: Buffer): void;
}

/** Parameters of one hello exchange. */
export interface HelloParams {
  self: SelfInfo;
  macKey: Buffer;
  version: Version;
  /** Bytes both ends of this channel (and no other) see: the transcript hash, TLS exported keying material, or empty. */
  binding: Buffer;
  /** Responder only: called once the initiator is authenticated; 'duplicate' refuses it. */
  decide?: (peer: HelloInfo) => 'accept' | 'duplicate';
}

/**
 * Runs the hello exchange over `frames`; resolves with the authenticated peer. Throws
 * AuthenticationError, ProtocolVersionError, ProtocolError, DuplicateConnectionError, PeerUnreachableError.
 * @example
 * ```ts
 * const frames = { next: () => reader.next(), write: (f: Buffer) => void socket.write(encodeFrame(f)) };
 * const peer = await exchangeHellos(frames, 'initiator', { self, macKey, version, binding });
 * ```
 */
export async function exchangeHellos(frames: HandshakeFrames, role: 'initiator' | 'responder', params: HelloParams): Promise<HelloInfo> {
  const { version, macKey, binding } = params;
  if (role === 'responder') {
    const serverHello = hello(FrameType.ServerHello, version, params.self);
    frames.write(serverHello);
    const clientHello = await frames.next();
    checkReject(clientHello, version);
    if (clientHello.length < MAC_BYTES + 8 || clientHello[4] !== FrameType.ClientHello) throw badFrame(clientHello);
    const body = clientHello.subarray(0, clientHello.length - MAC_BYTES);
    const peer = parseHello(body, FrameType.ClientHello, version);
    checkPeer(frames, peer, params, role);
    if (!timingSafeEqual(mac(macKey, 'C', binding, serverHello, body), clientHello.subarray(clientHello.length - MAC_BYTES))) {
      frames.write(reject(RejectReason.Auth, version));
      throw Object.assign(new AuthenticationError(`peer ${peer.name} (${peer.host}:${peer.port}) failed authentication`), { peerLocation: `${peer.host}:${peer.port}` });
    }
    if (params.decide?.(peer) === 'duplicate') {
      frames.write(reject(RejectReason.Duplicate, version));
      throw new DuplicateConnectionError(`already connected to ${peer.name}`);
    }
    const extended = carriesPeering(version, peer.version);
    const ours = extended ? Buffer.of(peeringCode(params.self.peering ?? 'mesh')) : Buffer.alloc(0);
    const proof = Buffer.alloc(5 + MAC_BYTES + ours.length);
    proof.writeUInt32BE(MAGIC, 0);
    proof[4] = FrameType.ServerProof;
    mac(macKey, 'S', binding, serverHello, clientHello, ours).copy(proof, 5);
    ours.copy(proof, 5 + MAC_BYTES);
    frames.write(proof);
    return peer;
  }
  const serverHello = await frames.next();
  checkReject(serverHello, version);
  const peer = parseHello(serverHello, FrameType.ServerHello, version);
  checkPeer(frames, peer, params, role);
  const extended = carriesPeering(version, peer.version);
  const body = hello(FrameType.ClientHello, version, params.self, extended);
  const clientHello = Buffer.concat([body, mac(macKey, 'C', binding, serverHello, body)]);
  frames.write(clientHello);
  const answer = await frames.next();
  checkReject(answer, version);
  if (answer.length !== 5 + MAC_BYTES + (extended ? 1 : 0) || answer.readUInt32BE(0) !== MAGIC || answer[4] !== FrameType.ServerProof) throw badFrame(answer);
  const theirs = answer.subarray(5 + MAC_BYTES);
  if (!timingSafeEqual(mac(macKey, 'S', binding, serverHello, clientHello, theirs), answer.subarray(5, 5 + MAC_BYTES))) {
    throw new AuthenticationError(`peer ${peer.name} (${peer.host}:${peer.port}) failed authentication`);
  }
  if (extended) peer.peering = peeringByte(theirs[0]!, answer);
  return peer;
}

function peeringByte(code: number, frame: Buffer): Peering {
  const peering = peeringOf(code);
  if (peering === undefined) throw badFrame(frame);
  return peering;
}

/** Either side: the peer must speak our major version and must not be this node itself. */
function checkPeer(frames: HandshakeFrames, peer: HelloInfo, params: HelloParams, role: 'initiator' | 'responder'): void {
  if (peer.version.major !== params.version.major) {
    frames.write(reject(RejectReason.Version, params.version));
    throw versionError(peer.version, params.version);
  }
  if (peer.nodeId === params.self.nodeId) {
    frames.write(reject(RejectReason.Duplicate, params.version));
    const message = `${peer.host}:${peer.port} is this node itself`;
    throw role === 'responder' ? new DuplicateConnectionError(message) : new PeerUnreachableError(message);
  }
}

function mac(key: Buffer, label: 'C' | 'S', ...parts: Buffer[]): Buffer {
  const h = createHmac('sha256', key).update(label === 'C' ? 'asyncoro-initiator' : 'asyncoro-responder');
  for (const p of parts) h.update(p);
  return h.digest();
}

function hello(type: number, version: Version, self: SelfInfo, withPeering = false): Buffer {
  const host = Buffer.from(self.host, 'utf8').subarray(0, 255);
  const name = Buffer.from(self.name, 'utf8').subarray(0, 255);
  const out = Buffer.alloc(4 + 3 + NONCE_BYTES + ID_BYTES + 2 + 1 + host.length + 1 + name.length + (withPeering ? 1 : 0));
  let o = out.writeUInt32BE(MAGIC, 0);
  out[o++] = type;
  out[o++] = version.major;
  out[o++] = version.minor;
  o += randomBytes(NONCE_BYTES).copy(out, o);
  o += Buffer.from(self.nodeId, 'hex').copy(out, o, 0, ID_BYTES);
  o = out.writeUInt16BE(self.port, o);
  out[o++] = host.length;
  o += host.copy(out, o);
  out[o++] = name.length;
  o += name.copy(out, o);
  if (withPeering) out[o] = peeringCode(self.peering ?? 'mesh');
  return out;
}

/**
 * Parses a hello of exactly the expected layout (a client hello from a 2.1 node to a 2.1 node
 * ends with the peering byte); any deviation is a ProtocolError.
 */
function parseHello(frame: Buffer, type: number, ours: Version): HelloInfo {
  const fixed = 4 + 3 + NONCE_BYTES + ID_BYTES + 2;
  if (frame.length < fixed + 2 || frame.readUInt32BE(0) !== MAGIC || frame[4] !== type) throw badFrame(frame);
  let o = 7 + NONCE_BYTES;
  const nodeId = frame.toString('hex', o, o + ID_BYTES);
  o += ID_BYTES;
  const port = frame.readUInt16BE(o);
  o += 2;
  const hostLen = frame[o++];
  if (hostLen === 0 || o + hostLen + 1 > frame.length) throw badFrame(frame);
  const host = frame.toString('utf8', o, o + hostLen);
  o += hostLen;
  const nameLen = frame[o++];
  const version = { major: frame[5], minor: frame[6] };
  const withPeering = type === FrameType.ClientHello && carriesPeering(ours, version);
  if (o + nameLen + (withPeering ? 1 : 0) !== frame.length) throw badFrame(frame);
  const name = frame.toString('utf8', o, o + nameLen);
  const peering = withPeering ? peeringByte(frame[o + nameLen]!, frame) : 'mesh';
  return { nodeId, host, port, name, version, peering };
}

/**
 * A REJECT frame (8 bytes). With RejectReason.Version it is also the greeting's version frame:
 * a 1.x node reads it as a refusal naming our version.
 * @example
 * ```ts
 * socket.write(encodeFrame(reject(RejectReason.Version, PROTOCOL_VERSION)));
 * ```
 */
export function reject(reason: number, version: Version): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt32BE(MAGIC, 0);
  out[4] = FrameType.Reject;
  out[5] = reason;
  out[6] = version.major;
  out[7] = version.minor;
  return out;
}

/**
 * True for a REJECT frame.
 * @example
 * ```ts
 * if (isReject(frame)) checkReject(frame, PROTOCOL_VERSION);
 * ```
 */
export function isReject(frame: Buffer): boolean {
  return frame.length === 8 && frame.readUInt32BE(0) === MAGIC && frame[4] === FrameType.Reject;
}

/**
 * Throws the error a REJECT frame stands for; returns for any other frame.
 * @example
 * ```ts
 * checkReject(await reader.next(), PROTOCOL_VERSION); // AuthenticationError, ProtocolVersionError, ...
 * ```
 */
export function checkReject(frame: Buffer, version: Version): void {
  if (!isReject(frame)) return;
  const theirs = { major: frame[6], minor: frame[7] };
  switch (frame[5]) {
    case RejectReason.Version: throw versionError(theirs, version);
    // A REJECT travels in the clear, unauthenticated: whoever is on the path can forge one.
    case RejectReason.Auth: throw new AuthenticationError('the peer rejected our authentication (different secret, or tampering on the path?)');
    case RejectReason.Duplicate: throw new DuplicateConnectionError('the peer keeps its own connection to us');
    case RejectReason.Busy: throw new PeerBusyError('the peer refuses connections from this address for now (failed authentications from it, or too many connections in their handshake); try again later');
    default: throw new PeerUnreachableError('the peer refused the connection (stopping)');
  }
}

/**
 * The error for an incompatible peer, naming both versions.
 * @example
 * ```ts
 * throw versionError({ major: 1, minor: 0 }, PROTOCOL_VERSION);
 * ```
 */
export function versionError(theirs: Version, ours: Version): ProtocolVersionError {
  return new ProtocolVersionError(`incompatible protocol version: peer speaks ${theirs.major}.${theirs.minor}, this node ${ours.major}.${ours.minor} (major versions must match)`);
}

/**
 * The error for a frame that is not the expected handshake frame.
 * @example
 * ```ts
 * throw badFrame(frame);
 * ```
 */
export function badFrame(frame: Buffer): ProtocolError {
  return new ProtocolError(`malformed handshake frame (${frame.length} bytes)`);
}
