/**
 * The key exchange of a link protected by a shared secret, right after the plaintext greeting:
 * each side gives a fresh 32-byte nonce (the responder's is in its greeting), both derive first
 * keys for this connection from the secret's record key (RecordLayer.derive), and each side's
 * first record is a confirmation of the transcript under them. The initiator adds an ephemeral
 * X25519 public key to its NONCE; the responder makes its own key pair only once the initiator's
 * confirmation verified (a party without the secret causes no key-exchange work) and returns its
 * public key inside its sealed confirmation. Every later record, hellos included, is sealed with
 * keys derived from the record key and the X25519 shared secret, salted with the transcript: a
 * recording of the connection stays sealed even to whoever learns the secret later (forward
 * secrecy, as TLS 1.3's PSK with (EC)DHE gives).
 *
 * ```
 * initiator → responder  NONCE magic 6 nonceI shareI, then record₀{ SHA-256("asyncoro 3 confirm initiator" | T) }
 * responder → initiator  record₀{ SHA-256("asyncoro 3 confirm responder" | T) shareR }   or a plaintext REJECT auth
 *                        T = SHA-256(greeting frames | NONCE frame of the initiator)
 * from here on           records under HKDF(recordKey | X25519(shareI, shareR), salt B)
 *                        B = SHA-256(T | shareR), the channel binding of the hellos' proofs (hellos.ts)
 * ```
 * A party without the secret seals its confirmation with another key: the responder sees the
 * tag fail before it reads anything else from it, answers REJECT auth, and closes.
 * @module
 */
import { createHash, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Socket } from 'node:net';
import { encodeFrame } from '../io/FrameDecoder.js';
import type { HandshakeReader } from './HandshakeReader.js';
import { badFrame, checkReject, FrameType, isReject, MAGIC, reject, RejectReason, type HandshakeFrames, type Version } from './hellos.js';
import { AuthenticationError, ProtocolError } from './netErrors.js';
import type { PeerKeys } from './PeerKeys.js';
import type { RecordLayer } from './RecordLayer.js';

const NONCE_BYTES = 32, SHARE_BYTES = 32, CONFIRM_BYTES = 32;
/** DER SubjectPublicKeyInfo of an X25519 key, before its 32 bytes. */
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

/**
 * A NONCE frame with fresh random bytes (the responder's, in its greeting), and after them the
 * initiator's X25519 public key when given.
 * @example
 * ```ts
 * const frame = nonceFrame(); // magic, type 6, 32 random bytes
 * ```
 */
export function nonceFrame(share?: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + NONCE_BYTES + (share?.length ?? 0));
  out.writeUInt32BE(MAGIC, 0);
  out[4] = FrameType.Nonce;
  randomBytes(NONCE_BYTES).copy(out, 5);
  share?.copy(out, 5 + NONCE_BYTES);
  return out;
}

/**
 * Returns `frame` when it is a NONCE frame (with a key share when `withShare`, the initiator's);
 * throws ProtocolError otherwise (the error a REJECT stands for, for one).
 * @example
 * ```ts
 * const theirs = readNonce(await reader.next());
 * ```
 */
export function readNonce(frame: Buffer, version?: Version, withShare = false): Buffer {
  if (version !== undefined) checkReject(frame, version);
  if (frame.length !== 5 + NONCE_BYTES + (withShare ? SHARE_BYTES : 0) || frame.readUInt32BE(0) !== MAGIC || frame[4] !== FrameType.Nonce) throw badFrame(frame);
  return frame;
}

/**
 * Runs the key exchange: resolves with this connection's record layer (forward-secret keys) and
 * the channel binding once the peer's first record proved it holds the same key. `greeting`
 * holds the greeting's frames (VERSION, MODE, NONCE) as the responder sent them. Throws
 * AuthenticationError (the peer's record failed its tag or confirms another transcript; the
 * responder says REJECT auth first), ProtocolError, or the reader's PeerUnreachableError.
 * @example
 * ```ts
 * const greeting = [Buffer.alloc(8), Buffer.alloc(6), nonceFrame()]; // as the responder sent them
 * const { records, binding } = await sealRecords(reader, socket, 'initiator', keys, greeting, { major: 4, minor: 0 });
 * ```
 */
