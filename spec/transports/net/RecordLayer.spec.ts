import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { AuthenticationError, PeerUnreachableError, ProtocolError } from '../../../index.js';
import { encodeFrame } from '../../../transports/io/FrameDecoder.js';
import { handshake, newNodeId, type HandshakeResult } from '../../../transports/net/handshake.js';
import { PeerConnection } from '../../../transports/net/PeerConnection.js';
import { PeerKeys } from '../../../transports/net/PeerKeys.js';
import { MAX_RECORD_PLAINTEXT, RECORD_OVERHEAD, RecordLayer } from '../../../transports/net/RecordLayer.js';
import { netPair as socketPair } from '../../fixtures/index.js';
import { settle, until } from '../../helpers.js';


const KEYS = PeerKeys.from('record layer secret', undefined);
const params = (name: string, keys = KEYS, timeout = 3000) => ({ self: { nodeId: newNodeId(), host: '127.0.0.1', port: 1000, name }, keys, timeout });

/** A link each side: frames received, and how each side's connection closed. */
interface Side {
  conn: PeerConnection;
  frames: Buffer[];
  closed: Error | undefined | 'open';
  result: HandshakeResult;
}

function side(result: HandshakeResult, initiator: boolean): Side {
  const s = { frames: [], closed: 'open', result } as unknown as Side;
  s.conn = new PeerConnection(result.socket, initiator, 16 << 20, result.leftover, { frame: (f) => void s.frames.push(Buffer.from(f as Buffer)), closed: (err) => (s.closed = err) }, undefined, result.records);
  return s;
}

describe('RecordLayer (sealed links, real TCP on loopback)', function () {
  this.timeout(20_000);
  let pair: Awaited<ReturnType<typeof socketPair>>;
  let client: Side, server: Side;
  beforeEach(async () => {
    pair = await socketPair();
    const [c, s] = await Promise.all([handshake(pair.client, 'initiator', params('client')), handshake(pair.server, 'responder', params('server'))]);
    client = side(c, true);
    server = side(s, false);
  });
  afterEach(() => {
    client.conn.close(undefined, false);
    server.conn.close(undefined, false);
    pair.close();
  });

  it('carries small and large messages both ways, in order, nothing readable on the wire', async () => {
    const wire: Buffer[] = [];
    pair.server.on('data', (d: Buffer) => wire.push(d));
    const large = randomBytes(3 * MAX_RECORD_PLAINTEXT + 1234);
    const small = Array.from({ length: 500 }, (_, i) => Buffer.from(`small message ${i}`));
    for (const m of small) client.conn.write(m);
    client.conn.write(large);
    server.conn.write(large);
    for (const m of small) server.conn.write(m);
    // Small messages written in one turn share batch frames (frameBatch.ts): their bytes arrive in order.
    const inOrder = (got: Buffer[]): boolean => {
      const all = Buffer.concat(got);
      let at = 0;
      for (const m of small) if ((at = all.indexOf(m, at)) < 0) return false;
      return got.some((f) => f.equals(large));
    };
    await until(() => inOrder(server.frames) && inOrder(client.frames), 10_000, 'every message each way');
    expect(server.frames.at(-1)!.equals(large), 'after the small ones').to.equal(true);
    expect(client.frames[0]!.equals(large), 'before the small ones').to.equal(true);
    expect(Buffer.concat(wire).includes('small message')).to.equal(false);
    expect([client.closed, server.closed]).to.deep.equal(['open', 'open']);
  });

  for (const [where, at] of [['ciphertext', 6], ['tag', -1]] as const) {
    it(`a flipped bit in the ${where} of a record on the wire closes the link with AuthenticationError, nothing of it delivered`, async () => {
      const sealed = client.result.records!.seal(encodeFrame(Buffer.from('tampered with')));
      sealed[at < 0 ? sealed.length + at : at] ^= 0x04;
      pair.client.write(sealed);
      await until(() => server.closed !== 'open', 5000, 'the link to close');
      expect(AuthenticationError.is(server.closed), String(server.closed)).to.equal(true);
      expect(server.frames).to.deep.equal([]);
    });
  }

  it('a replayed record is refused (the link closes with AuthenticationError) after the original was delivered once', async () => {
    const sealed = client.result.records!.seal(encodeFrame(Buffer.from('once')));
    pair.client.write(sealed);
    await until(() => server.frames.length === 1, 5000, 'the original');
    pair.client.write(sealed);
    await until(() => server.closed !== 'open', 5000, 'the link to close');
    expect(AuthenticationError.is(server.closed), String(server.closed)).to.equal(true);
    expect(server.frames.map(String)).to.deep.equal(['once']);
  });

  it('reordered records are refused: the first out of order closes the link', async () => {
    const records = client.result.records!;
    const first = records.seal(encodeFrame(Buffer.from('first'))), second = records.seal(encodeFrame(Buffer.from('second')));
    pair.client.write(Buffer.concat([second, first]));
    await until(() => server.closed !== 'open', 5000, 'the link to close');
    expect(AuthenticationError.is(server.closed), String(server.closed)).to.equal(true);
    expect(server.frames).to.deep.equal([]);
  });

  it('a record length above the bound is refused from its 4 bytes, before anything is buffered', async () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(0xfffffff0);
    pair.client.write(header); // nothing follows: the refusal cannot wait for the body
    await until(() => server.closed !== 'open', 5000, 'the link to close');
    expect((server.closed as Error & { code?: string }).code).to.equal('ERR_FRAME_TOO_LARGE');
    const shortest = Buffer.alloc(4 + 8); // shorter than a tag: no record at all
    shortest.writeUInt32BE(8);
    const [, b] = pair_of_layers();
    expect(() => b.open(shortest)).to.throw(AuthenticationError, /shorter than its tag/);
  });
});

