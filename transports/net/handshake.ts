/**
 * The peer handshake: mutual challenge/response over fresh nonces, HMAC-SHA-256 of the shared
 * secret. Nothing an unauthenticated party sends is given to the CBOR decoder: the handshake
 * frames are a fixed binary layout of bounded fields, parsed here and nowhere else.
 *
 * ```
 * responder → initiator  SERVER_HELLO  magic type ver nonceS idS port host name
 * initiator → responder  CLIENT_HELLO  magic type ver nonceC idC port host name proofC
 *                        proofC = HMAC(secret, "C" | SERVER_HELLO | CLIENT_HELLO without proofC)
 * responder → initiator  SERVER_PROOF  magic type proofS
 *                        proofS = HMAC(secret, "S" | SERVER_HELLO | CLIENT_HELLO)
 *   or                   REJECT        magic type reason ver
 * ```
 * The initiator proves itself first, so a stranger learns nothing but a nonce; each side's
 * challenge is fresh, so a recorded exchange cannot be replayed.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { encodeFrame } from '../io/FrameDecoder.js';
import { AuthenticationError, DuplicateConnectionError, PeerUnreachableError, ProtocolError, ProtocolVersionError } from './netErrors.js';

/**
 * The protocol version this build speaks; peers with the same major version interoperate.
 * @example
 * ```ts
 * log(`wire protocol ${PROTOCOL_VERSION.major}.${PROTOCOL_VERSION.minor}`);
 * ```
 */
export const PROTOCOL_VERSION = { major: 1, minor: 0 } as const;
/** Largest handshake frame accepted (a hello with a 255-byte host and name fits). */
export const MAX_HANDSHAKE_FRAME = 640;
const MAGIC = 0x4143524f; // 'ACRO'
const NONCE_BYTES = 32, ID_BYTES = 16, MAC_BYTES = 32;
const T_SERVER_HELLO = 1, T_CLIENT_HELLO = 2, T_SERVER_PROOF = 3, T_REJECT = 4;
/** Why a responder refused a handshake. */
export const RejectReason = { Version: 1, Auth: 2, Duplicate: 3, Stopping: 4 } as const;

/** What each side tells the other about itself. */
export interface HelloInfo {
  /** 16 random bytes per process start (the incarnation), hex. */
  nodeId: string;
  host: string;
  port: number;
  name: string;
  version: { major: number; minor: number };
}

/** Parameters of one handshake. */
export interface HandshakeParams {
  self: Omit<HelloInfo, 'version'>;
  secret: Buffer;
  version?: { major: number; minor: number };
  /** Milliseconds for the whole exchange. */
  timeout: number;
  /** Responder only: called once the initiator is authenticated; 'duplicate' refuses it. */
  decide?: (peer: HelloInfo) => 'accept' | 'duplicate';
}

/** Outcome of a handshake: the authenticated peer and any bytes that followed the last handshake frame. */
export interface HandshakeResult {
  peer: HelloInfo;
  leftover: Buffer;
}

/**
 * Runs the handshake on a freshly connected socket. Resolves with the peer's identity once both
 * sides are authenticated; rejects with AuthenticationError, ProtocolVersionError, ProtocolError,
 * DuplicateConnectionError or PeerUnreachableError (timeout, hang-up). The socket is left paused.
 * @example
 * ```ts
 * const { peer, leftover } = await handshake(socket, 'initiator', { self, secret, timeout: 5000 });
 * ```
 */
export async function handshake(socket: Socket, role: 'initiator' | 'responder', params: HandshakeParams): Promise<HandshakeResult> {
  const reader = new HandshakeReader(socket, params.timeout);
  try {
    const version = params.version ?? PROTOCOL_VERSION;
    if (role === 'responder') {
      const serverHello = hello(T_SERVER_HELLO, version, params.self);
      socket.write(encodeFrame(serverHello));
      const clientHello = await reader.next();
      checkReject(clientHello, version);
      if (clientHello.length < MAC_BYTES + 8 || clientHello[4] !== T_CLIENT_HELLO) throw badFrame(clientHello);
      const body = clientHello.subarray(0, clientHello.length - MAC_BYTES);
      const peer = parseHello(body, T_CLIENT_HELLO);
      if (peer.version.major !== version.major) {
        socket.write(encodeFrame(reject(RejectReason.Version, version)));
        throw versionError(peer.version, version);
      }
      const expected = mac(params.secret, 'C', serverHello, body);
      if (!timingSafeEqual(expected, clientHello.subarray(clientHello.length - MAC_BYTES))) {
        socket.write(encodeFrame(reject(RejectReason.Auth, version)));
        throw Object.assign(new AuthenticationError(`peer ${peer.name} (${peer.host}:${peer.port}) failed authentication`), { peerLocation: `${peer.host}:${peer.port}` });
      }
      if (params.decide?.(peer) === 'duplicate') {
        socket.write(encodeFrame(reject(RejectReason.Duplicate, version)));
        throw new DuplicateConnectionError(`already connected to ${peer.name}`);
      }
      const proof = Buffer.alloc(5 + MAC_BYTES);
      proof.writeUInt32BE(MAGIC, 0);
      proof[4] = T_SERVER_PROOF;
      mac(params.secret, 'S', serverHello, clientHello).copy(proof, 5);
      socket.write(encodeFrame(proof));
      return { peer, leftover: reader.detach() };
    }
    const serverHello = await reader.next();
    checkReject(serverHello, version);
    const peer = parseHello(serverHello, T_SERVER_HELLO);
    if (peer.version.major !== version.major) {
      socket.write(encodeFrame(reject(RejectReason.Version, version)));
      throw versionError(peer.version, version);
    }
    const body = hello(T_CLIENT_HELLO, version, params.self);
    const clientHello = Buffer.concat([body, mac(params.secret, 'C', serverHello, body)]);
    socket.write(encodeFrame(clientHello));
    const answer = await reader.next();
    checkReject(answer, version);
    if (answer.length !== 5 + MAC_BYTES || answer.readUInt32BE(0) !== MAGIC || answer[4] !== T_SERVER_PROOF) throw badFrame(answer);
    if (!timingSafeEqual(mac(params.secret, 'S', serverHello, clientHello), answer.subarray(5))) {
      throw new AuthenticationError(`peer ${peer.name} (${peer.host}:${peer.port}) failed authentication`);
    }
    return { peer, leftover: reader.detach() };
  } finally {
    reader.dispose();
  }
}

