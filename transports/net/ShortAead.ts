/**
 * ChaCha20-Poly1305 (RFC 8439) for short records, in plain TypeScript. The record layer seals and
 * opens most records of a request/reply exchange with it: node:crypto costs several calls into
 * OpenSSL per record (a cipher context made and initialised each time), about 10 µs in a busy
 * process whatever the size, where sealing a request of 44 bytes here costs under a microsecond
 * (ChaCha20 blocks on 32-bit words, Poly1305.ts on limbs in local variables). Larger records go to
 * node:crypto's `chacha20-poly1305`; both give the same bytes (the specs check them against each
 * other), so each side chooses by size alone.
 *
 * Its key and the key-derived scratch space show nowhere: `util.inspect` and JSON name the cipher only.
 *
 * Both parts are constant-time in the secret data: ChaCha20 is additions, rotations and xors of
 * 32-bit words; Poly1305 works on ten 13-bit limbs with no data-dependent branch; the tag is
 * compared by accumulating differences.
 * @module
 */
import { inspect } from 'node:util';
import { Poly1305 } from './Poly1305.js';

const SIGMA0 = 0x61707865, SIGMA1 = 0x3320646e, SIGMA2 = 0x79622d32, SIGMA3 = 0x6b206574;
const TAG_BYTES = 16;
/** True where a Uint32Array's words sit in memory little-endian, as ChaCha20's output bytes are defined. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * ChaCha20-Poly1305 under one key, for short records (its scratch space is its own: one per direction).
 * @example
 * ```ts
 * const aead = new ShortAead(Buffer.alloc(32, 7));
 * const nonce = Buffer.alloc(12), out = Buffer.alloc(2 + 16);
 * aead.seal(nonce, Buffer.from('hi'), out, 0);
 * aead.open(nonce, out); // <Buffer 68 69>
 * ```
 */
export class ShortAead {
  readonly #key = new Uint32Array(8);
  private readonly block = new Uint32Array(16);
  /** The block's bytes: the key stream itself on a little-endian machine. */
  private readonly blockBytes = new Uint8Array(this.block.buffer);
  private readonly poly = new Poly1305();
  private readonly oneTime = Buffer.alloc(32);
  private readonly expected = Buffer.alloc(TAG_BYTES);

  /** `key`: 32 bytes. */
  constructor(key: Buffer) {
    this.rekey(key);
  }

  toJSON(): object {
    return { aead: 'chacha20-poly1305' };
  }

  [inspect.custom](): string {
    return 'ShortAead { chacha20-poly1305 }';
  }

  /** Uses `key` (32 bytes) from now on. */
  rekey(key: Buffer): void {
    for (let i = 0; i < 8; i++) this.#key[i] = key.readUInt32LE(4 * i);
  }

  /**
   * Seals `plain` under `nonce` (12 bytes, no AAD): writes the ciphertext, then the 16-byte tag,
   * into `out` at `offset`; returns the offset after them.
   */
  seal(nonce: Buffer, plain: Buffer, out: Buffer, offset: number): number {
    this.xorStream(nonce, plain, plain.length, out, offset);
    this.tag(nonce, out, offset, plain.length, out, offset + plain.length);
    return offset + plain.length + TAG_BYTES;
  }

  /** Opens a record's body (ciphertext and tag): the plaintext, or undefined when the tag does not verify. */
  open(nonce: Buffer, body: Buffer): Buffer | undefined {
    const length = body.length - TAG_BYTES;
    this.tag(nonce, body, 0, length, this.expected, 0);
    let diff = 0;
    for (let i = 0; i < TAG_BYTES; i++) diff |= this.expected[i]! ^ body[length + i]!;
    if (diff !== 0) return undefined;
    const plain = Buffer.allocUnsafe(length);
    this.xorStream(nonce, body, length, plain, 0);
    return plain;
  }

