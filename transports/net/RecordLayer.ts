/**
 * The sealed record layer of a link protected by a shared secret: every byte after the plaintext
 * greeting travels in ChaCha20-Poly1305 records (RFC 8439), with a key per direction derived for
 * this connection alone (HKDF-SHA-256 of the node's record key salted with both sides' fresh
 * nonces for the key exchange's confirmations; from then on of the record key and an ephemeral
 * X25519 shared secret, salted with the transcript: recordKeys.ts).
 *
 * ```
 * record  length (4 bytes, big-endian: ciphertext + tag)  ciphertext  tag (16 bytes)
 *         nonce = the direction's record counter (96 bits), never sent
 * ```
 * The tag covers the ciphertext's length, so a changed length header fails it as a changed byte
 * does (no AAD). The counter makes a replayed, reordered, dropped or reflected record fail its
 * tag; a length above the bound is refused before anything is buffered, a record with no
 * plaintext once opened (no writer seals one); no byte of a record is
 * handed on before its tag verifies. A writer seals all it has in one record (up to 64 KiB of
 * plaintext each), so a burst of messages costs one seal, where node's TLS socket sends at most
 * ten records per turn of the event loop. Records of up to 256 bytes are sealed and opened by
 * ShortAead.ts (node:crypto's fixed cost per call is most of what a request or a reply costs),
 * larger ones by node:crypto: the same bytes either way. After 2^24 records a direction's key is
 * replaced by one derived from it (both sides count, so no message is needed), as TLS 1.3 updates
 * its keys, well before any usage limit.
 * @module
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { inspect } from 'node:util';
import { FrameDecoder } from '../io/FrameDecoder.js';
import { ShortAead } from './ShortAead.js';
import { AuthenticationError, ProtocolError } from './netErrors.js';

/** Largest plaintext in one record; a larger write is split. */
export const MAX_RECORD_PLAINTEXT = 64 * 1024;
/** Bytes of a record's authentication tag. */
export const RECORD_TAG_BYTES = 16;
/** Bytes a record adds to its plaintext (length and tag). */
export const RECORD_OVERHEAD = 4 + RECORD_TAG_BYTES;
const CIPHER = 'chacha20-poly1305';
/** Records with at most this much plaintext are sealed in TypeScript (ShortAead.ts). */
const SHORT_RECORD = 256;
/** Records sealed under one key before both sides move to the next. */
export const RECORDS_PER_KEY = 2 ** 24;

/** One direction's key and record counter. */
class Direction {
  #key: Buffer;
  readonly #short: ShortAead;
  private count = 0;
  /** The nonce of the current record. */
  readonly iv = Buffer.alloc(12);

  constructor(key: Buffer, private readonly perKey: number) {
    this.#key = key;
    this.#short = new ShortAead(key);
  }

  /** Moves to the next record's nonce (and to the next key once this one has sealed its share). */
  next(): void {
    if (this.count === this.perKey) {
      this.#key = Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), 'asyncoro 3 record key update', 32));
      this.#short.rekey(this.#key);
      this.count = 0;
    }
    this.iv.writeUIntBE(this.count++, 6, 6);
  }

