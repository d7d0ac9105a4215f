import { expect } from 'chai';
import { Codec } from '../../../transports/net/Codec.js';
import { FrameDecoder } from '../../../transports/io/FrameDecoder.js';
import { decodeCost, MAX_DECODE_WORK } from '../../../transports/net/decodeCost.js';
import { BATCH, MAX_BATCH_BYTES, MAX_BATCHED_MESSAGE, packFrames } from '../../../transports/net/frameBatch.js';

function unpack(bytes: Buffer): Buffer[] {
  const frames = new FrameDecoder(1 << 20);
  frames.push(bytes);
  const out: Buffer[] = [];
  for (let f = frames.next(); f !== undefined; f = frames.next()) out.push(Buffer.from(f));
  return out;
}

describe('frameBatch', () => {
  const codec = new Codec();

  it('packs runs of small messages into batches that decode to the messages in order, whatever the count (every CBOR array header size)', () => {
    for (const n of [2, 23, 24, 255, 256, 700]) {
      const messages = Array.from({ length: n }, (_, i) => codec.encode([0, 0, 'send', [1, 2, 'sink', i]]));
      const { bytes, frames } = packFrames(messages);
      const payloads = unpack(bytes);
      expect(payloads).to.have.length(frames);
      const decoded = payloads.flatMap((p) => {
        const m = codec.decode(p) as unknown[];
        return m[0] === BATCH ? m.slice(1) : [m];
      });
      expect(decoded).to.deep.equal(Array.from({ length: n }, (_, i) => [0, 0, 'send', [1, 2, 'sink', i]]), `${n} messages`);
      for (const p of payloads) expect(p.length).to.be.at.most(MAX_BATCH_BYTES + 5);
    }
  });

  it('a batch stays under its byte limit (so under the decode budget); large messages and runs of one are plain frames', () => {
    const small = codec.encode(['s', 'y'.repeat(1000)]);
    const large = codec.encode(['l', 'z'.repeat(MAX_BATCHED_MESSAGE + 1)]);
    const { bytes, frames } = packFrames([...Array(40).fill(small), large, small]);
    const payloads = unpack(bytes);
    expect(frames).to.equal(payloads.length);
    const kinds = payloads.map((p) => (codec.decode(p) as unknown[])[0]);
    expect(kinds.filter((k) => k === BATCH).length).to.equal(3, '40 messages of ~1 KiB: three batches under 16 KiB');
    expect(kinds.slice(-2)).to.deep.equal(['l', 's']);
    for (const p of payloads) expect(decodeCost(p).work).to.be.below(MAX_DECODE_WORK);
    expect(packFrames([]).bytes.length).to.equal(0);
  });
});