export async function sealRecords(reader: HandshakeReader, socket: Socket, role: 'initiator' | 'responder', keys: PeerKeys, greeting: Buffer[], version: Version): Promise<{ records: RecordLayer; binding: Buffer }> {
  const nonceR = greeting[2]!.subarray(5);
  const own = role === 'initiator' ? keyPair() : undefined;
  const initiatorNonce = own !== undefined ? nonceFrame(own.share) : readNonce(await reader.next(), version, true);
  const first = keys.records(initiatorNonce.subarray(5, 5 + NONCE_BYTES), nonceR, role);
  const transcript = createHash('sha256');
  for (const frame of [...greeting, initiatorNonce]) transcript.update(encodeFrame(frame));
  const t = transcript.digest();
  let shared: Buffer, shareR: Buffer;
  if (own !== undefined) {
    socket.write(Buffer.concat([encodeFrame(initiatorNonce), first.seal(confirmation('initiator', t))]));
    const answer = await reader.next();
    if (isReject(answer)) checkReject(answer, version);
    shareR = checkConfirmation(first, answer, 'responder', t, SHARE_BYTES);
    shared = agree(own.privateKey, shareR);
  } else {
    try {
      checkConfirmation(first, await reader.next(), 'initiator', t, 0);
    } catch (err) {
      if (err instanceof AuthenticationError) socket.write(encodeFrame(reject(RejectReason.Auth, version)));
      throw err;
    }
    // Only now, for a party that proved the key: a key pair of this side's own.
    const mine = keyPair();
    shared = agree(mine.privateKey, initiatorNonce.subarray(5 + NONCE_BYTES));
    shareR = mine.share;
    socket.write(first.seal(Buffer.concat([confirmation('responder', t), shareR])));
  }
  const binding = createHash('sha256').update(t).update(shareR).digest();
  try {
    return { records: keys.forwardRecords(shared, binding, role), binding };
  } finally {
    shared.fill(0);
  }
}

/**
 * Handshake frames as sealed records: each frame is the plaintext of one record.
 * @example
 * ```ts
 * const frames = sealedFrames(reader, socket, keys.records(Buffer.alloc(32, 1), Buffer.alloc(32, 2), 'initiator'));
 * frames.write(Buffer.from('a handshake frame'));
 * ```
 */
export function sealedFrames(reader: HandshakeReader, socket: Socket, records: RecordLayer): HandshakeFrames {
  return {
    next: async () => records.openRecord(await reader.next()),
    write: (frame) => void socket.write(records.seal(frame)),
  };
}

function confirmation(side: 'initiator' | 'responder', binding: Buffer): Buffer {
  return createHash('sha256').update(`asyncoro 3 confirm ${side}`).update(binding).digest();
}

/** Checks the peer's first record: its tag, then the transcript it confirms; returns the `extra` bytes after the confirmation. */
function checkConfirmation(records: RecordLayer, record: Buffer, side: 'initiator' | 'responder', binding: Buffer, extra: number): Buffer {
  let plain: Buffer;
  try {
    plain = records.openRecord(record);
  } catch (err) {
    throw new AuthenticationError(`the peer's first sealed record failed authentication (different secret, or tampering on the path?)`, { cause: err });
  }
  const expected = confirmation(side, binding);
  if (plain.length !== CONFIRM_BYTES + extra || !timingSafeEqual(plain.subarray(0, CONFIRM_BYTES), expected)) throw new AuthenticationError('the peer confirmed another handshake transcript');
  return plain.subarray(CONFIRM_BYTES);
}

/** A fresh X25519 key pair: the private key, and the public key's 32 bytes. */
function keyPair(): { privateKey: KeyObject; share: Buffer } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { privateKey, share: publicKey.export({ format: 'der', type: 'spki' }).subarray(X25519_SPKI.length) };
}

/** The X25519 shared secret with the peer's public key. Throws ProtocolError for a share that gives none (a low-order point). */
function agree(privateKey: KeyObject, theirs: Buffer): Buffer {
  let shared: Buffer;
  try {
    const publicKey = createPublicKey({ key: Buffer.concat([X25519_SPKI, theirs]), format: 'der', type: 'spki' });
    shared = diffieHellman({ privateKey, publicKey });
  } catch (err) {
    throw new ProtocolError('the peer\'s X25519 key share is not a usable public key', { cause: err });
  }
  if (shared.every((b) => b === 0)) throw new ProtocolError('the peer\'s X25519 key share gives no shared secret (a low-order point)');
  return shared;
}