/** Two ends of a record layer with the same keys, without a connection. */
function pair_of_layers(perKey?: number): [RecordLayer, RecordLayer] {
  const k1 = randomBytes(32), k2 = randomBytes(32);
  return [new RecordLayer(k1, k2, perKey), new RecordLayer(k2, k1, perKey)];
}

describe('RecordLayer (keys and records)', () => {
  it('splits a write above 64 KiB into records and opens them, in order, from any chunking', () => {
    const [a, b] = pair_of_layers();
    const plain = randomBytes(2 * MAX_RECORD_PLAINTEXT + 10);
    const sealed = a.seal(plain);
    expect(sealed.length).to.equal(plain.length + 3 * RECORD_OVERHEAD);
    const out: Buffer[] = [];
    for (let o = 0; o < sealed.length; o += 7777) out.push(...b.open(sealed.subarray(o, o + 7777)));
    expect(out.map((p) => p.length)).to.deep.equal([MAX_RECORD_PLAINTEXT, MAX_RECORD_PLAINTEXT, 10]);
    expect(Buffer.concat(out).equals(plain)).to.equal(true);
  });

  it('a changed length header fails the tag (Poly1305 covers the ciphertext length)', () => {
    const [a, b] = pair_of_layers();
    const sealed = a.seal(Buffer.from('sixteen bytes!!!'));
    sealed.writeUInt32BE(sealed.readUInt32BE(0) - 1);
    expect(() => b.open(sealed)).to.throw(AuthenticationError);
  });

  it('records of every size go through the same AEAD: short ones in TypeScript, longer ones in node:crypto, both refuse a flipped bit', () => {
    for (const size of [1, 255, 256, 257, 1000, MAX_RECORD_PLAINTEXT]) {
      const [a, b] = pair_of_layers();
      const plain = randomBytes(size);
      expect(Buffer.concat(b.open(a.seal(plain))).equals(plain), `${size} bytes`).to.equal(true);
      const bad = a.seal(plain);
      bad[4 + Math.floor(size / 2)]! ^= 0x10;
      expect(() => b.open(bad), `${size} bytes, flipped`).to.throw(AuthenticationError);
    }
  });

  it('refuses an authentic record with no plaintext (no writer seals one) with a typed error, and a tampered empty one as any other', () => {
    const [a, b] = pair_of_layers();
    expect(String(b.open(a.seal(Buffer.from('before')))[0])).to.equal('before');
    const empty = a.seal(Buffer.alloc(0));
    expect(empty.length).to.equal(RECORD_OVERHEAD);
    expect(() => b.open(empty)).to.throw(ProtocolError, /empty record/).with.property('code', 'ERR_PROTOCOL');
    const [c, d] = pair_of_layers();
    const bad = c.seal(Buffer.alloc(0));
    bad[4]! ^= 1;
    expect(() => d.open(bad)).to.throw(AuthenticationError);
  });

  it('opens received bytes a record at a time: next() gives one plaintext per call, pending says bytes wait', () => {
    const [a, b] = pair_of_layers();
    const wire = Buffer.concat([a.seal(Buffer.from('one')), a.seal(Buffer.from('two')), a.seal(Buffer.from('three')).subarray(0, 10)]);
    expect(b.pending).to.equal(false);
    b.push(wire);
    expect(String(b.next())).to.equal('one');
    expect(String(b.next())).to.equal('two');
    expect(b.next()).to.equal(undefined);
    expect(b.pending, 'part of the third record').to.equal(true);
  });

  it('moves both directions to a key derived from the last one after its share of records, without a message', () => {
    const [a, b] = pair_of_layers(3);
    for (let i = 0; i < 10; i++) expect(String(b.open(a.seal(Buffer.from(`m${i}`)))[0])).to.equal(`m${i}`);
    // A receiver that stays on the first key fails at the first record under the next one.
    const k1 = randomBytes(32), k2 = randomBytes(32);
    const sender = new RecordLayer(k1, k2, 3), stays = new RecordLayer(k2, k1, 1000);
    for (let i = 0; i < 3; i++) stays.open(sender.seal(Buffer.from('x')));
    expect(() => stays.open(sender.seal(Buffer.from('under the next key')))).to.throw(AuthenticationError);
  });

  it('each connection has its own keys: a record of one connection does not open on another with the same secret', async () => {
    const nonces = () => [randomBytes(32), randomBytes(32)] as const;
    const [i1, r1] = nonces(), [i2, r2] = nonces();
    const one = KEYS.records(i1, r1, 'initiator'), other = KEYS.records(i2, r2, 'responder');
    const sameConnection = KEYS.records(i1, r1, 'responder');
    const sealed = one.seal(Buffer.from('for connection one'));
    expect(String(sameConnection.open(sealed)[0])).to.equal('for connection one');
    expect(() => other.open(sealed)).to.throw(AuthenticationError);
  });

  it('shows no key: inspect and JSON name the cipher only', () => {
    const layer = KEYS.records(randomBytes(32), randomBytes(32), 'initiator');
    expect(inspect(layer, { depth: Infinity, showHidden: true })).to.equal('RecordLayer { chacha20-poly1305 }');
    expect(JSON.stringify(layer)).to.equal('{"records":"chacha20-poly1305"}');
  });
});