  /** One 64-byte ChaCha20 block of the key and `nonce` at `counter`, into `block`. */
  private chachaBlock(nonce: Buffer, counter: number): void {
    const k = this.#key, b = this.block;
    const n0 = nonce.readUInt32LE(0), n1 = nonce.readUInt32LE(4), n2 = nonce.readUInt32LE(8);
    let x0 = SIGMA0, x1 = SIGMA1, x2 = SIGMA2, x3 = SIGMA3;
    let x4 = k[0]!, x5 = k[1]!, x6 = k[2]!, x7 = k[3]!, x8 = k[4]!, x9 = k[5]!, x10 = k[6]!, x11 = k[7]!;
    let x12 = counter, x13 = n0, x14 = n1, x15 = n2;
    for (let round = 0; round < 10; round++) {
      // Columns, then diagonals: quarter rounds written out (a call each would cost more than its work).
      x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 16) | (x12 >>> 16); x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 12) | (x4 >>> 20);
      x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 8) | (x12 >>> 24); x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 7) | (x4 >>> 25);
      x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 16) | (x13 >>> 16); x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 12) | (x5 >>> 20);
      x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 8) | (x13 >>> 24); x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 7) | (x5 >>> 25);
      x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 16) | (x14 >>> 16); x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 12) | (x6 >>> 20);
      x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 8) | (x14 >>> 24); x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 7) | (x6 >>> 25);
      x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 16) | (x15 >>> 16); x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 12) | (x7 >>> 20);
      x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 8) | (x15 >>> 24); x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 7) | (x7 >>> 25);
      x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 16) | (x15 >>> 16); x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 12) | (x5 >>> 20);
      x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 8) | (x15 >>> 24); x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 7) | (x5 >>> 25);
      x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 16) | (x12 >>> 16); x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 12) | (x6 >>> 20);
      x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 8) | (x12 >>> 24); x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 7) | (x6 >>> 25);
      x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 16) | (x13 >>> 16); x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 12) | (x7 >>> 20);
      x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 8) | (x13 >>> 24); x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 7) | (x7 >>> 25);
      x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 16) | (x14 >>> 16); x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 12) | (x4 >>> 20);
      x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 8) | (x14 >>> 24); x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 7) | (x4 >>> 25);
    }
    b[0] = x0 + SIGMA0; b[1] = x1 + SIGMA1; b[2] = x2 + SIGMA2; b[3] = x3 + SIGMA3;
    b[4] = x4 + k[0]!; b[5] = x5 + k[1]!; b[6] = x6 + k[2]!; b[7] = x7 + k[3]!;
    b[8] = x8 + k[4]!; b[9] = x9 + k[5]!; b[10] = x10 + k[6]!; b[11] = x11 + k[7]!;
    b[12] = x12 + counter; b[13] = x13 + n0; b[14] = x14 + n1; b[15] = x15 + n2;
  }

  /** XORs the first `length` bytes of `input` with the key stream from block 1 on, into `out` at `offset`. */
  private xorStream(nonce: Buffer, input: Buffer, length: number, out: Buffer, offset: number): void {
    const b = this.block;
    for (let start = 0, counter = 1; start < length; start += 64, counter++) {
      this.chachaBlock(nonce, counter);
      const end = Math.min(64, length - start);
      if (LITTLE_ENDIAN) {
        const stream = this.blockBytes;
        for (let i = 0; i < end; i++) out[offset + start + i] = input[start + i]! ^ stream[i]!;
      } else for (let i = 0; i < end; i++) out[offset + start + i] = input[start + i]! ^ ((b[i >>> 2]! >>> ((i & 3) * 8)) & 0xff);
    }
  }

  /** The Poly1305 tag, under the one-time key of block 0, of RFC 8439's AEAD input for the ciphertext (no AAD). */
  private tag(nonce: Buffer, ciphertext: Buffer, start: number, length: number, out: Buffer, at: number): void {
    this.chachaBlock(nonce, 0);
    let key: Uint8Array = this.blockBytes; // its first 32 bytes are the one-time key
    if (!LITTLE_ENDIAN) {
      key = this.oneTime;
      for (let i = 0; i < 8; i++) this.oneTime.writeUInt32LE(this.block[i]!, 4 * i);
    }
    this.poly.aeadTag(key, ciphertext, start, length, out, at);
  }
}
