/**
 * The peer handshake, protocol 4.0. Nothing an unauthenticated party sends is given to the CBOR
 * decoder: handshake frames are a fixed binary layout of bounded fields.
 *
 * ```
 * plaintext  responder → initiator  VERSION  magic 4 1 major minor   (a 1.x node reads a version refusal)
 *                                   MODE     magic 5 mode            (0 plain, 1 sealed records (secret), 2 certificate TLS)
 *                                   NONCE    magic 6 nonceR          (secret only)
 *            initiator: a different major, or another mode, is refused here
 * secret     initiator → responder  NONCE    magic 6 nonceI shareI (X25519), then its first sealed record (recordKeys.ts)
 *            every byte from here on is a sealed record (RecordLayer.ts); a wrong key fails the first tag;
 *            the responder's confirmation carries shareR, and later records use forward-secret keys
 * TLS 1.3    (certificates only)
 * inside     SERVER_HELLO → CLIENT_HELLO + proof → SERVER_PROOF | REJECT   (hellos.ts)
 * ```
 * With a secret, every byte after the greeting is sealed with keys derived from the secret and
 * both sides' fresh nonces, and after the confirmations from an ephemeral X25519 exchange too: a
 * party without the secret cannot read, inject, replay or relay a record, and one that learns it
 * later cannot open a recorded connection.
 * The hellos inside prove the secret again, bound to this connection's transcript (with
 * certificates: to the TLS session, by exported keying material).
 * @module
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { encodeFrame } from '../io/FrameDecoder.js';
import { HandshakeReader } from './HandshakeReader.js';
import { badFrame, checkReject, exchangeHellos, FrameType, isReject, MAGIC, reject, RejectReason, versionError, type HandshakeFrames, type HelloInfo, type SelfInfo, type Version } from './hellos.js';
import { AuthenticationError, PeerBusyError, PeerUnreachableError, ProtocolError } from './netErrors.js';
import type { ChannelMode, PeerKeys } from './PeerKeys.js';
import type { RecordLayer } from './RecordLayer.js';
import { nonceFrame, readNonce, sealedFrames, sealRecords } from './recordKeys.js';

import { PROTOCOL_VERSION } from './nodeIdentity.js';

export { MAX_HANDSHAKE_FRAME } from './HandshakeReader.js';
export { PROTOCOL_VERSION } from './nodeIdentity.js';
export { newNodeId, RejectReason, type HelloInfo, type SelfInfo, type Version } from './hellos.js';

const MODES: readonly ChannelMode[] = ['plain', 'psk', 'certificate'];
/**
 * Bytes of the responder's greeting in each mode (VERSION and MODE, framed; with a secret its
 * NONCE too). With a secret the responder writes nothing more unless the initiator's first
 * record proved the key (a wrong one gets a 12-byte REJECT).
 * @example
 * ```ts
 * const pastSecret = socket.bytesWritten > greetingBytes('psk') + 32;
 * ```
 */
export function greetingBytes(mode: ChannelMode): number {
  return mode === 'psk' ? GREETING_BYTES + NONCE_FRAME_BYTES : GREETING_BYTES;
}
const GREETING_BYTES = 22, NONCE_FRAME_BYTES = 41;
const EXPORTER_LABEL = 'EXPORTER-asyncoro-handshake';

/** Parameters of one handshake. */
export interface HandshakeParams {
  self: SelfInfo;
  keys: PeerKeys;
  version?: Version;
  /** Milliseconds for the whole exchange (greeting, key exchange or TLS, hellos). */
  timeout: number;
  /** Responder only: called once the initiator is authenticated; 'duplicate' refuses it. */
  decide?: (peer: HelloInfo) => 'accept' | 'duplicate';
  /** Called once the peer proved the key or TLS is done (never in plain mode): past what a party without the secret or certificate can reach. */
  onSecured?: () => void;
}

/**
 * Outcome of a handshake: the socket to use from now on (TLS or the TCP one), the peer, the bytes
 * that followed, and with a secret the record layer that seals and opens every byte from now on.
 */
export interface HandshakeResult {
  socket: Socket;
  peer: HelloInfo;
  leftover: Buffer;
  records?: RecordLayer;
}

/**
 * Runs the handshake on a freshly connected TCP socket. Resolves with the socket to use (a
 * TLSSocket with certificates, else `raw`; with a secret, `records` seals it) and the peer's
 * identity once both sides are authenticated; rejects with AuthenticationError (different secret:
 * a record that fails its tag, or the proofs), ProtocolVersionError, ProtocolError,
 * DuplicateConnectionError or PeerUnreachableError (timeout, hang-up, certificate refused). The
 * returned socket is left paused; on failure the caller destroys `raw`.
 * @example
 * ```ts
 * const { socket, peer, leftover, records } = await handshake(raw, 'initiator', { self, keys, timeout: 5000 });
 * ```
 */
