/**
 * The peer handshake, protocol 2.0. Nothing an unauthenticated party sends is given to the CBOR
 * decoder: handshake frames are a fixed binary layout of bounded fields.
 *
 * ```
 * plaintext  responder → initiator  VERSION  magic 4 1 major minor   (a 1.x node reads a version refusal)
 *                                   MODE     magic 5 mode            (0 plain, 1 TLS-PSK, 2 certificate TLS)
 *            initiator: a different major, or another mode, is refused here
 * TLS 1.3    (PSK from the secret, or certificates; nothing in plain mode)
 * inside     SERVER_HELLO → CLIENT_HELLO + proof → SERVER_PROOF | REJECT   (hellos.ts)
 * ```
 * With a secret every byte after the greeting is TLS 1.3 keyed by a pre-shared key derived from
 * the secret: a party without it cannot complete TLS, read, inject or relay frames. The hellos
 * inside prove the secret again, bound to this TLS session (exported keying material).
 * @module
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { encodeFrame } from '../io/FrameDecoder.js';
import { HandshakeReader } from './HandshakeReader.js';
import { badFrame, checkReject, exchangeHellos, FrameType, isReject, MAGIC, reject, RejectReason, versionError, type HelloInfo, type SelfInfo, type Version } from './hellos.js';
import { AuthenticationError, PeerBusyError, PeerUnreachableError, ProtocolError } from './netErrors.js';
import type { ChannelMode, PeerKeys } from './PeerKeys.js';

export { MAX_HANDSHAKE_FRAME } from './HandshakeReader.js';
export { newNodeId, RejectReason, type HelloInfo, type SelfInfo, type Version } from './hellos.js';

/**
 * The protocol version this build speaks; peers with the same major version interoperate (2.1
 * adds each node's peering to the handshake and to a hub's ping; a 2.0 node sees neither).
 * @example
 * ```ts
 * log(`wire protocol ${PROTOCOL_VERSION.major}.${PROTOCOL_VERSION.minor}`);
 * ```
 */
export const PROTOCOL_VERSION = { major: 2, minor: 1 } as const;
const MODES: readonly ChannelMode[] = ['plain', 'psk', 'certificate'];
/**
 * Bytes of the responder's greeting (VERSION and MODE, framed). With TLS-PSK the responder writes
 * nothing more unless the initiator's ClientHello proved the key (a wrong one gets a 7-byte alert).
 * @example
 * ```ts
 * const pastPsk = socket.bytesWritten > GREETING_BYTES + 32;
 * ```
 */
export const GREETING_BYTES = 22;
const EXPORTER_LABEL = 'EXPORTER-asyncoro-handshake';

/** Parameters of one handshake. */
export interface HandshakeParams {
  self: SelfInfo;
  keys: PeerKeys;
  version?: Version;
  /** Milliseconds for the whole exchange (greeting, TLS, hellos). */
  timeout: number;
  /** Responder only: called once the initiator is authenticated; 'duplicate' refuses it. */
  decide?: (peer: HelloInfo) => 'accept' | 'duplicate';
  /** Called once TLS is done (never in plain mode): past what a party without the secret or certificate can reach. */
  onSecured?: () => void;
}

/** Outcome of a handshake: the socket to use from now on (TLS or the TCP one), the peer, and the bytes that followed. */
export interface HandshakeResult {
  socket: Socket;
  peer: HelloInfo;
  leftover: Buffer;
}

/**
 * Runs the handshake on a freshly connected TCP socket. Resolves with the socket to use (a
 * TLSSocket unless plain) and the peer's identity once both sides are authenticated; rejects with
 * AuthenticationError (different secret: refused by TLS or by the proofs), ProtocolVersionError,
 * ProtocolError, DuplicateConnectionError or PeerUnreachableError (timeout, hang-up, certificate
 * refused). The returned socket is left paused; on failure the caller destroys `raw`.
 * @example
 * ```ts
 * const { socket, peer, leftover } = await handshake(raw, 'initiator', { self, keys, timeout: 5000 });
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
    if (role === 'responder') {
      raw.write(Buffer.concat([encodeFrame(reject(RejectReason.Version, version)), encodeFrame(modeFrame(keys.mode))]));
      socket = await upgrade(raw, role, keys, left());
    } else {
      reader = new HandshakeReader(raw, left());
      await readGreeting(reader, version, keys.mode);
      if (keys.mode !== 'plain') {
        if (reader.detach().length > 0) throw new ProtocolError('unexpected plaintext after the greeting');
        reader = undefined;
        socket = await upgrade(raw, role, keys, left());
      }
    }
    if (keys.mode !== 'plain') params.onSecured?.();
    reader ??= new HandshakeReader(socket, left());
    const binding = socket instanceof tls.TLSSocket ? socket.exportKeyingMaterial(32, EXPORTER_LABEL, Buffer.alloc(0)) : Buffer.alloc(0);
    const peer = await exchangeHellos(reader, socket, role, { self: params.self, macKey: keys.macKey(), version, binding, decide: params.decide });
    return { socket, peer, leftover: reader.detach() };
  } catch (err) {
    const cause = role === 'initiator' ? roomMade(raw, err) : err;
    socket.destroy();
    throw cause;
  } finally {
    reader?.dispose();
  }
}

/**
 * A connection the responder closed before it answered past its greeting is how its handshake
 * table makes room for another (HandshakeTable.ts): refused for now, as a REJECT busy says.
 */
function roomMade(raw: Socket, err: unknown): unknown {
  if (!(err instanceof PeerUnreachableError) || err instanceof PeerBusyError || raw.bytesRead !== GREETING_BYTES) return err;
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

/** The initiator reads VERSION and MODE; a 1.x responder greets with its SERVER_HELLO instead. */
async function readGreeting(reader: HandshakeReader, version: Version, mode: ChannelMode): Promise<void> {
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
}

async function upgrade(raw: Socket, role: 'initiator' | 'responder', keys: PeerKeys, timeout: number): Promise<Socket> {
  try {
    return await keys.secure(raw, role, timeout);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (keys.mode === 'psk' && typeof e.code === 'string' && e.code.startsWith('ERR_SSL')) {
      throw new AuthenticationError(`TLS-PSK handshake refused (different secret?): ${e.message.split('\n')[0]}`, { cause: err });
    }
    throw new PeerUnreachableError(`TLS handshake failed: ${e.message.split('\n')[0]}`, { cause: err });
  }
}

function describeMode(mode: ChannelMode): string {
  return mode === 'plain' ? 'nothing (no secret)' : mode === 'psk' ? 'TLS-PSK (a secret)' : 'certificate TLS';
}
