import { expect } from 'chai';
import { CoroTerminatedError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { encodeFrame } from '../../../transports/io/FrameDecoder.js';
import { ConnectionResetError, EndOfStreamError } from '../../../transports/io/ioErrors.js';
import { expectError, until } from '../../helpers.js';
import { asyncPair, rawPeer, schedulerFixture } from '../../fixtures/index.js';
import { FrameTooLargeError } from '../../../transports/io/ioErrors.js';

describe('AsyncSocket: framed messages (sendMsg/recvMsg)', () => {
  const fx = schedulerFixture();

  async function peer(options = {}) {
    const p = await rawPeer(fx.sched, options);
    fx.cleanup.push(p.close);
    return p;
  }

  it('round-trips empty, small and large messages in order, then undefined at a clean end of stream', async () => {
    const { client, conn, close } = await asyncPair(fx.sched);
    fx.cleanup.push(close);
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
    const sender = fx.sched.spawn(async (coro) => {
      await client.sendMsg(Buffer.alloc(0), { coro });
      await client.sendMsg(Buffer.from('hello'), { coro });
      await client.sendMsg(big, { coro });
      client.close();
    });
    const got = fx.sched.spawn(async (coro) => {
      const out: Array<Buffer | undefined> = [];
      for (let i = 0; i < 4; i++) out.push(await conn.recvMsg({ coro, timeout: 5000 }));
      return out;
    });
    await sender.finish();
    const [empty, hello, large, end] = (await got.value()) as Array<Buffer | undefined>;
    expect(empty!.length).to.equal(0);
    expect(String(hello)).to.equal('hello');
    expect(large!.equals(big)).to.equal(true);
    expect(end).to.equal(undefined);
  });

  it('uses the shared 4-byte big-endian framing of runtime/FrameCodec', async () => {
    const { sock, peer: p } = await peer();
    p.write(Buffer.concat([encodeFrame(Buffer.from('one')), encodeFrame(Buffer.from('two'))]));
    expect(String(await sock.recvMsg({ timeout: 2000 }))).to.equal('one');
    expect(String(await sock.recvMsg({ timeout: 2000 }))).to.equal('two');
    const chunks: Buffer[] = [];
    p.on('data', (c: Buffer) => chunks.push(c));
    await sock.sendMsg(Buffer.from('abc'));
    await until(() => Buffer.concat(chunks).length === 7);
    expect(Buffer.concat(chunks).equals(encodeFrame(Buffer.from('abc')))).to.equal(true);
  });

  it('a header split byte by byte still parses', async () => {
    const { sock, peer: p } = await peer();
    const frame = encodeFrame(Buffer.from('split'));
    const got = sock.recvMsg({ timeout: 2000 });
    // One byte per chunk: each is buffered alone before the next is written.
    for (let i = 0; i < frame.length - 1; i++) {
      p.write(frame.subarray(i, i + 1));
      await until(() => sock.buffered === i + 1);
    }
    p.write(frame.subarray(frame.length - 1));
    expect(String(await got)).to.equal('split');
  });

  it('a length above maxMessageSize throws FrameTooLargeError before buffering the payload; other connections are unaffected', async () => {
    const { sock, peer: p } = await peer({ maxMessageSize: 1024 });
    const other = await peer();
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1 << 30);
    p.write(header);
    const err = await expectError(() => sock.recvMsg({ timeout: 2000 }), FrameTooLargeError);
    expect(err.code).to.equal('ERR_FRAME_TOO_LARGE');
    expect(err.length).to.equal(1 << 30);
    other.peer.write(encodeFrame(Buffer.from('fine')));
    expect(String(await other.sock.recvMsg({ timeout: 2000 }))).to.equal('fine');
  });

  it('sendMsg larger than maxMessageSize throws FrameTooLargeError and sends nothing', async () => {
    const { sock, peer: p } = await peer({ maxMessageSize: 8 });
    let received = 0;
    p.on('data', (c: Buffer) => (received += c.length));
    await expectError(() => sock.sendMsg(Buffer.alloc(9)), FrameTooLargeError);
    await sock.sendMsg(Buffer.alloc(8));
    await until(() => received === 12);
  });

  it('end of stream in the middle of a frame throws EndOfStreamError', async () => {
    const { sock, peer: p } = await peer();
    p.end(encodeFrame(Buffer.from('truncated')).subarray(0, 8));
    await expectError(() => sock.recvMsg({ timeout: 2000 }), EndOfStreamError);
  });

  it('a peer that resets mid-message gives ConnectionResetError; another connection keeps working', async () => {
    const { sock, peer: p } = await peer();
    const other = await peer();
    const pending = sock.recvMsg({ timeout: 5000 });
    p.write(encodeFrame(Buffer.alloc(1000)).subarray(0, 500));
    await until(() => sock.buffered === 500);
    p.resetAndDestroy();
    const err = await expectError(() => pending, ConnectionResetError);
    expect(err.errno).to.equal('ECONNRESET');
    await expectError(() => sock.sendAll(Buffer.from('x')), ConnectionResetError);
    other.peer.write(encodeFrame(Buffer.from('still here')));
    expect(String(await other.sock.recvMsg({ timeout: 2000 }))).to.equal('still here');
  });

  it('a length prefix that never completes times out with TimeoutError and consumes nothing', async () => {
    const { sock, peer: p } = await peer();
    const frame = encodeFrame(Buffer.from('late'));
    p.write(frame.subarray(0, 2));
    await expectError(() => sock.recvMsg({ timeout: 30 }), TimeoutError);
    p.write(frame.subarray(2));
    expect(String(await sock.recvMsg({ timeout: 2000 }))).to.equal('late');
  });

  it('a coroutine terminated in recvMsg mid-frame leaves the frame whole for the next reader', async () => {
    const { sock, peer: p } = await peer();
    const frame = encodeFrame(Buffer.from('0123456789'));
    const first = fx.sched.spawn(async (coro) => sock.recvMsg({ coro }));
    p.write(frame.subarray(0, 7));
    await until(() => sock.buffered === 7);
    first.terminate();
    await expectError(() => first.value(), CoroTerminatedError);
    const second = fx.sched.spawn(async (coro) => String(await sock.recvMsg({ coro, timeout: 2000 })));
    p.write(frame.subarray(7));
    expect(await second.value()).to.equal('0123456789');
  });

  it('sendMsg is cancelled by terminate() while waiting for a slow peer', async () => {
    const { sock, peer: p } = await peer();
    p.pause();
    const writer = fx.sched.spawn(async (coro) => {
      for (let i = 0; i < 1000; i++) await sock.sendMsg(Buffer.alloc(1024 * 1024), { coro });
    });
    await until(() => sock.raw.writableNeedDrain);
    writer.terminate();
    await expectError(() => writer.value(), CoroTerminatedError);
  });
});
