/**
 * The key exchange of a link protected by a shared secret, right after the plaintext greeting:
 * each side gives a fresh 32-byte nonce (the responder's is in its greeting), both derive the
 * keys of this connection (RecordLayer.derive), and each side's first record is a confirmation
 * of the transcript (the greeting and both nonces) under its new key.
 *
 * ```
 * initiator → responder  NONCE magic 6 nonceI, then record{ SHA-256("asyncoro 3 confirm initiator" | T) }
 * responder → initiator  record{ SHA-256("asyncoro 3 confirm responder" | T) }   or a plaintext REJECT auth
 *                        T = SHA-256(greeting frames | NONCE frame of the initiator)
 * ```
 * A party without the secret seals its confirmation with another key: the responder sees the
 * tag fail before it reads anything else from it, answers REJECT auth, and closes. T is then the
 * channel binding of the hellos' proofs (hellos.ts).
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { encodeFrame } from '../io/FrameDecoder.js';
import type { HandshakeReader } from './HandshakeReader.js';
import { badFrame, checkReject, FrameType, isReject, MAGIC, reject, RejectReason, type HandshakeFrames, type Version } from './hellos.js';
import { AuthenticationError } from './netErrors.js';
import type { PeerKeys } from './PeerKeys.js';
import type { RecordLayer } from './RecordLayer.js';

const NONCE_BYTES = 32;

/**
 * A NONCE frame with fresh random bytes.
 * @example
 * ```ts
 * const frame = nonceFrame(); // magic, type 6, 32 random bytes
 * ```
 */
export function nonceFrame(): Buffer {
  const out = Buffer.allocUnsafe(5 + NONCE_BYTES);
  out.writeUInt32BE(MAGIC, 0);
  out[4] = FrameType.Nonce;
  randomBytes(NONCE_BYTES).copy(out, 5);
  return out;
}

/**
 * Returns `frame` when it is a NONCE frame; throws ProtocolError otherwise (the error a REJECT stands for, for one).
 * @example
 * ```ts
 * const theirs = readNonce(await reader.next());
 * ```
 */
export function readNonce(frame: Buffer, version?: Version): Buffer {
  if (version !== undefined) checkReject(frame, version);
  if (frame.length !== 5 + NONCE_BYTES || frame.readUInt32BE(0) !== MAGIC || frame[4] !== FrameType.Nonce) throw badFrame(frame);
  return frame;
}

/**
 * Runs the key exchange: resolves with this connection's record layer and the transcript hash
 * once the peer's first record proved it holds the same key. `greeting` holds the greeting's
 * frames (VERSION, MODE, NONCE) as the responder sent them. Throws AuthenticationError (the
 * peer's record failed its tag or confirms another transcript; the responder says REJECT auth
 * first), ProtocolError, or the reader's PeerUnreachableError.
 * @example
 * ```ts
 * const greeting = [Buffer.alloc(8), Buffer.alloc(6), nonceFrame()]; // as the responder sent them
 * const { records, binding } = await sealRecords(reader, socket, 'initiator', keys, greeting, { major: 3, minor: 0 });
 * ```
 */
export async function sealRecords(reader: HandshakeReader, socket: Socket, role: 'initiator' | 'responder', keys: PeerKeys, greeting: Buffer[], version: Version): Promise<{ records: RecordLayer; binding: Buffer }> {
  const nonceR = greeting[2]!.subarray(5);
  const initiatorNonce = role === 'initiator' ? nonceFrame() : readNonce(await reader.next(), version);
  const records = keys.records(initiatorNonce.subarray(5), nonceR, role);
  const transcript = createHash('sha256');
  for (const frame of [...greeting, initiatorNonce]) transcript.update(encodeFrame(frame));
  const binding = transcript.digest();
  if (role === 'initiator') {
    socket.write(Buffer.concat([encodeFrame(initiatorNonce), records.seal(confirmation('initiator', binding))]));
    const answer = await reader.next();
    if (isReject(answer)) checkReject(answer, version);
    checkConfirmation(records, answer, 'responder', binding);
  } else {
    try {
      checkConfirmation(records, await reader.next(), 'initiator', binding);
    } catch (err) {
      if (err instanceof AuthenticationError) socket.write(encodeFrame(reject(RejectReason.Auth, version)));
      throw err;
    }
    socket.write(records.seal(confirmation('responder', binding)));
  }
  return { records, binding };
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

function checkConfirmation(records: RecordLayer, record: Buffer, side: 'initiator' | 'responder', binding: Buffer): void {
  let plain: Buffer;
  try {
    plain = records.openRecord(record);
  } catch (err) {
    throw new AuthenticationError(`the peer's first sealed record failed authentication (different secret?)`, { cause: err });
  }
  const expected = confirmation(side, binding);
  if (plain.length !== expected.length || !timingSafeEqual(plain, expected)) throw new AuthenticationError('the peer confirmed another handshake transcript');
}
