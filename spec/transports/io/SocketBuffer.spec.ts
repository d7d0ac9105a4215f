import { expect } from 'chai';
import { CoroTerminatedError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { encodeFrame } from '../../../transports/io/FrameDecoder.js';
import { ConnectionResetError, EndOfStreamError, FrameTooLargeError, LineTooLongError, SocketClosedError } from '../../../transports/io/ioErrors.js';
import { ReadKind, SocketBuffer } from '../../../transports/io/SocketBuffer.js';
import { netPair } from '../../fixtures/index.js';
import { expectError, rejection, turn, until } from '../../helpers.js';

/** A FlowControl that records its state. */
function flow(): { paused: boolean; pauses: number; resumes: number; pause(): void; resume(): void } {
  const f = {
    paused: false, pauses: 0, resumes: 0,
    pause: () => void ((f.paused = true), f.pauses++),
    resume: () => void ((f.paused = false), f.resumes++),
  };
  return f;
}

describe('SocketBuffer', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });
  const text = (b: Buffer | undefined): string | undefined => (b === undefined ? undefined : b.toString());
  const make = (hwm = 1024) => {
    const f = flow();
    return { f, buf: new SocketBuffer(f, hwm) };
  };
  const read = (buf: SocketBuffer, kind: ReadKind, n: number, timeout = 2000, signal?: AbortSignal): Promise<any> => buf.read(sched, undefined, kind, n, timeout, signal);

  describe('what each read kind takes', () => {
    it('Some takes what is buffered, up to n; n = 0 takes nothing', async () => {
      const { buf } = make();
      buf.push(Buffer.from('abc'));
      buf.push(Buffer.from('def'));
      expect(text(await read(buf, ReadKind.Some, 0))).to.equal('');
      expect(text(await read(buf, ReadKind.Some, 2))).to.equal('ab');
      expect(buf.buffered).to.equal(4);
      expect(text(await read(buf, ReadKind.Some, 100))).to.equal('cdef'); // across chunks
      expect(buf.buffered).to.equal(0);
    });

    it('Exact waits for n bytes and assembles them across chunks', async () => {
      const { buf } = make();
      const p = read(buf, ReadKind.Exact, 7);
      for (const part of ['ab', 'cde', 'fghij']) buf.push(Buffer.from(part));
      expect(text(await p)).to.equal('abcdefg');
      expect(text(await read(buf, ReadKind.Exact, 3))).to.equal('hij');
      expect(text(await read(buf, ReadKind.Exact, 0))).to.equal('');
    });

    it('Line finds a newline across chunks; without one within n it is LineTooLongError and keeps the bytes', async () => {
      const { buf } = make();
      buf.push(Buffer.from('on'));
      const p = read(buf, ReadKind.Line, 100);
      buf.push(Buffer.from('e\ntwo'));
      expect(text(await p)).to.equal('one\n');
      buf.push(Buffer.from('-still-no-newline'));
      await expectError(() => read(buf, ReadKind.Line, 10), LineTooLongError);
      expect(buf.buffered).to.equal(20);
      buf.push(Buffer.from('\n'));
      expect(text(await read(buf, ReadKind.Line, 100))).to.equal('two-still-no-newline\n');
    });

    it('Frame reads a length-prefixed payload split anywhere; a length over n is FrameTooLargeError', async () => {
      const { buf } = make();
      const frame = Buffer.concat([encodeFrame(Buffer.from('hello')), encodeFrame(Buffer.alloc(0)), encodeFrame(Buffer.alloc(50, 1))]);
      const first = read(buf, ReadKind.Frame, 100);
      for (let i = 0; i < frame.length; i += 3) buf.push(frame.subarray(i, i + 3));
      expect(text(await first)).to.equal('hello');
      expect((await read(buf, ReadKind.Frame, 100)).length).to.equal(0);
      const err = await expectError(() => read(buf, ReadKind.Frame, 10), FrameTooLargeError);
      expect([err.length, err.limit]).to.deep.equal([50, 10]);
      expect((await read(buf, ReadKind.Frame, 100)).length).to.equal(50);
    });
  });

  describe('end of stream', () => {
    it('Some gives an empty Buffer, Line the last unterminated line then empty, Exact EndOfStreamError (bytes kept)', async () => {
      const { buf } = make();
      buf.push(Buffer.from('x\nlast'));
      buf.end();
      expect(text(await read(buf, ReadKind.Line, 100))).to.equal('x\n');
      await expectError(() => read(buf, ReadKind.Exact, 10), EndOfStreamError);
      expect(text(await read(buf, ReadKind.Line, 100))).to.equal('last');
      expect(text(await read(buf, ReadKind.Line, 100))).to.equal('');
      expect(text(await read(buf, ReadKind.Some, 100))).to.equal('');
    });

    it('Frame: undefined at a clean end, EndOfStreamError in the middle of a frame', async () => {
      const clean = make().buf;
      clean.push(encodeFrame(Buffer.from('only')));
      clean.end();
      expect(text(await read(clean, ReadKind.Frame, 100))).to.equal('only');
      expect(await read(clean, ReadKind.Frame, 100)).to.equal(undefined);
      const cut = make().buf;
      cut.push(encodeFrame(Buffer.from('truncated')).subarray(0, 6));
      const pending = read(cut, ReadKind.Frame, 100);
      cut.end();
      expect(EndOfStreamError.is(await rejection(pending))).to.equal(true);
    });

    it('a pending read is woken by end()', async () => {
      const { buf } = make();
      const p = read(buf, ReadKind.Some, 10);
      expect(buf.pendingReads).to.equal(1);
      buf.end();
      expect(text(await p)).to.equal('');
      expect(buf.pendingReads).to.equal(0);
    });
  });

  describe('failure and close', () => {
    it('fail(): buffered bytes are still served, then reads fail with the error', async () => {
      const { buf } = make();
      buf.push(Buffer.from('abc'));
      const reset = new ConnectionResetError('reset by peer');
      const waiting = read(buf, ReadKind.Exact, 10);
      buf.fail(reset);
      expect(await rejection(waiting)).to.equal(reset);
      expect(text(await read(buf, ReadKind.Some, 2))).to.equal('ab');
      expect(await rejection(read(buf, ReadKind.Exact, 5))).to.equal(reset);
    });

    it('close(): drops the bytes and fails every read, now and later; later pushes are ignored', async () => {
      const { buf } = make();
      buf.push(Buffer.from('abc'));
      const waiting = read(buf, ReadKind.Exact, 10);
      const closed = new SocketClosedError('closed here');
      buf.close(closed);
      expect(await rejection(waiting)).to.equal(closed);
      expect(buf.buffered).to.equal(0);
      buf.push(Buffer.from('more'));
      expect(buf.buffered).to.equal(0);
      expect(await rejection(read(buf, ReadKind.Some, 1))).to.equal(closed);
    });
  });

  describe('waiting reads', () => {
    it('are served FIFO, each taking its own request', async () => {
      const { buf } = make();
      const order: string[] = [];
      const ps = [
        read(buf, ReadKind.Exact, 3).then((b) => order.push(`exact:${b}`)),
        read(buf, ReadKind.Line, 100).then((b) => order.push(`line:${b}`)),
        read(buf, ReadKind.Some, 100).then((b) => order.push(`some:${b}`)),
      ];
      expect(buf.pendingReads).to.equal(3);
      buf.push(Buffer.from('abcdef\nrest'));
      await Promise.all(ps);
      expect(order).to.deep.equal(['exact:abc', 'line:def\n', 'some:rest']);
    });

    it('a read with bytes already buffered still waits behind earlier reads', async () => {
      const { buf } = make();
      const first = read(buf, ReadKind.Exact, 5);
      buf.push(Buffer.from('abc'));
      const second = read(buf, ReadKind.Some, 1);
      expect(buf.pendingReads).to.equal(2);
      buf.push(Buffer.from('defg'));
      expect(text(await first)).to.equal('abcde');
      expect(text(await second)).to.equal('f');
    });

    it('timeout: TimeoutError, nothing consumed, and the next read is served; timeout 0 polls', async () => {
      const { buf } = make();
      buf.push(Buffer.from('par'));
      await expectError(() => read(buf, ReadKind.Exact, 10, 5), TimeoutError);
      await expectError(() => read(buf, ReadKind.Line, 10, 0), TimeoutError);
      expect(buf.buffered).to.equal(3);
      expect(buf.pendingReads).to.equal(0);
      expect(text(await read(buf, ReadKind.Some, 10, 0))).to.equal('par');
      expect(sched.timers.size).to.equal(0);
    });

    it('a timed-out head lets the reads behind it be served from what is buffered', async () => {
      const { buf } = make();
      buf.push(Buffer.from('abc'));
      const head = read(buf, ReadKind.Exact, 10, 5);
      const behind = read(buf, ReadKind.Some, 10);
      expect(TimeoutError.is(await rejection(head))).to.equal(true);
      expect(text(await behind)).to.equal('abc');
    });

    it('abort: rejects with the reason (at once when already aborted), consuming nothing', async () => {
      const { buf } = make();
      const ac = new AbortController();
      const p = read(buf, ReadKind.Exact, 4, Infinity, ac.signal);
      buf.push(Buffer.from('ab'));
      ac.abort(new Error('stop'));
      expect(((await rejection(p)) as Error).message).to.equal('stop');
      expect(((await rejection(read(buf, ReadKind.Some, 4, Infinity, ac.signal))) as Error).message).to.equal('stop');
      expect(buf.pendingReads).to.equal(0);
      buf.push(Buffer.from('cd'));
      expect(text(await read(buf, ReadKind.Exact, 4))).to.equal('abcd');
    });

    it('terminating the reading coroutine cancels its read and consumes nothing', async () => {
      const { buf } = make();
      const reader = sched.spawn(async (coro) => buf.read(sched, coro, ReadKind.Exact, 4, Infinity, undefined));
      await until(() => buf.pendingReads === 1);
      buf.push(Buffer.from('ab'));
      reader.terminate();
      await expectError(() => reader.value(), CoroTerminatedError);
      expect(buf.pendingReads).to.equal(0);
      expect(buf.buffered).to.equal(2);
      // A coroutine already terminating cannot start a read.
      const late = sched.spawn(async (coro) => {
        coro.terminate();
        return buf.read(sched, coro, ReadKind.Some, 1, Infinity, undefined);
      });
      await expectError(() => late.value(), CoroTerminatedError);
      expect(buf.buffered).to.equal(2);
    });
  });

  describe('backpressure', () => {
    it('pauses at the high-water mark and resumes once reads bring it below', async () => {
      const { f, buf } = make(10);
      buf.push(Buffer.alloc(6));
      expect(f.paused).to.equal(false);
      buf.push(Buffer.alloc(6));
      expect([f.paused, f.pauses]).to.deep.equal([true, 1]);
      buf.push(Buffer.alloc(6)); // bytes already in flight are still kept
      expect([buf.buffered, f.pauses]).to.deep.equal([18, 1]);
      await read(buf, ReadKind.Exact, 5);
      expect(f.paused).to.equal(true);
      await read(buf, ReadKind.Exact, 10);
      expect([f.paused, f.resumes]).to.deep.equal([false, 1]);
    });

    it('a waiting read larger than the mark raises the limit until it is served', async () => {
      const { f, buf } = make(10);
      const big = read(buf, ReadKind.Exact, 50);
      for (let i = 0; i < 4; i++) buf.push(Buffer.alloc(10));
      expect(f.paused).to.equal(false);
      buf.push(Buffer.alloc(10));
      expect((await big).length).to.equal(50);
      expect(f.pauses).to.equal(0);
    });

    it('a timed-out big read lowers the limit again: the kernel reads pause', async () => {
      const { f, buf } = make(10);
      const big = read(buf, ReadKind.Exact, 50, 5);
      buf.push(Buffer.alloc(30));
      expect(f.paused).to.equal(false);
      await rejection(big);
      await turn();
      expect(f.paused).to.equal(true);
      expect(buf.buffered).to.equal(30);
    });

    it('over a real socket: the kernel reads stop at the mark and every byte arrives in order', async function () {
      this.timeout(20_000);
      const pair = await netPair();
      try {
        const sock = pair.client;
        const buf = new SocketBuffer(sock, 16 * 1024);
        sock.on('data', (chunk: Buffer) => buf.push(chunk));
        sock.on('end', () => buf.end());
        const total = 2 * 1024 * 1024;
        const data = Buffer.alloc(total);
        for (let i = 0; i < total; i++) data[i] = i % 253;
        pair.server.end(data);
        await until(() => sock.isPaused(), 10_000, 'the socket to pause');
        expect(buf.buffered).to.be.below(total);
        const parts: Buffer[] = [];
        for (let got = 0, i = 0; got < total && i < 100_000; i++) {
          const chunk: Buffer = await buf.read(sched, undefined, ReadKind.Some, 64 * 1024, 5000, undefined);
          if (chunk.length === 0) break;
          parts.push(Buffer.from(chunk));
          got += chunk.length;
        }
        expect(Buffer.concat(parts).equals(data)).to.equal(true);
      } finally {
        pair.close();
      }
    });
  });
});