export async function handshake(raw: Socket, role: 'initiator' | 'responder', params: HandshakeParams): Promise<HandshakeResult> {
  const version = params.version ?? PROTOCOL_VERSION;
  const { keys } = params;
  const deadline = performance.now() + params.timeout;
  const left = (): number => Math.max(1, deadline - performance.now());
  let socket: Socket = raw;
  let reader: HandshakeReader | undefined;
  try {
    let greeting: Buffer[];
    if (role === 'responder') {
      greeting = [reject(RejectReason.Version, version), modeFrame(keys.mode)];
      if (keys.mode === 'psk') greeting.push(nonceFrame());
      raw.write(Buffer.concat(greeting.map((f) => encodeFrame(f))));
      if (keys.mode === 'certificate') socket = await upgrade(raw, role, keys, left());
    } else {
      reader = new HandshakeReader(raw, left());
      greeting = await readGreeting(reader, version, keys.mode);
      if (keys.mode === 'certificate') {
        if (reader.detach().length > 0) throw new ProtocolError('unexpected plaintext after the greeting');
        reader = undefined;
        socket = await upgrade(raw, role, keys, left());
      }
    }
    reader ??= new HandshakeReader(socket, left());
    if (keys.mode === 'psk') {
      const { records, binding } = await sealRecords(reader, raw, role, keys, greeting, version);
      params.onSecured?.();
      const peer = await exchangeHellos(sealedFrames(reader, raw, records), role, { self: params.self, macKey: keys.macKey(), version, binding, decide: params.decide });
      return { socket, peer, leftover: reader.detach(), records };
    }
    if (keys.mode !== 'plain') params.onSecured?.();
    const binding = socket instanceof tls.TLSSocket ? socket.exportKeyingMaterial(32, EXPORTER_LABEL, Buffer.alloc(0)) : Buffer.alloc(0);
    const peer = await exchangeHellos(plainFrames(reader, socket), role, { self: params.self, macKey: keys.macKey(), version, binding, decide: params.decide });
    return { socket, peer, leftover: reader.detach() };
  } catch (err) {
    const cause = role === 'initiator' ? roomMade(raw, err, keys.mode) : err;
    socket.destroy();
    throw cause;
  } finally {
    reader?.dispose();
  }
}

/** Handshake frames as they are on the wire: framed, in the clear (plain mode, or inside TLS). */
function plainFrames(reader: HandshakeReader, socket: Socket): HandshakeFrames {
  return { next: () => reader.next(), write: (frame) => void socket.write(encodeFrame(frame)) };
}

/**
 * A connection the responder closed before it answered past its greeting is how its handshake
 * table makes room for another (HandshakeTable.ts): refused for now, as a REJECT busy says.
 */
function roomMade(raw: Socket, err: unknown, mode: ChannelMode): unknown {
  if (!(err instanceof PeerUnreachableError) || err instanceof PeerBusyError || raw.bytesRead !== greetingBytes(mode)) return err;
  const hungUp = raw.readableEnded || (err.cause as { code?: unknown } | undefined)?.code === 'ECONNRESET';
  return hungUp ? new PeerBusyError('the peer closed the connection before it answered (it made room for another handshake); try again later', { cause: err }) : err;
}

/** The MODE frame of the greeting. */
function modeFrame(mode: ChannelMode): Buffer {
  const out = Buffer.alloc(6);
  out.writeUInt32BE(MAGIC, 0);
  out[4] = FrameType.Mode;
  out[5] = MODES.indexOf(mode);
  return out;
}

/**
 * The initiator reads VERSION and MODE (and with a secret NONCE), and returns them; a 1.x
 * responder greets with its SERVER_HELLO instead.
 */
async function readGreeting(reader: HandshakeReader, version: Version, mode: ChannelMode): Promise<Buffer[]> {
  const first = await reader.next();
  if (first.length >= 7 && first.readUInt32BE(0) === MAGIC && first[4] === FrameType.ServerHello) {
    throw versionError({ major: first[5], minor: first[6] }, version); // a 1.x node
  }
  if (!isReject(first)) throw badFrame(first);
  if (first[5] !== RejectReason.Version) checkReject(first, version);
  const theirs = { major: first[6], minor: first[7] };
  if (theirs.major !== version.major) throw versionError(theirs, version);
  const second = await reader.next();
  if (second.length !== 6 || second.readUInt32BE(0) !== MAGIC || second[4] !== FrameType.Mode || MODES[second[5]] === undefined) throw badFrame(second);
  const peerMode = MODES[second[5]];
  if (peerMode !== mode) throw new AuthenticationError(`the peer protects its connections with ${describeMode(peerMode)}, this node with ${describeMode(mode)} (secret or tls options differ)`);
  return mode === 'psk' ? [first, second, readNonce(await reader.next())] : [first, second];
}

async function upgrade(raw: Socket, role: 'initiator' | 'responder', keys: PeerKeys, timeout: number): Promise<Socket> {
  try {
    return await keys.secure(raw, role, timeout);
  } catch (err) {
    const e = err as Error & { code?: string };
    throw new PeerUnreachableError(`TLS handshake failed: ${e.message.split('\n')[0]}`, { cause: err });
  }
}

function describeMode(mode: ChannelMode): string {
  return mode === 'plain' ? 'nothing (no secret)' : mode === 'psk' ? 'records sealed with a secret' : 'certificate TLS';
}