/** A fresh node id (incarnation): 16 random bytes as hex. */
export function newNodeId(): string {
  return randomBytes(ID_BYTES).toString('hex');
}

function mac(secret: Buffer, label: 'C' | 'S', ...parts: Buffer[]): Buffer {
  const h = createHmac('sha256', secret).update(label === 'C' ? 'asyncoro-initiator' : 'asyncoro-responder');
  for (const p of parts) h.update(p);
  return h.digest();
}

function hello(type: number, version: { major: number; minor: number }, self: Omit<HelloInfo, 'version'>): Buffer {
  const host = Buffer.from(self.host, 'utf8').subarray(0, 255);
  const name = Buffer.from(self.name, 'utf8').subarray(0, 255);
  const out = Buffer.alloc(4 + 3 + NONCE_BYTES + ID_BYTES + 2 + 1 + host.length + 1 + name.length);
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
  name.copy(out, o);
  return out;
}

/** Parses a hello of exactly the expected layout; any deviation is a ProtocolError. */
function parseHello(frame: Buffer, type: number): HelloInfo {
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
  if (o + nameLen !== frame.length) throw badFrame(frame);
  const name = frame.toString('utf8', o, o + nameLen);
  return { nodeId, host, port, name, version: { major: frame[5], minor: frame[6] } };
}

function reject(reason: number, version: { major: number; minor: number }): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt32BE(MAGIC, 0);
  out[4] = T_REJECT;
  out[5] = reason;
  out[6] = version.major;
  out[7] = version.minor;
  return out;
}

function checkReject(frame: Buffer, version: { major: number; minor: number }): void {
  if (frame.length !== 8 || frame.readUInt32BE(0) !== MAGIC || frame[4] !== T_REJECT) return;
  const theirs = { major: frame[6], minor: frame[7] };
  switch (frame[5]) {
    case RejectReason.Version: throw versionError(theirs, version);
    case RejectReason.Auth: throw new AuthenticationError('the peer rejected our authentication (different secret?)');
    case RejectReason.Duplicate: throw new DuplicateConnectionError('the peer keeps its own connection to us');
    default: throw new PeerUnreachableError('the peer refused the connection (stopping)');
  }
}

function versionError(theirs: { major: number; minor: number }, ours: { major: number; minor: number }): ProtocolVersionError {
  return new ProtocolVersionError(`incompatible protocol version: peer speaks ${theirs.major}.${theirs.minor}, this node ${ours.major}.${ours.minor} (major versions must match)`);
}

function badFrame(frame: Buffer): ProtocolError {
  return new ProtocolError(`malformed handshake frame (${frame.length} bytes)`);
}

/** Reads the few bounded handshake frames; whatever follows is handed back untouched. */
class HandshakeReader {
  private buf: Buffer = Buffer.alloc(0);
  private waiter: { resolve(b: Buffer): void; reject(e: Error): void } | undefined;
  private failure: Error | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly socket: Socket, timeout: number) {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
    this.timer = setTimeout(() => this.fail(new PeerUnreachableError(`handshake timed out after ${timeout} ms`)), timeout);
    this.timer.unref();
  }

  next(): Promise<Buffer> {
    const frame = this.take();
    if (frame !== undefined) return Promise.resolve(frame);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Stops reading (the socket is paused) and returns the bytes received beyond the handshake. */
  detach(): Buffer {
    this.socket.pause();
    this.dispose();
    return this.buf;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
  }

  private take(): Buffer | undefined {
    if (this.buf.length < 4) return undefined;
    const length = this.buf.readUInt32BE(0);
    if (length > MAX_HANDSHAKE_FRAME) {
      this.fail(new ProtocolError(`handshake frame of ${length} bytes exceeds ${MAX_HANDSHAKE_FRAME}`));
      return undefined;
    }
    if (this.buf.length < 4 + length) return undefined;
    const frame = this.buf.subarray(4, 4 + length);
    this.buf = this.buf.subarray(4 + length);
    return frame;
  }

  private readonly onData = (chunk: Buffer): void => {
    // Bounded: a waiting read takes at most one frame of MAX_HANDSHAKE_FRAME bytes at a time.
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.waiter === undefined) return;
    const frame = this.take();
    if (frame !== undefined) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(frame);
    }
  };

  private readonly onClose = (): void => this.fail(new PeerUnreachableError('the peer closed the connection during the handshake'));
  private readonly onError = (err: Error): void => this.fail(new PeerUnreachableError(`connection failed during the handshake: ${err.message}`, { cause: err }));

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(error);
  }
}