  /** Seals `plain` under the current nonce into `out` at `offset` (ciphertext, tag); returns the offset after them. */
  seal(plain: Buffer, out: Buffer, offset: number): number {
    if (plain.length <= SHORT_RECORD) return this.#short.seal(this.iv, plain, out, offset);
    const cipher = createCipheriv(CIPHER, this.#key, this.iv, { authTagLength: RECORD_TAG_BYTES });
    offset += cipher.update(plain).copy(out, offset);
    cipher.final();
    return offset + cipher.getAuthTag().copy(out, offset);
  }

  /** Opens a record body under the current nonce: its plaintext, or undefined when the tag fails. */
  open(body: Buffer): Buffer | undefined {
    const end = body.length - RECORD_TAG_BYTES;
    if (end <= SHORT_RECORD) return this.#short.open(this.iv, body);
    const decipher = createDecipheriv(CIPHER, this.#key, this.iv, { authTagLength: RECORD_TAG_BYTES });
    decipher.setAuthTag(body.subarray(end));
    const plain = decipher.update(body.subarray(0, end));
    try {
      decipher.final();
    } catch {
      return undefined;
    }
    return plain;
  }
}

/**
 * Seals what one side writes and opens what it reads, on one connection.
 * @example
 * ```ts
 * const records = RecordLayer.derive(Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3), 'initiator');
 * socket.write(records.seal(Buffer.from('frames')));
 * socket.on('data', (chunk: Buffer) => { for (const plain of records.open(chunk)) decoder.push(plain); });
 * ```
 */
export class RecordLayer {
  readonly #out: Direction;
  readonly #in: Direction;
  private readonly records = new FrameDecoder(MAX_RECORD_PLAINTEXT + RECORD_TAG_BYTES);

  /**
   * `sendKey` seals this side's records, `receiveKey` opens the other's (32 bytes each);
   * `recordsPerKey` is for specs (both sides must use the same).
   */
  constructor(sendKey: Buffer, receiveKey: Buffer, recordsPerKey = RECORDS_PER_KEY) {
    this.#out = new Direction(sendKey, recordsPerKey);
    this.#in = new Direction(receiveKey, recordsPerKey);
  }

  /**
   * The record layer of one side of a connection: keys per direction from `recordKey` (the node's
   * key derived from its secret) and both sides' nonces, so each connection and direction has its own.
   * @example
   * ```ts
   * const [recordKey, initiatorNonce, responderNonce] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3)];
 * const records = RecordLayer.derive(recordKey, initiatorNonce, responderNonce, 'initiator');
   * ```
   */
  static derive(recordKey: Buffer, initiatorNonce: Buffer, responderNonce: Buffer, role: 'initiator' | 'responder'): RecordLayer {
    return RecordLayer.deriveFrom(recordKey, Buffer.concat([initiatorNonce, responderNonce]), 'asyncoro 3', role);
  }

  /**
   * The record layer of one side of a connection: a key per direction by HKDF-SHA-256 of `ikm`
   * salted with `salt`, `label` naming the stage of the handshake (recordKeys.ts).
   * @example
   * ```ts
   * const records = RecordLayer.deriveFrom(Buffer.alloc(64, 1), Buffer.alloc(32, 2), 'asyncoro 4 forward', 'responder');
   * ```
   */
  static deriveFrom(ikm: Buffer, salt: Buffer, label: string, role: 'initiator' | 'responder'): RecordLayer {
    const key = (info: string): Buffer => Buffer.from(hkdfSync('sha256', ikm, salt, `${label} records ${info}`, 32));
    const toResponder = key('initiator to responder'), toInitiator = key('responder to initiator');
    return role === 'initiator' ? new RecordLayer(toResponder, toInitiator) : new RecordLayer(toInitiator, toResponder);
  }

  /** `plain` as records (one per MAX_RECORD_PLAINTEXT bytes), in one buffer ready to write. */
  seal(plain: Buffer): Buffer {
    if (plain.length <= MAX_RECORD_PLAINTEXT) {
      const out = Buffer.allocUnsafe(plain.length + RECORD_OVERHEAD);
      this.sealInto(plain, out, 0);
      return out;
    }
    const count = Math.ceil(plain.length / MAX_RECORD_PLAINTEXT);
    const out = Buffer.allocUnsafe(plain.length + count * RECORD_OVERHEAD);
    let offset = 0;
    for (let start = 0; start < plain.length; start += MAX_RECORD_PLAINTEXT) {
      offset = this.sealInto(plain.subarray(start, start + MAX_RECORD_PLAINTEXT), out, offset);
    }
    return out;
  }

  private sealInto(plain: Buffer, out: Buffer, offset: number): number {
    this.#out.next();
    out.writeUInt32BE(plain.length + RECORD_TAG_BYTES, offset);
    return this.#out.seal(plain, out, offset + 4);
  }

  /**
   * Takes received bytes and returns the plaintext of every record they complete, in order.
   * Throws as `push` and `next` do; the connection is then unusable.
   */
  open(chunk: Buffer): Buffer[] {
    this.push(chunk);
    const out: Buffer[] = [];
    for (let plain = this.next(); plain !== undefined; plain = this.next()) out.push(plain);
    return out;
  }

  /**
   * Buffers received bytes, to be opened record by record with `next` (so a reader can spread
   * the work over turns of the loop). Throws FrameTooLargeError for a length above the bound,
   * before buffering it.
   */
  push(chunk: Buffer): void {
    this.records.push(chunk);
  }

  /** True while received bytes wait to be opened (a whole record or part of one). */
  get pending(): boolean {
    return this.records.partial;
  }

  /** Opens the next complete record received: its plaintext, or undefined when none is complete. Throws as `openRecord`. */
  next(): Buffer | undefined {
    const record = this.records.next();
    return record === undefined ? undefined : this.openRecord(record);
  }

  /**
   * The plaintext of one record given without its length (its body: ciphertext and tag). Throws
   * AuthenticationError for a tag that does not verify (tampered, replayed, reordered, or sealed
   * with another key), and ProtocolError for an authentic record with no plaintext: no writer
   * seals one, and opening records that carry nothing would cost the reader time no frame accounts for.
   */
  openRecord(body: Buffer): Buffer {
    if (body.length < RECORD_TAG_BYTES) throw new AuthenticationError(`a record of ${body.length} bytes is shorter than its tag`);
    this.#in.next();
    const plain = this.#in.open(body);
    if (plain === undefined) throw new AuthenticationError('a record failed authentication (tampered, replayed, reordered, or sealed with another key)');
    if (plain.length === 0) throw new ProtocolError('an empty record (a record carries at least one byte)');
    return plain;
  }

  toJSON(): object {
    return { records: 'chacha20-poly1305' };
  }

  [inspect.custom](): string {
    return 'RecordLayer { chacha20-poly1305 }';
  }
}
