import { expect } from 'chai';
import { createCipheriv, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ShortAead } from '../../../transports/net/ShortAead.js';

/** node:crypto's ChaCha20-Poly1305 (OpenSSL), no AAD: ciphertext then tag. */
function reference(key: Buffer, nonce: Buffer, plain: Buffer): Buffer {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

describe('ShortAead (ChaCha20-Poly1305 in TypeScript)', () => {
  it('gives byte for byte what node:crypto gives, for every length from 0 to 600 and random keys and nonces', () => {
    for (let length = 0; length <= 600; length++) {
      const key = randomBytes(32), nonce = randomBytes(12), plain = randomBytes(length);
      const out = Buffer.alloc(length + 16);
      expect(new ShortAead(key).seal(nonce, plain, out, 0)).to.equal(length + 16);
      expect(out.toString('hex'), `length ${length}`).to.equal(reference(key, nonce, plain).toString('hex'));
    }
  });

  it('agrees on the edges of Poly1305 arithmetic: all-ones keys, messages and tags near 2^130 - 5', () => {
    for (let n = 0; n < 300; n++) {
      const key = Buffer.alloc(32, 0xff), nonce = Buffer.alloc(12, n & 0xff);
      key[n % 32] = n & 0xff;
      const plain = Buffer.alloc(n, 0xff);
      const out = Buffer.alloc(n + 16);
      new ShortAead(key).seal(nonce, plain, out, 0);
      expect(out.equals(reference(key, nonce, plain)), `case ${n}`).to.equal(true);
    }
  });

  it('writes at an offset and opens what node:crypto sealed; a changed byte, a wrong nonce or key open to nothing', () => {
    const key = randomBytes(32), nonce = randomBytes(12), plain = randomBytes(100);
    const out = Buffer.alloc(4 + 116, 0xaa);
    new ShortAead(key).seal(nonce, plain, out, 4);
    expect(out.subarray(0, 4).equals(Buffer.alloc(4, 0xaa))).to.equal(true);
    const sealed = reference(key, nonce, plain);
    expect(out.subarray(4).equals(sealed)).to.equal(true);
    const aead = new ShortAead(key);
    expect(aead.open(nonce, sealed)!.equals(plain)).to.equal(true);
    for (const at of [0, 50, 99, 100, 115]) {
      const bad = Buffer.from(sealed);
      bad[at]! ^= 0x01;
      expect(aead.open(nonce, bad), `byte ${at}`).to.equal(undefined);
    }
    expect(aead.open(randomBytes(12), sealed)).to.equal(undefined);
    expect(new ShortAead(randomBytes(32)).open(nonce, sealed)).to.equal(undefined);
  });

  it('rekey() moves to another key', () => {
    const k1 = randomBytes(32), k2 = randomBytes(32), nonce = randomBytes(12), plain = Buffer.from('rekeyed');
    const aead = new ShortAead(k1);
    aead.rekey(k2);
    const out = Buffer.alloc(plain.length + 16);
    aead.seal(nonce, plain, out, 0);
    expect(out.equals(reference(k2, nonce, plain))).to.equal(true);
  });

  it('shows no key: inspect and JSON name the cipher only', () => {
    const key = Buffer.alloc(32, 0x5a);
    const aead = new ShortAead(key);
    aead.seal(Buffer.alloc(12), Buffer.from('warm'), Buffer.alloc(20), 0);
    expect(inspect(aead, { depth: Infinity, showHidden: true })).to.equal('ShortAead { chacha20-poly1305 }');
    expect(JSON.stringify(aead)).to.equal('{"aead":"chacha20-poly1305"}');
  });
});
