/**
 * Poly1305 (RFC 8439 §2.5) in plain TypeScript, for ShortAead's short records: the message is
 * taken 16 bytes at a time as ten 13-bit limbs held in local variables, so every product of a
 * limb of the accumulator and a limb of r (or 5·r, for the terms that wrap past 2^130) and every
 * sum of five of them stays below 2^32, where `>>> 13` carries exactly. No data-dependent branch
 * or table: the final subtraction of 2^130 − 5 is chosen by a mask. About 30 ns a block, where a
 * generic limb loop over typed arrays costs ten times as much (most of what a sealed request or
 * reply cost).
 * @module
 */

/** 2^128, the bit each full 16-byte block carries above its bytes (limb 9, bit 11). */
const HIBIT = 1 << 11;

/**
 * Poly1305 with its scratch space (one per direction of a connection: not shared, not re-entrant).
 * @example
 * ```ts
 * const tag = Buffer.alloc(16);
 * new Poly1305().mac(Buffer.alloc(32, 1), Buffer.from('message'), 0, 7, tag, 0);
 * ```
 */
export class Poly1305 {
  /** A last partial block, or the AEAD's lengths block, laid out as a full one. */
  private readonly last = Buffer.alloc(16);

  /**
   * The tag of `length` bytes of `data` from `start` under the one-time `key` (32 bytes: r, then
   * s), as RFC 8439 §2.5 defines it; written to `out` at `at` (16 bytes).
   */
  mac(key: Uint8Array, data: Uint8Array, start: number, length: number, out: Uint8Array, at: number): void {
    this.run(key, data, start, length, false, out, at);
  }

  /**
   * The tag of RFC 8439 §2.8's AEAD for a ciphertext and no additional data: the ciphertext
   * zero-padded to 16 bytes, then its length (the AAD's, 0, first) as two 64-bit little-endian words.
   */
  aeadTag(key: Uint8Array, ciphertext: Uint8Array, start: number, length: number, out: Uint8Array, at: number): void {
    this.run(key, ciphertext, start, length, true, out, at);
  }

