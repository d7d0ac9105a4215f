import net from 'node:net';
import { expect } from 'chai';
import { CoroTerminatedError, InvalidArgumentError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { AsyncSocket } from '../../../transports/io/AsyncSocket.js';
import { EndOfStreamError, LineTooLongError, SocketClosedError } from '../../../transports/io/ioErrors.js';
import { expectError, until } from '../../helpers.js';
import { asyncPair, rawPeer, schedulerFixture } from '../../fixtures/index.js';

describe('AsyncSocket: reads and writes', () => {
  const fx = schedulerFixture();

  async function peer(options = {}) {
    const p = await rawPeer(fx.sched, options);
    fx.cleanup.push(p.close);
    return p;
  }

  it('round-trips between a connected and an accepted socket; recv gives an empty Buffer at end of stream', async () => {
    const { client, conn, close } = await asyncPair(fx.sched);
    fx.cleanup.push(close);
    expect(await client.send(Buffer.from('hello'))).to.equal(5);
    expect(String(await conn.recvAll(5, { timeout: 2000 }))).to.equal('hello');
    await conn.sendAll(Buffer.from('world'));
    expect(String(await client.recv(100, { timeout: 2000 }))).to.equal('world');
    conn.close();
    expect((await client.recv(100, { timeout: 2000 })).length).to.equal(0);
  });

  it('recv(n) returns at most n bytes and leaves the rest', async () => {
    const { sock, peer: p } = await peer();
    p.write('abcdef');
    await until(() => sock.buffered === 6);
    expect(String(await sock.recv(4))).to.equal('abcd');
    expect(String(await sock.recv(4))).to.equal('ef');
  });

  it('recvAll assembles exactly n bytes from several chunks', async () => {
    const { sock, peer: p } = await peer();
    const got = sock.recvAll(9, { timeout: 2000 });
    // Each part arrives alone: the pending recvAll keeps what arrived buffered until it has all 9 bytes.
    for (const [part, buffered] of [['abc', 3], ['def', 6]] as const) {
      p.write(part);
      await until(() => sock.buffered === buffered);
    }
    p.write('ghijk');
    expect(String(await got)).to.equal('abcdefghi');
    expect(String(await sock.recv(10, { timeout: 2000 }))).to.equal('jk');
  });

  it('recvAll at end of stream throws EndOfStreamError and leaves the partial bytes readable', async () => {
    const { sock, peer: p } = await peer();
    p.end('abc');
    await expectError(() => sock.recvAll(10, { timeout: 2000 }), EndOfStreamError);
    expect(String(await sock.recv(10))).to.equal('abc');
    expect((await sock.recv(10)).length).to.equal(0);
  });

  it('recvAll times out with TimeoutError and consumes nothing', async () => {
    const { sock, peer: p } = await peer();
    p.write('abc');
    await expectError(() => sock.recvAll(6, { timeout: 30 }), TimeoutError);
    p.write('def');
    expect(String(await sock.recvAll(6, { timeout: 2000 }))).to.equal('abcdef');
  });

  it('recvAll with timeout 0 polls', async () => {
    const { sock, peer: p } = await peer();
    await expectError(() => sock.recvAll(1, { timeout: 0 }), TimeoutError);
    p.write('x');
    await until(() => sock.buffered === 1);
    expect(String(await sock.recvAll(1, { timeout: 0 }))).to.equal('x');
  });

  it('a coroutine terminated in the middle of recvAll loses and duplicates no byte for the next reader', async () => {
    const { sock, peer: p } = await peer();
    const first = fx.sched.spawn(async (coro) => sock.recvAll(10, { coro }));
    p.write('01234');
    await until(() => sock.buffered === 5);
    first.terminate();
    await expectError(() => first.value(), CoroTerminatedError);
    const second = fx.sched.spawn(async (coro) => String(await sock.recvAll(10, { coro, timeout: 2000 })));
    p.write('56789abc');
    expect(await second.value()).to.equal('0123456789');
    expect(String(await sock.recv(10))).to.equal('abc');
  });

  it('throw() into a coroutine in recvAll raises there and keeps the bytes', async () => {
    const { sock, peer: p } = await peer();
    const reader = fx.sched.spawn(async (coro) => {
      try {
        await sock.recvAll(4, { coro });
        return 'read';
      } catch (err) {
        return (err as Error).message;
      }
    });
    p.write('ab');
    await until(() => sock.buffered === 2);
    reader.throw(new Error('stop reading'));
    expect(await reader.value()).to.equal('stop reading');
    p.write('cd');
    expect(String(await sock.recvAll(4, { timeout: 2000 }))).to.equal('abcd');
  });

  it('an aborted signal cancels recvAll with its reason and keeps the bytes', async () => {
    const { sock, peer: p } = await peer();
    const ac = new AbortController();
    const got = sock.recvAll(4, { signal: ac.signal });
    p.write('ab');
    await until(() => sock.buffered === 2);
    ac.abort(new Error('cancelled'));
    await got.then(() => expect.fail('should reject'), (e) => expect(e.message).to.equal('cancelled'));
    p.write('cd');
    expect(String(await sock.recvAll(4, { timeout: 2000 }))).to.equal('abcd');
  });

  it('queues concurrent readers FIFO', async () => {
    const { sock, peer: p } = await peer();
    const order: string[] = [];
    const a = fx.sched.spawn(async (coro) => order.push('a:' + String(await sock.recvAll(3, { coro }))));
    const b = fx.sched.spawn(async (coro) => order.push('b:' + String(await sock.recvLine({ coro }))));
    const c = fx.sched.spawn(async (coro) => order.push('c:' + String(await sock.recv(100, { coro }))));
    await until(() => sock.inputBuffer.pendingReads === 3);
    p.write('abcdef\nrest');
    await Promise.all([a.finish(), b.finish(), c.finish()]);
    expect(order).to.deep.equal(['a:abc', 'b:def\n', 'c:rest']);
  });

  it('recvLine splits lines across chunks, returns a last line without newline, then an empty Buffer', async () => {
    const { sock, peer: p } = await peer();
    const lines: string[] = [];
    const reader = fx.sched.spawn(async (coro) => {
      for (let i = 0; i < 10; i++) {
        const line = await sock.recvLine({ coro, timeout: 2000 });
        if (line.length === 0) break;
        lines.push(String(line));
      }
    });
    p.write('one\ntw');
    await until(() => lines.length === 1 && sock.buffered === 2);
    p.write('o\nthr');
    await until(() => lines.length === 2 && sock.buffered === 3);
    p.end('ee');
    await reader.finish();
    expect(lines).to.deep.equal(['one\n', 'two\n', 'three']);
  });

  it('recvLine without a newline within maxLength throws LineTooLongError and keeps the bytes', async () => {
    const { sock, peer: p } = await peer();
    p.write('x'.repeat(20));
    await expectError(() => sock.recvLine({ maxLength: 10, timeout: 2000 }), LineTooLongError);
    expect((await sock.recvAll(20, { timeout: 2000 })).length).to.equal(20);
  });

  it('recvLine times out with TimeoutError and is cancelled by terminate()', async () => {
    const { sock, peer: p } = await peer();
    p.write('partial');
    await expectError(() => sock.recvLine({ timeout: 20 }), TimeoutError);
    const reader = fx.sched.spawn(async (coro) => sock.recvLine({ coro }));
    await until(() => sock.inputBuffer.pendingReads === 1);
    reader.terminate();
    await expectError(() => reader.value(), CoroTerminatedError);
    p.write(' line\n');
    expect(String(await sock.recvLine({ timeout: 2000 }))).to.equal('partial line\n');
  });

  it('recv times out with TimeoutError, is cancelled by terminate(), and honours the socket default timeout', async () => {
    const { sock } = await peer({ defaultTimeout: 20 });
    await expectError(() => sock.recv(10), TimeoutError);
    sock.defaultTimeout = Infinity;
    const reader = fx.sched.spawn(async (coro) => sock.recv(10, { coro }));
    await until(() => sock.inputBuffer.pendingReads === 1);
    reader.terminate();
    await expectError(() => reader.value(), CoroTerminatedError);
  });

  it('stops reading from the kernel above the high-water mark and delivers every byte in order', async function () {
    this.timeout(20000);
    const { sock, peer: p } = await peer({ highWaterMark: 64 * 1024 });
    const total = 8 * 1024 * 1024;
    const block = Buffer.alloc(64 * 1024);
    for (let i = 0; i < block.length; i++) block[i] = i % 251;
    for (let sent = 0; sent < total; sent += block.length) p.write(block);
    await until(() => sock.raw.isPaused(), 10_000, 'the socket to pause its kernel reads');
    // The reader is idle: the socket holds about one high-water mark and the rest waits in the peer.
    expect(sock.buffered).to.be.at.most(64 * 1024 + 256 * 1024);
    expect(p.writableLength).to.be.above(total / 2);
    let received = 0;
    let ok = true;
    for (let i = 0; i < 100000 && received < total; i++) {
      const chunk = await sock.recv(50000, { timeout: 5000 });
      for (let j = 0; j < chunk.length; j += 997) if (chunk[j] !== ((received + j) % block.length) % 251) ok = false;
      received += chunk.length;
    }
    expect(received).to.equal(total);
    expect(ok).to.equal(true);
  });

  it('recvAll larger than the high-water mark still completes', async () => {
    const { sock, peer: p } = await peer({ highWaterMark: 1024 });
    p.write(Buffer.alloc(300 * 1024, 7));
    const data = await sock.recvAll(300 * 1024, { timeout: 5000 });
    expect(data.length).to.equal(300 * 1024);
  });

  it('sendAll waits for a slow peer (bounded memory), times out with TimeoutError, and resumes when the peer reads', async function () {
    this.timeout(20000);
    const { sock, peer: p } = await peer();
    p.pause();
    const block = Buffer.alloc(256 * 1024, 1);
    let sent = 0;
    let timedOut = false;
    for (let i = 0; i < 400 && !timedOut; i++) {
      try {
        await sock.sendAll(block, { timeout: 100 });
        sent += block.length;
      } catch (err) {
        expect(TimeoutError.is(err)).to.equal(true);
        timedOut = true;
      }
    }
    expect(timedOut).to.equal(true);
    expect(sent).to.be.below(100 * 1024 * 1024);
    let writing = false;
    const writer = fx.sched.spawn(async (coro) => {
      writing = true;
      return sock.sendAll(block, { coro });
    });
    await until(() => writing);
    writer.terminate();
    await expectError(() => writer.value(), CoroTerminatedError);
    let drained = 0;
    p.on('data', (c: Buffer) => (drained += c.length));
    p.resume();
    await sock.sendAll(block, { timeout: 10000 });
    await until(() => drained >= sent + block.length, 10000, 'peer to read everything');
  });

  it('send waits for its turn behind a writer blocked on drain', async () => {
    const { sock, peer: p } = await peer();
    p.pause();
    const big = Buffer.alloc(8 * 1024 * 1024, 2);
    const first = sock.sendAll(big, { timeout: 10000 });
    const second = sock.send(Buffer.from('tail'), { timeout: 10000 });
    let received = 0;
    let last = '';
    p.on('data', (c: Buffer) => {
      received += c.length;
      last = String(c.subarray(-4));
    });
    p.resume();
    await first;
    expect(await second).to.equal(4);
    await until(() => received === big.length + 4);
    expect(last).to.equal('tail');
  });

  it('close() fails pending and later operations with SocketClosedError', async () => {
    const { sock } = await peer();
    const pending = sock.recv(10);
    sock.close();
    await expectError(() => pending, SocketClosedError);
    await expectError(() => sock.recv(10), SocketClosedError);
    await expectError(() => sock.sendAll(Buffer.from('x')), SocketClosedError);
    expect(sock.closed).to.equal(true);
  });

  it('writing after the peer closed throws SocketClosedError', async () => {
    const { sock, peer: p } = await peer();
    p.end();
    expect((await sock.recv(10, { timeout: 2000 })).length).to.equal(0);
    await until(() => !sock.raw.writable);
    await expectError(() => sock.sendAll(Buffer.from('late')), SocketClosedError);
  });

  it('wraps an existing net.Socket and disposes with await using', async () => {
    const server = net.createServer((s) => s.end('wrapped'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const raw = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      {
        await using sock = AsyncSocket.wrap(raw, { scheduler: fx.sched });
        expect(String(await sock.recvAll(7, { timeout: 2000 }))).to.equal('wrapped');
      }
      await until(() => raw.destroyed);
    } finally {
      server.close();
    }
  });

  it('rejects bad arguments with InvalidArgumentError and stays usable', async () => {
    const { sock, peer: p } = await peer();
    const bad: Array<() => unknown> = [
      () => sock.recv(-1),
      () => sock.recv(1.5),
      () => sock.recvAll('3' as unknown as number),
      () => sock.recvLine({ maxLength: 0 }),
      () => sock.recv(1, { timeout: -1 }),
      () => sock.recv(1, { signal: {} as AbortSignal }),
      () => sock.recv(1, { coro: 5 as never }),
      () => sock.send('text' as unknown as Buffer),
      () => sock.sendAll(null as unknown as Buffer),
      () => sock.sendMsg({} as Buffer),
      () => new AsyncSocket({} as net.Socket),
      () => AsyncSocket.wrap(new net.Socket(), { highWaterMark: 0 }),
      () => AsyncSocket.connect({ port: -1 }),
      () => AsyncSocket.connect(null as never),
    ];
    for (const fn of bad) await expectError(fn, InvalidArgumentError);
    p.write('ok');
    expect(String(await sock.recvAll(2, { timeout: 2000 }))).to.equal('ok');
  });
});
