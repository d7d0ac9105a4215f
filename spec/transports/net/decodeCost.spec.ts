import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encode as rawEncode, Tag } from 'cbor-x';
import { InvalidArgumentError, Location, ProtocolError, RemoteError } from '../../../index.js';
import { Codec } from '../../../extend.js';
import { decodeCost, MAX_BIGNUM_BYTES, MAX_DECODE_DEPTH, MAX_DECODE_WORK } from '../../../transports/net/decodeCost.js';
import { CHARGE } from '../../../transports/net/decodeCharges.js';

/** A definite-length CBOR array of `n` copies of `item`. */
function array(n: number, item: number[]): Buffer {
  const header = Buffer.from([0x9a, 0, 0, 0, 0]);
  header.writeUInt32BE(n, 1);
  return Buffer.concat([header, Buffer.concat(Array(n).fill(Buffer.from(item)))]);
}
const tagged = (tag: number, content: unknown): Buffer => Buffer.concat([Buffer.from([0xda, tag >>> 24, (tag >> 16) & 255, (tag >> 8) & 255, tag & 255]), rawEncode(content)]);
const MIB = 1 << 20;

describe('decodeCost: the pre-scan before decoding', () => {
  it('charges what decoding builds: time and heap per kind of item', () => {
    expect(decodeCost(rawEncode(1))).to.deep.equal(CHARGE.smallInt);
    expect(decodeCost(rawEncode([1, 2, 3]))).to.deep.equal({ work: CHARGE.array.work + 3 * CHARGE.smallInt.work, heap: CHARGE.array.heap + 3 * CHARGE.smallInt.heap });
    expect(decodeCost(rawEncode('abc')).heap).to.equal(CHARGE.text.heap + 3);
    const indefinite = decodeCost(Buffer.from([0x9f, 0x01, 0xbf, 0x61, 0x61, 0x01, 0xff, 0xff]));
    expect(indefinite.work).to.be.greaterThan(CHARGE.indefiniteArray.work + CHARGE.map.work);
    const codec = new Codec();
    const legit = { list: Array.from({ length: 10_000 }, (_, i) => ({ i, name: `k${i}` })), blob: Buffer.alloc(300_000), at: new Location('127.0.0.1', 9705) };
    expect(decodeCost(codec.encode(legit)).work).to.be.lessThan(MAX_DECODE_WORK);
    expect((codec.decode(codec.encode(legit)) as typeof legit).list.length).to.equal(10_000);
  });

  it('refuses malformed, truncated and too deeply nested input, and what cbor-x cannot decode, with ProtocolError', () => {
    const bad = [[], [0x18], [0x9a, 0, 0, 0, 9, 1], [0x5a, 0, 0, 0, 9, 1], [0x1c], [0xff], [0x3f], [0x5f, 0x41, 0x61, 0xff], [0x7f, 0xff], [0xdf], [0xf0], [0xf8, 0x20], [0xbf, 0x61, 0x61, 0xff]];
    for (const b of bad) expect(() => decodeCost(Buffer.from(b)), JSON.stringify(b)).to.throw(ProtocolError);
    expect(() => decodeCost(Buffer.concat([Buffer.alloc(MAX_DECODE_DEPTH + 1, 0x81), Buffer.from([1])]))).to.throw(ProtocolError, /nested/);
    expect(decodeCost(Buffer.concat([Buffer.alloc(MAX_DECODE_DEPTH, 0x81), Buffer.from([1])])).work).to.be.greaterThan(0);
  });

  it('accepts only the tags the wire uses: cbor-x records, packed values, shared references, bundles, maps of any key and unknown tags are refused', () => {
    const refused = [0, 4, 5, 6, 14, 15, 21, 25, 28, 29, 32, 35, 51, 99, 105, 216, 225, 256, 259, 27647, 28704, 55799, 0xdff9, 0xdffe, 0xdfff, 0xe000, 0x53687264, 41001];
    for (const tag of refused) expect(() => decodeCost(tagged(tag, []), { references: new Set([41000]) }), `tag ${tag}`).to.throw(ProtocolError, /not accepted|tag/);
    const accepted: Array<[number, unknown]> = [[1, 1700000000], [2, Buffer.from([1, 2])], [3, Buffer.from([1])], [27, ['Error', 'x']], [258, [1, 2]], [64, Buffer.alloc(4)], [69, Buffer.alloc(4)], [65, Buffer.alloc(4)], [71, Buffer.alloc(8)], [86, Buffer.alloc(8)], [41000, ['E', null, 'm']]];
    for (const [tag, content] of accepted) expect(decodeCost(tagged(tag, content), { references: new Set([41000]) }).work, `tag ${tag}`).to.be.greaterThan(0);
  });

  it('checks what each tag wraps: a typed array over a map cannot make cbor-x allocate a gigabyte', () => {
    // cbor-x would run `new Uint8Array(1e9)` for this 20-byte item.
    expect(() => decodeCost(tagged(64, { buffer: 1e9, byteOffset: 0 }))).to.throw(ProtocolError, /byte string/);
    expect(() => decodeCost(tagged(69, Buffer.alloc(3)))).to.throw(ProtocolError, /whole 2-byte/);
    expect(() => decodeCost(tagged(2, 'digits'))).to.throw(ProtocolError, /byte string/);
    expect(() => decodeCost(tagged(2, Buffer.alloc(MAX_BIGNUM_BYTES + 1, 1)))).to.throw(ProtocolError, /bignum of 1025 bytes/);
    expect(() => decodeCost(tagged(1, 'tomorrow'))).to.throw(ProtocolError, /date/);
    expect(() => decodeCost(tagged(258, { a: 1 }))).to.throw(ProtocolError, /set/);
    expect(() => decodeCost(tagged(27, 'RegExp'))).to.throw(ProtocolError, /array/);
    for (const key of [[1], { a: 1 }, Buffer.from('k'), new Date(0)]) {
      expect(() => decodeCost(Buffer.concat([Buffer.from([0xa1]), rawEncode(key), Buffer.from([0x01])]))).to.throw(ProtocolError, /map key/);
    }
  });

  it('bignums cost by their length squared; maps cost more for a key sequence not seen before in the frame', () => {
    const big = (n: number) => decodeCost(tagged(2, Buffer.alloc(n, 0xab))).work;
    expect(big(1024) / big(128)).to.be.greaterThan(15);
    const sameShape = rawEncode(Array.from({ length: 1000 }, (_, i) => ({ a: i, b: i })));
    const newShapes = rawEncode(Array.from({ length: 1000 }, (_, i) => ({ [`a${i}`]: i, [`b${i}`]: i })));
    expect(decodeCost(newShapes).work / decodeCost(sameShape).work).to.be.greaterThan(3);
    const keyed = (key: (i: number) => unknown): Buffer => Buffer.concat([Buffer.from([0xb8, 100]), ...Array.from({ length: 100 }, (_, i) => Buffer.concat([rawEncode(key(i)), Buffer.from([0x01])]))]);
    const floatKeys = keyed((i) => i + 0.5);
    const intKeys = keyed((i) => i + 1000);
    expect(decodeCost(floatKeys).work).to.be.greaterThan(decodeCost(intKeys).work);
  });

  it('a 1 MiB frame of empty maps, empty byte strings, errors or shared references is refused before decoding; 400,000 small integers are accepted', () => {
    const codec = new Codec();
    for (const [what, item] of [['maps', [0xa0]], ['arrays', [0x80]], ['bytes', [0x40]], ['tag 27', [0xd8, 0x1b, 0x80]], ['errors', [0xd9, 0xa0, 0x28, 0x83, 0x60, 0xf6, 0x60]]] as const) {
      const bomb = array(Math.floor((MIB - 5) / item.length), [...item]);
      expect(() => codec.decode(bomb), what).to.throw(ProtocolError, /too costly/);
    }
    expect(() => codec.decode(array(Math.floor(MIB / 3), [0xd8, 0x1d, 0x00]))).to.throw(ProtocolError, /tag 29/);
    expect((codec.decode(array(400_000, [0x01])) as number[]).length).to.equal(400_000);
  });
});