describe('the sealed handshake (real TCP on loopback)', function () {
  this.timeout(20_000);

  it('a wrong secret fails at the first record: the responder reads nothing more from it and answers REJECT auth', async () => {
    const pair = await socketPair();
    try {
      const wrong = PeerKeys.from('another secret', undefined);
      const [c, s] = await Promise.all([settle(handshake(pair.client, 'initiator', params('c', wrong))), settle(handshake(pair.server, 'responder', params('s')))]);
      expect(AuthenticationError.is(s.error), String(s.error)).to.equal(true);
      expect(s.error.message).to.match(/first sealed record/);
      expect(AuthenticationError.is(c.error), String(c.error)).to.equal(true);
      expect(c.error.message).to.match(/rejected our authentication/);
      // Greeting (63 bytes) and the 12-byte REJECT: no sealed byte left the responder.
      expect(pair.server.bytesWritten).to.equal(63 + 12);
    } finally {
      pair.close();
    }
  });

  it('a handshake cut short after the nonce (half a confirmation record) times out on the responder', async () => {
    const pair = await socketPair();
    try {
      const serving = settle(handshake(pair.server, 'responder', params('s', KEYS, 300)));
      const greeting = await new Promise<Buffer>((r) => pair.client.once('data', r));
      expect(greeting.length).to.equal(63);
      // magic, type 6, a nonce and an X25519 share (the initiator's NONCE frame).
      const nonce = encodeFrame(Buffer.concat([greeting.subarray(greeting.length - 37, greeting.length - 32), randomBytes(64)]));
      const half = Buffer.alloc(4 + 24);
      half.writeUInt32BE(48);
      pair.client.write(Buffer.concat([nonce, half]));
      const r = await serving;
      expect(PeerUnreachableError.is(r.error), String(r.error)).to.equal(true);
      expect(r.error.message).to.match(/timed out/);
    } finally {
      pair.close();
    }
  });
});
