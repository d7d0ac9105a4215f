/**
 * ChaCha20-Poly1305 (RFC 8439) for short records, in plain TypeScript. The record layer seals and
 * opens most records of a request/reply exchange with it: node:crypto costs several calls into
 * OpenSSL per record (a cipher context made and initialised each time), about 10 µs in a busy
 * process whatever the size, where a record of a few hundred bytes needs a microsecond or two of
 * arithmetic. Larger records go to node:crypto's `chacha20-poly1305`; both give the same bytes
 * (the specs check them against each other), so each side chooses by size alone.
 *
 * Its key and the key-derived scratch space show nowhere: `util.inspect` and JSON name the cipher only.
 *
 * Both parts are constant-time in the secret data: ChaCha20 is additions, rotations and xors of
 * 32-bit words; Poly1305 works on ten 13-bit limbs with no data-dependent branch; the tag is
 * compared by accumulating differences.
 * @module
 */
import { inspect } from 'node:util';

const SIGMA0 = 0x61707865, SIGMA1 = 0x3320646e, SIGMA2 = 0x79622d32, SIGMA3 = 0x6b206574;
const TAG_BYTES = 16;

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
  /** r's limbs at [9..18], and 5·r's (2^130 ≡ 5) at [0..8] for the limbs that wrap: h[j]·r[i−j] is rr[i − j + 9]. */
  private readonly rr = new Float64Array(19);
  private readonly h = new Float64Array(10);
  private readonly d = new Float64Array(10);
  private readonly limbsOf = new Float64Array(10);
  private readonly scratch = Buffer.alloc(20);
  private readonly oneTime = Buffer.alloc(32);
  private readonly lengths = Buffer.alloc(16);
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
    this.xorStream(nonce, plain, out, offset);
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
    this.xorStream(nonce, body.subarray(0, length), plain, 0);
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

  /** XORs `input` with the key stream from block 1 on, into `out` at `offset`. */
  private xorStream(nonce: Buffer, input: Buffer, out: Buffer, offset: number): void {
    const b = this.block;
    for (let start = 0, counter = 1; start < input.length; start += 64, counter++) {
      this.chachaBlock(nonce, counter);
      const end = Math.min(64, input.length - start);
      for (let i = 0; i < end; i++) out[offset + start + i] = input[start + i]! ^ ((b[i >>> 2]! >>> ((i & 3) * 8)) & 0xff);
    }
  }

  /** The ten 13-bit limbs of up to 16 bytes at `bytes[at..]` (zero-padded to 16), plus `top` at bit 128. */
  private limbs(bytes: Buffer, at: number, length: number, top: number): Float64Array {
    const s = this.scratch;
    for (let i = 0; i < 16; i++) s[i] = i < length ? bytes[at + i]! : 0;
    s[16] = top;
    for (let k = 0; k < 10; k++) {
      const bit = 13 * k, byte = bit >>> 3;
      this.limbsOf[k] = ((s[byte]! | (s[byte + 1]! << 8) | (s[byte + 2]! << 16)) >>> (bit & 7)) & 0x1fff;
    }
    return this.limbsOf;
  }

  /** h = (h + m) · r mod 2^130 − 5, for one block `m` (limbs; products stay far below 2^53). */
  private absorb(m: Float64Array): void {
    const { h, rr, d } = this;
    for (let k = 0; k < 10; k++) h[k] = h[k]! + m[k]!;
    let carry = 0;
    for (let i = 0; i < 10; i++) {
      let acc = carry;
      for (let j = 0; j < 10; j++) acc += h[j]! * rr[i - j + 9]!;
      carry = Math.floor(acc / 8192);
      d[i] = acc - carry * 8192;
    }
    carry = d[0]! + carry * 5;
    d[0] = carry % 8192;
    d[1] = d[1]! + Math.floor(carry / 8192);
    h.set(d);
  }

  /** The Poly1305 tag, under the one-time key of block 0, of RFC 8439's AEAD input for the ciphertext (no AAD). */
  private tag(nonce: Buffer, ciphertext: Buffer, start: number, length: number, out: Buffer, at: number): void {
    this.chachaBlock(nonce, 0);
    const key = this.oneTime;
    for (let i = 0; i < 8; i++) key.writeUInt32LE(this.block[i]!, 4 * i);
    key[3]! &= 15;
    key[7]! &= 15;
    key[11]! &= 15;
    key[15]! &= 15;
    key[4]! &= 252;
    key[8]! &= 252;
    key[12]! &= 252;
    const r = this.limbs(key, 0, 16, 0);
    for (let k = 0; k < 10; k++) this.rr[k + 9] = r[k]!;
    for (let k = 1; k < 10; k++) this.rr[k - 1] = 5 * r[k]!;
    this.h.fill(0);
    for (let o = 0; o < length; o += 16) this.absorb(this.limbs(ciphertext, start + o, Math.min(16, length - o), 1));
    this.lengths.writeUInt32LE(length, 8); // AAD length 0; the ciphertext's (< 2^32)
    this.absorb(this.limbs(this.lengths, 0, 16, 1));
    this.finish(out, at);
  }

  /** Fully reduces h mod 2^130 − 5, adds s (the one-time key's second half) mod 2^128, writes the tag. */
  private finish(out: Buffer, at: number): void {
    const { h, d } = this;
    for (let pass = 0; pass < 3; pass++) {
      let carry = 0;
      for (let k = 0; k < 10; k++) {
        const v = h[k]! + carry; // below 2^31 here: integer shifts are exact
        carry = v >>> 13;
        h[k] = v & 0x1fff;
      }
      h[0] = h[0]! + carry * 5;
    }
    // g = h + 5 − 2^130, taken when h ≥ 2^130 − 5 (no borrow), selected by arithmetic, not a branch.
    let carry = 5;
    for (let k = 0; k < 10; k++) {
      const v = h[k]! + carry;
      carry = v >>> 13;
      d[k] = v & 0x1fff;
    }
    for (let k = 0; k < 10; k++) h[k] = carry * d[k]! + (1 - carry) * h[k]!;
    // Limbs are 13-bit integers now: at most 7 + 13 bits wait in acc.
    let acc = 0, bits = 0, o = 0, sum = 0;
    for (let k = 0; k < 10 && o < 16; k++) {
      acc |= h[k]! << bits;
      bits += 13;
      while (bits >= 8 && o < 16) {
        sum += (acc & 0xff) + this.oneTime[16 + o]!;
        acc >>>= 8;
        bits -= 8;
        out[at + o++] = sum & 0xff;
        sum >>>= 8;
      }
    }
  }
}
