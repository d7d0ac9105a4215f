import { expect } from 'chai';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { encodeFrame, FrameDecoder, writeFrameHeader } from '../../../transports/io/FrameDecoder.js';
import { FrameTooLargeError } from '../../../transports/io/ioErrors.js';

function header(length: number): Buffer {
  const b = Buffer.alloc(4);
  writeFrameHeader(b, 0, length);
  return b;
}

describe('FrameCodec', () => {
  it('encodeFrame writes a 4-byte big-endian length then the payload', () => {
    const f = encodeFrame(Buffer.from('hey'));
    expect([...f]).to.deep.equal([0, 0, 0, 3, 0x68, 0x65, 0x79]);
    expect(() => encodeFrame(Buffer.alloc(10), 9)).to.throw(FrameTooLargeError);
  });

  it('decodes frames split at every possible chunk boundary', () => {
    const payloads = ['', 'a', 'hello world', 'x'.repeat(300), ''].map((s) => Buffer.from(s));
    const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
    for (let size = 1; size <= stream.length; size += size < 12 ? 1 : 37) {
      const dec = new FrameDecoder(1024);
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += size) {
        dec.push(stream.subarray(i, i + size));
        for (let f = dec.next(); f !== undefined; f = dec.next()) out.push(f.toString());
      }
      expect(out, `chunk size ${size}`).to.deep.equal(payloads.map((p) => p.toString()));
      expect(dec.buffered).to.equal(0);
      expect(dec.partial).to.equal(false);
    }
  });

  it('zero-length frames come out as empty buffers, several per chunk', () => {
    const dec = new FrameDecoder();
    dec.push(Buffer.concat([header(0), header(0), header(0)]));
    const frames = [dec.next(), dec.next(), dec.next(), dec.next()];
    expect(frames.slice(0, 3).map((f) => f?.length)).to.deep.equal([0, 0, 0]);
    expect(frames[3]).to.equal(undefined);
  });

  it('frames given a byte at a time, mixed with large chunks, come out whole and keep their bytes after more arrive', () => {
    const payloads = [Buffer.alloc(9000, 7), Buffer.from('tiny'), Buffer.alloc(300, 1), Buffer.alloc(5000, 3), Buffer.alloc(0), Buffer.from('end')];
    const wire = Buffer.concat(payloads.map((p) => encodeFrame(p)));
    const dec = new FrameDecoder(1 << 20);
    const got: Buffer[] = [];
    // Byte by byte, except one run of 700 bytes (a large chunk between small ones).
    for (let at = 0; at < wire.length; ) {
      const n = at === 5000 ? 700 : 1;
      dec.push(wire.subarray(at, at + n));
      at += n;
      for (let f = dec.next(); f !== undefined; f = dec.next()) got.push(f);
    }
    expect(got.length).to.equal(payloads.length);
    got.forEach((f, i) => expect(f.equals(payloads[i]!), `frame ${i}`).to.equal(true));
    expect(dec.partial).to.equal(false);
  });

  it('reports a partial frame until it is complete', () => {
    const dec = new FrameDecoder();
    dec.push(Buffer.from([0, 0]));
    expect(dec.partial).to.equal(true);
    expect(dec.next()).to.equal(undefined);
    dec.push(Buffer.from([0, 2, 0x41]));
    expect(dec.next()).to.equal(undefined);
    expect(dec.partial).to.equal(true);
    dec.push(Buffer.from([0x42]));
    expect(dec.next()?.toString()).to.equal('AB');
    expect(dec.partial).to.equal(false);
  });

  it('throws FrameTooLargeError as soon as an oversized header arrives, before any payload, and resets', () => {
    const dec = new FrameDecoder(100);
    dec.push(header(100).subarray(0, 2));
    dec.push(header(100).subarray(2)); // exactly the limit is fine
    expect(dec.partial).to.equal(true);
    dec.reset();
    dec.push(header(0xfffffff0).subarray(0, 3));
    let err: unknown;
    try {
      dec.push(header(0xfffffff0).subarray(3));
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(FrameTooLargeError);
    expect((err as FrameTooLargeError).code).to.equal('ERR_FRAME_TOO_LARGE');
    expect((err as FrameTooLargeError).length).to.equal(0xfffffff0);
    expect((err as FrameTooLargeError).limit).to.equal(100);
    expect(dec.buffered).to.equal(0);
    dec.push(encodeFrame(Buffer.from('ok')));
    expect(dec.next()?.toString()).to.equal('ok');
  });

  it('a complete frame is not lost when the header after it is oversized', () => {
    const dec = new FrameDecoder(10);
    dec.push(Buffer.concat([encodeFrame(Buffer.from('good')), header(1000)]));
    expect(dec.next()?.toString()).to.equal('good');
    expect(() => dec.next()).to.throw(FrameTooLargeError);
    expect(dec.buffered).to.equal(0);
  });

  it('rejects a bad maxFrame with InvalidArgumentError', () => {
    for (const bad of [-1, 1.5, NaN, 2 ** 32, '5']) expect(() => new FrameDecoder(bad as any)).to.throw(InvalidArgumentError);
  });
});