describe('Codec: the check before every decode and at every send', () => {
  it('a short frame is checked as soon as it holds a tag: no 1 GB typed array, no shared-reference graph', () => {
    const codec = new Codec();
    const gigabyte = tagged(64, { buffer: 1e9 });
    expect(gigabyte.length).to.be.lessThan(MAX_DECODE_DEPTH);
    expect(() => codec.decode(gigabyte)).to.throw(ProtocolError);
    // [tag28([1]), tag29(0), tag29(0)]: cbor-x's value sharing, which a 100-byte frame can turn into a graph of 2^50 paths.
    expect(() => codec.decode(Buffer.from([0x83, 0xd8, 0x1c, 0x81, 0x01, 0xd8, 0x1d, 0x00, 0xd8, 0x1d, 0x00]))).to.throw(ProtocolError, /tag 28/);
    expect(codec.decode(codec.encode([1, 'two', new Date(0)]))).to.deep.equal([1, 'two', new Date(0)]);
  });

  it('refuses to send what the receiver would refuse: a cbor-x Tag, a bignum over the limit, nesting too deep (InvalidArgumentError)', () => {
    const codec = new Codec();
    expect(() => codec.encode([new Tag('x', 99)])).to.throw(InvalidArgumentError, /Tag \(99\)/);
    expect(() => codec.encode(2n ** BigInt(8 * MAX_BIGNUM_BYTES + 8))).to.throw(InvalidArgumentError, /bignum/);
    expect(codec.decode(codec.encode(2n ** BigInt(8 * MAX_BIGNUM_BYTES - 8)))).to.equal(2n ** BigInt(8 * MAX_BIGNUM_BYTES - 8));
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_DECODE_DEPTH; i++) deep = [deep];
    expect(() => codec.encode(deep)).to.throw(InvalidArgumentError, /nested/);
    expect(() => codec.encode(Array.from({ length: 300_000 }, () => ({})))).to.throw(InvalidArgumentError, /too costly/);
    // Outside a Codec, cbor-x encodes its Tag as before.
    expect([...rawEncode(new Tag('x', 99))].slice(0, 2)).to.deep.equal([0xd8, 99]);
  });

  it('errors rebuilt from the wire capture no local stack (nested error tags stay cheap to decode)', () => {
    const codec = new Codec();
    const chain = Buffer.concat([Buffer.concat(Array(60).fill(Buffer.from([0xd8, 0x1b, 0x81]))), Buffer.from([0x80])]); // tag 27 of [tag 27 of [...]]
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
});

describe('decodeCost: the costliest frame that passes, decoded for real (spec/fixtures/costlyFrames.ts)', function () {
  this.timeout(120_000);
  const PROBE = fileURLToPath(new URL('../../fixtures/decodeCostProbe.js', import.meta.url));
  type Result = { family: string; n: number; bytes: number; cpuMs: number; heapMB: number };
  const children: ChildProcess[] = [];
  const probes = new Map<number, Promise<Result[]>>();
  after(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
  });

  /**
   * Runs the probe in a process of its own (single-threaded: its CPU time is the decoding thread's).
   * Both sizes' probes start with the first test: each is one process on one core, and what they
   * measure is CPU time, which the other does not change.
   */
  function probe(maxFrame: number): Promise<Result[]> {
    const child = spawn(process.execPath, ['--single-threaded', '--expose-gc', PROBE, String(maxFrame)], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '', err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').map((l) => JSON.parse(l))) : reject(new Error(`probe exited ${code}: ${err}`))));
    });
  }
  const SIZES = [['the default maxFrame (1 MiB)', MIB], ['maxFrame 16 MiB', 16 * MIB]] as const;
  const results = (maxFrame: number): Promise<Result[]> => {
    if (probes.size === 0) {
      for (const [, size] of SIZES) {
        const running = probe(size);
        running.catch(() => undefined); // its own test reports the failure, not an unhandled rejection
        probes.set(size, running);
      }
    }
    return probes.get(maxFrame)!;
  };

  for (const [label, maxFrame] of SIZES) {
    it(`at ${label}, every family's costliest accepted frame decodes within 50 ms of CPU and 20 MB of heap`, async () => {
      const all = await results(maxFrame);
      expect(all.length).to.be.greaterThan(25);
      for (const r of all) {
        expect(r.n, r.family).to.be.greaterThan(0);
        expect(r.bytes, r.family).to.be.at.most(maxFrame);
        expect(r.cpuMs, `${r.family}: ${r.cpuMs} ms`).to.be.at.most(50);
        expect(r.heapMB, `${r.family}: ${r.heapMB} MB`).to.be.at.most(20);
      }
    });
  }
});
