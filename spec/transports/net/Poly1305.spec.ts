import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Poly1305 } from '../../../transports/net/Poly1305.js';

const P = (1n << 130n) - 5n;

/** A little-endian number from bytes. */
function le(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** RFC 8439 §2.5 written with BigInt, straight from its definition: the oracle. */
function reference(key: Uint8Array, message: Uint8Array): Buffer {
  const r = le(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = le(key.subarray(16, 32));
  let h = 0n;
  for (let i = 0; i < message.length; i += 16) {
    const block = message.subarray(i, i + 16);
    h = ((h + le(block) + (1n << BigInt(8 * block.length))) * r) % P;
  }
  let tag = (h + s) & ((1n << 128n) - 1n);
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++, tag >>= 8n) out[i] = Number(tag & 0xffn);
  return out;
}

/** RFC 8439 §2.8's MAC input for a ciphertext without AAD. */
function aeadInput(ciphertext: Uint8Array): Buffer {
  const padded = Buffer.alloc(Math.ceil(ciphertext.length / 16) * 16 + 16);
  padded.set(ciphertext);
  padded.writeUInt32LE(ciphertext.length, padded.length - 8);
  return padded;
}

function mac(key: Uint8Array, message: Uint8Array): Buffer {
  const out = Buffer.alloc(16);
  new Poly1305().mac(key, message, 0, message.length, out, 0);
  return out;
}

describe('Poly1305 (13-bit limbs in local variables)', () => {
  it("gives RFC 8439 §2.5.2's tag for its example", () => {
    const key = Buffer.from('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b', 'hex');
    expect(mac(key, Buffer.from('Cryptographic Forum Research Group')).toString('hex')).to.equal('a8061dc1305136c6c22b8baf0c0127a9');
  });

  it('agrees with the definition for every length from 0 to 300, random keys and messages, and at an offset', () => {
    const poly = new Poly1305();
    for (let length = 0; length <= 300; length++) {
      const key = randomBytes(32), data = randomBytes(length + 7);
      const out = Buffer.alloc(20, 0xaa);
      poly.mac(key, data, 7, length, out, 3);
      expect(out.subarray(3, 19).toString('hex'), `length ${length}`).to.equal(reference(key, data.subarray(7)).toString('hex'));
      expect(out[2]).to.equal(0xaa);
      expect(out[19]).to.equal(0xaa);
    }
  });

  it('agrees at the edges of its arithmetic: the largest r and s, messages of all ones, long runs', () => {
    const key = Buffer.alloc(32, 0xff);
    for (const length of [1, 15, 16, 17, 64, 255, 256, 1024, 4096]) {
      const message = Buffer.alloc(length, 0xff);
      expect(mac(key, message).equals(reference(key, message)), `length ${length}`).to.equal(true);
    }
    for (let n = 0; n < 200; n++) {
      const k = randomBytes(32), m = Buffer.alloc(n, n % 2 === 0 ? 0xff : 0);
      k.fill(0xff, 0, 16);
      expect(mac(k, m).equals(reference(k, m)), `case ${n}`).to.equal(true);
    }
  });

  it('reduces an accumulator at or just above 2^130 - 5 to the right tag (r = 1: h is the sum of the blocks)', () => {
    // With r = 1 and s = 0 the tag is (m1 + m2 + 2·2^128) mod (2^130 - 5) mod 2^128: blocks chosen
    // so that the sum lands from 2^130 - 8 to 2^130 - 2 take the final subtraction's both ways.
    const key = Buffer.alloc(32);
    key[0] = 1;
    const first = Buffer.alloc(16, 0xff); // 2^128 - 1
    for (let delta = -3n; delta <= 3n; delta++) {
      let second = (1n << 128n) - 4n + delta; // first + second + 2^129 = 2^130 - 5 + delta
      const block = Buffer.alloc(16);
      for (let i = 0; i < 16; i++, second >>= 8n) block[i] = Number(second & 0xffn);
      const message = Buffer.concat([first, block]);
      const expected = reference(key, message);
      expect(le(expected)).to.equal(((P + delta) % P) & ((1n << 128n) - 1n));
      expect(mac(key, message).toString('hex'), `h = p ${delta}`).to.equal(expected.toString('hex'));
    }
  });

  it("aeadTag is the MAC of RFC 8439 §2.8's padded ciphertext and lengths", () => {
    const poly = new Poly1305();
    for (let length = 0; length <= 100; length++) {
      const key = randomBytes(32), ciphertext = randomBytes(length);
      const out = Buffer.alloc(16);
      poly.aeadTag(key, ciphertext, 0, length, out, 0);
      expect(out.toString('hex'), `length ${length}`).to.equal(reference(key, aeadInput(ciphertext)).toString('hex'));
    }
  });
});
