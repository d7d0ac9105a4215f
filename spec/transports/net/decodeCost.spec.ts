import { expect } from 'chai';
import { encode as rawEncode } from 'cbor-x';
import { InvalidArgumentError, Location, ProtocolError, RemoteError } from '../../../index.js';
import { Codec } from '../../../extend.js';
import { decodeCost, MAX_DECODE_COST, MAX_DECODE_DEPTH } from '../../../transports/net/decodeCost.js';

/** A definite-length CBOR array of `n` copies of `item`. */
function array(n: number, item: number[]): Buffer {
  const header = Buffer.from([0x9a, 0, 0, 0, 0]);
  header.writeUInt32BE(n, 1);
  return Buffer.concat([header, Buffer.concat(Array(n).fill(Buffer.from(item)))]);
}
const MIB = 1 << 20;

describe('decodeCost: the pre-scan before decoding', () => {
  it('counts what decoding would build, and agrees with cbor-x on what is complete', () => {
    expect(decodeCost(rawEncode(1))).to.equal(1);
    expect(decodeCost(rawEncode([1, 2, 3]))).to.equal(4 + 3);
    expect(decodeCost(rawEncode({ a: 1 }))).to.equal(6 + 2);
    expect(decodeCost(Buffer.from([0x9f, 0x01, 0xbf, 0x61, 0x61, 0x01, 0xff, 0xff]))).to.equal(4 + 1 + 6 + 2); // indefinite array and map
    const codec = new Codec();
    const legit = { list: Array.from({ length: 20_000 }, (_, i) => ({ i, name: `k${i}` })), blob: Buffer.alloc(300_000), at: new Location('127.0.0.1', 9705) };
    expect(decodeCost(codec.encode(legit))).to.be.lessThan(MAX_DECODE_COST);
    expect((codec.decode(codec.encode(legit)) as typeof legit).list.length).to.equal(20_000);
  });

  it('refuses malformed, truncated and too deeply nested input with ProtocolError', () => {
    for (const bad of [[], [0x18], [0x9a, 0, 0, 0, 9, 1], [0x5a, 0, 0, 0, 9, 1], [0x1c], [0xff], [0x3f]]) {
      expect(() => decodeCost(Buffer.from(bad)), JSON.stringify(bad)).to.throw(ProtocolError);
    }
    expect(() => decodeCost(Buffer.concat([Buffer.alloc(MAX_DECODE_DEPTH + 1, 0x81), Buffer.from([1])]))).to.throw(ProtocolError, /nested/);
    expect(decodeCost(Buffer.concat([Buffer.alloc(MAX_DECODE_DEPTH, 0x81), Buffer.from([1])]))).to.be.greaterThan(0);
  });

  it('a 1 MiB frame of empty maps, empty arrays, empty byte strings or generic-object tags is refused before decoding', () => {
    const codec = new Codec();
    for (const [what, item] of [['maps', [0xa0]], ['arrays', [0x80]], ['bytes', [0x40]], ['tag 27', [0xd8, 0x1b, 0x80]], ['errors', [0xd9, 0xa0, 0x28, 0x83, 0x60, 0xf6, 0x60]]] as const) {
      const bomb = array(Math.floor((MIB - 5) / item.length), [...item]);
      expect(() => codec.decode(bomb), what).to.throw(ProtocolError, /too costly/);
    }
    // A 1 MiB array of small integers is cheap to decode, and is accepted.
    expect((codec.decode(array(MIB - 5, [0x01])) as number[]).length).to.equal(MIB - 5);
  });

  it('errors rebuilt from the wire capture no local stack (nested error tags stay cheap to decode)', () => {
    const codec = new Codec();
    const chain = Buffer.concat([Buffer.concat(Array(100).fill(Buffer.from([0xd8, 0x1b]))), Buffer.from([0x80])]); // tag 27 inside tag 27 ...
    const frame = Buffer.concat([Buffer.from([0x98, 50]), ...Array(50).fill(chain)]);
    const decoded = codec.decode(frame) as RemoteError[];
    expect(decoded.length).to.equal(50);
    expect(decoded[0]).to.be.instanceOf(RemoteError);
    expect(String(decoded[0].stack)).to.not.include('\n    at ');
    const original = new Error('far away');
    const remote = codec.decode(codec.encode(original)) as RemoteError;
    expect(remote.remoteMessage).to.equal('far away');
    // Its frames are the ones it had where it was thrown (carried as data), none captured here.
    expect(String(remote.stack).split('\n').slice(1)).to.deep.equal(String(original.stack).split('\n').slice(1));
    expect(new Error('here').stack).to.include('\n    at '); // and stacks are back afterwards
  });

  it('a message the receiver would refuse is refused when encoded (InvalidArgumentError)', () => {
    const codec = new Codec();
    expect(() => codec.encode(Array.from({ length: 300_000 }, () => ({})))).to.throw(InvalidArgumentError, /too costly/);
  });
});