  private run(key: Uint8Array, m: Uint8Array, start: number, length: number, aead: boolean, out: Uint8Array, at: number): void {
    // r, clamped (RFC 8439 §2.5.1) by the masks of the limbs its cleared bits fall in.
    let t0 = key[0]! | (key[1]! << 8), t1 = key[2]! | (key[3]! << 8), t2 = key[4]! | (key[5]! << 8), t3 = key[6]! | (key[7]! << 8);
    let t4 = key[8]! | (key[9]! << 8), t5 = key[10]! | (key[11]! << 8), t6 = key[12]! | (key[13]! << 8), t7 = key[14]! | (key[15]! << 8);
    const r0 = t0 & 0x1fff, r1 = ((t0 >>> 13) | (t1 << 3)) & 0x1fff, r2 = ((t1 >>> 10) | (t2 << 6)) & 0x1f03;
    const r3 = ((t2 >>> 7) | (t3 << 9)) & 0x1fff, r4 = ((t3 >>> 4) | (t4 << 12)) & 0x00ff, r5 = (t4 >>> 1) & 0x1ffe;
    const r6 = ((t4 >>> 14) | (t5 << 2)) & 0x1fff, r7 = ((t5 >>> 11) | (t6 << 5)) & 0x1f81, r8 = ((t6 >>> 8) | (t7 << 8)) & 0x1fff;
    const r9 = (t7 >>> 5) & 0x007f;
    const s1 = 5 * r1, s2 = 5 * r2, s3 = 5 * r3, s4 = 5 * r4, s5 = 5 * r5, s6 = 5 * r6, s7 = 5 * r7, s8 = 5 * r8, s9 = 5 * r9;
    let h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0, h6 = 0, h7 = 0, h8 = 0, h9 = 0;
    const last = this.last;
    const end = start + length;
    // The AEAD's padded ciphertext and its lengths block, or the message's full blocks and then its partial one.
    const blocks = aead ? ((length + 15) >>> 4) + 1 : (length + 15) >>> 4;
    for (let n = 0, p = start; n < blocks; n++, p += 16) {
      let src = m, q = p, hibit = HIBIT;
      if (p + 16 > end) {
        src = last;
        q = 0;
        for (let i = 0; i < 16; i++) last[i] = p + i < end ? m[p + i]! : 0;
        if (p < end) {
          if (!aead) {
            last[end - p] = 1; // the raw MAC marks a partial block's end with a 1 byte instead of bit 128
            hibit = 0;
          }
        } else {
          // The AEAD's lengths: 0 for the AAD, then the ciphertext's (< 2^32).
          last[8] = length; last[9] = length >>> 8; last[10] = length >>> 16; last[11] = length >>> 24;
        }
      }
      t0 = src[q]! | (src[q + 1]! << 8); t1 = src[q + 2]! | (src[q + 3]! << 8); t2 = src[q + 4]! | (src[q + 5]! << 8); t3 = src[q + 6]! | (src[q + 7]! << 8);
      t4 = src[q + 8]! | (src[q + 9]! << 8); t5 = src[q + 10]! | (src[q + 11]! << 8); t6 = src[q + 12]! | (src[q + 13]! << 8); t7 = src[q + 14]! | (src[q + 15]! << 8);
      h0 += t0 & 0x1fff; h1 += ((t0 >>> 13) | (t1 << 3)) & 0x1fff; h2 += ((t1 >>> 10) | (t2 << 6)) & 0x1fff;
      h3 += ((t2 >>> 7) | (t3 << 9)) & 0x1fff; h4 += ((t3 >>> 4) | (t4 << 12)) & 0x1fff; h5 += (t4 >>> 1) & 0x1fff;
      h6 += ((t4 >>> 14) | (t5 << 2)) & 0x1fff; h7 += ((t5 >>> 11) | (t6 << 5)) & 0x1fff; h8 += ((t6 >>> 8) | (t7 << 8)) & 0x1fff;
      h9 += (t7 >>> 5) | hibit;
      // h·r mod 2^130 − 5: limb k sums h_j·r_(k−j), and h_j·5·r_(k−j+10) for the products past 2^130;
      // each run of five products stays below 2^32, so the carries out of each half are exact.
      let c = 0, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9;
      d0 = c + h0 * r0 + h1 * s9 + h2 * s8 + h3 * s7 + h4 * s6; c = d0 >>> 13; d0 &= 0x1fff;
      d0 += h5 * s5 + h6 * s4 + h7 * s3 + h8 * s2 + h9 * s1; c += d0 >>> 13; d0 &= 0x1fff;
      d1 = c + h0 * r1 + h1 * r0 + h2 * s9 + h3 * s8 + h4 * s7; c = d1 >>> 13; d1 &= 0x1fff;
      d1 += h5 * s6 + h6 * s5 + h7 * s4 + h8 * s3 + h9 * s2; c += d1 >>> 13; d1 &= 0x1fff;
      d2 = c + h0 * r2 + h1 * r1 + h2 * r0 + h3 * s9 + h4 * s8; c = d2 >>> 13; d2 &= 0x1fff;
      d2 += h5 * s7 + h6 * s6 + h7 * s5 + h8 * s4 + h9 * s3; c += d2 >>> 13; d2 &= 0x1fff;
      d3 = c + h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s9; c = d3 >>> 13; d3 &= 0x1fff;
      d3 += h5 * s8 + h6 * s7 + h7 * s6 + h8 * s5 + h9 * s4; c += d3 >>> 13; d3 &= 0x1fff;
      d4 = c + h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0; c = d4 >>> 13; d4 &= 0x1fff;
      d4 += h5 * s9 + h6 * s8 + h7 * s7 + h8 * s6 + h9 * s5; c += d4 >>> 13; d4 &= 0x1fff;
      d5 = c + h0 * r5 + h1 * r4 + h2 * r3 + h3 * r2 + h4 * r1; c = d5 >>> 13; d5 &= 0x1fff;
      d5 += h5 * r0 + h6 * s9 + h7 * s8 + h8 * s7 + h9 * s6; c += d5 >>> 13; d5 &= 0x1fff;
      d6 = c + h0 * r6 + h1 * r5 + h2 * r4 + h3 * r3 + h4 * r2; c = d6 >>> 13; d6 &= 0x1fff;
      d6 += h5 * r1 + h6 * r0 + h7 * s9 + h8 * s8 + h9 * s7; c += d6 >>> 13; d6 &= 0x1fff;
      d7 = c + h0 * r7 + h1 * r6 + h2 * r5 + h3 * r4 + h4 * r3; c = d7 >>> 13; d7 &= 0x1fff;
      d7 += h5 * r2 + h6 * r1 + h7 * r0 + h8 * s9 + h9 * s8; c += d7 >>> 13; d7 &= 0x1fff;
      d8 = c + h0 * r8 + h1 * r7 + h2 * r6 + h3 * r5 + h4 * r4; c = d8 >>> 13; d8 &= 0x1fff;
      d8 += h5 * r3 + h6 * r2 + h7 * r1 + h8 * r0 + h9 * s9; c += d8 >>> 13; d8 &= 0x1fff;
      d9 = c + h0 * r9 + h1 * r8 + h2 * r7 + h3 * r6 + h4 * r5; c = d9 >>> 13; d9 &= 0x1fff;
      d9 += h5 * r4 + h6 * r3 + h7 * r2 + h8 * r1 + h9 * r0; c += d9 >>> 13; d9 &= 0x1fff;
      c = (c * 5 + d0) | 0; // what passed 2^130 comes back as 5 times as much
      h0 = c & 0x1fff;
      h1 = d1 + (c >>> 13);
      h2 = d2; h3 = d3; h4 = d4; h5 = d5; h6 = d6; h7 = d7; h8 = d8; h9 = d9;
    }
    // Carry fully (h < 2^130 + a little), then take h − (2^130 − 5) when that is not negative.
    let c = h1 >>> 13; h1 &= 0x1fff;
    h2 += c; c = h2 >>> 13; h2 &= 0x1fff; h3 += c; c = h3 >>> 13; h3 &= 0x1fff; h4 += c; c = h4 >>> 13; h4 &= 0x1fff;
    h5 += c; c = h5 >>> 13; h5 &= 0x1fff; h6 += c; c = h6 >>> 13; h6 &= 0x1fff; h7 += c; c = h7 >>> 13; h7 &= 0x1fff;
    h8 += c; c = h8 >>> 13; h8 &= 0x1fff; h9 += c; c = h9 >>> 13; h9 &= 0x1fff;
    h0 += c * 5; c = h0 >>> 13; h0 &= 0x1fff; h1 += c; c = h1 >>> 13; h1 &= 0x1fff;
    // A carry that reached h2 again goes on through the limbs: every limb below 2^13 before the
    // words are packed (h0 wrapped just before it, so the 5 it may get back carries no further).
    h2 += c; c = h2 >>> 13; h2 &= 0x1fff; h3 += c; c = h3 >>> 13; h3 &= 0x1fff; h4 += c; c = h4 >>> 13; h4 &= 0x1fff;
    h5 += c; c = h5 >>> 13; h5 &= 0x1fff; h6 += c; c = h6 >>> 13; h6 &= 0x1fff; h7 += c; c = h7 >>> 13; h7 &= 0x1fff;
    h8 += c; c = h8 >>> 13; h8 &= 0x1fff; h9 += c; c = h9 >>> 13; h9 &= 0x1fff; h0 += c * 5;
    let g0 = h0 + 5; c = g0 >>> 13; g0 &= 0x1fff;
    let g1 = h1 + c; c = g1 >>> 13; g1 &= 0x1fff;
    let g2 = h2 + c; c = g2 >>> 13; g2 &= 0x1fff;
    let g3 = h3 + c; c = g3 >>> 13; g3 &= 0x1fff;
    let g4 = h4 + c; c = g4 >>> 13; g4 &= 0x1fff;
    let g5 = h5 + c; c = g5 >>> 13; g5 &= 0x1fff;
    let g6 = h6 + c; c = g6 >>> 13; g6 &= 0x1fff;
    let g7 = h7 + c; c = g7 >>> 13; g7 &= 0x1fff;
    let g8 = h8 + c; c = g8 >>> 13; g8 &= 0x1fff;
    let g9 = h9 + c; c = g9 >>> 13; g9 &= 0x1fff;
    // c is 1 exactly when h + 5 reached 2^130: then g (h + 5 − 2^130) is the result.
    const take = -c, keep = ~take;
    h0 = (h0 & keep) | (g0 & take); h1 = (h1 & keep) | (g1 & take); h2 = (h2 & keep) | (g2 & take);
    h3 = (h3 & keep) | (g3 & take); h4 = (h4 & keep) | (g4 & take); h5 = (h5 & keep) | (g5 & take);
    h6 = (h6 & keep) | (g6 & take); h7 = (h7 & keep) | (g7 & take); h8 = (h8 & keep) | (g8 & take);
    h9 = (h9 & keep) | (g9 & take);
    // The low 128 bits as eight 16-bit words, plus s, mod 2^128.
    const w0 = (h0 | (h1 << 13)) & 0xffff, w1 = ((h1 >>> 3) | (h2 << 10)) & 0xffff, w2 = ((h2 >>> 6) | (h3 << 7)) & 0xffff;
    const w3 = ((h3 >>> 9) | (h4 << 4)) & 0xffff, w4 = ((h4 >>> 12) | (h5 << 1) | (h6 << 14)) & 0xffff;
    const w5 = ((h6 >>> 2) | (h7 << 11)) & 0xffff, w6 = ((h7 >>> 5) | (h8 << 8)) & 0xffff, w7 = ((h8 >>> 8) | (h9 << 5)) & 0xffff;
    let f = 0;
    f = w0 + (key[16]! | (key[17]! << 8)); out[at] = f; out[at + 1] = f >>> 8;
    f = w1 + (key[18]! | (key[19]! << 8)) + (f >>> 16); out[at + 2] = f; out[at + 3] = f >>> 8;
    f = w2 + (key[20]! | (key[21]! << 8)) + (f >>> 16); out[at + 4] = f; out[at + 5] = f >>> 8;
    f = w3 + (key[22]! | (key[23]! << 8)) + (f >>> 16); out[at + 6] = f; out[at + 7] = f >>> 8;
    f = w4 + (key[24]! | (key[25]! << 8)) + (f >>> 16); out[at + 8] = f; out[at + 9] = f >>> 8;
    f = w5 + (key[26]! | (key[27]! << 8)) + (f >>> 16); out[at + 10] = f; out[at + 11] = f >>> 8;
    f = w6 + (key[28]! | (key[29]! << 8)) + (f >>> 16); out[at + 12] = f; out[at + 13] = f >>> 8;
    f = w7 + (key[30]! | (key[31]! << 8)) + (f >>> 16); out[at + 14] = f; out[at + 15] = f >>> 8;
  }
}
