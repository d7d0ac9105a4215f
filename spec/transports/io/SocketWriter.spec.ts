import { expect } from 'chai';
import { CoroTerminatedError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { ConnectionResetError } from '../../../transports/io/ioErrors.js';
import { SocketWriter } from '../../../transports/io/SocketWriter.js';
import { netPair } from '../../fixtures/index.js';
import { expectError, rejection, until } from '../../helpers.js';

describe('SocketWriter (over real loopback sockets)', function () {
  this.timeout(20_000);
  let sched: Scheduler;
  let pair: Awaited<ReturnType<typeof netPair>>;
  let received: Buffer[];
  beforeEach(async () => {
    sched = new Scheduler();
    pair = await netPair();
    received = [];
  });
  afterEach(async () => {
    pair.close();
    await sched.terminate();
  });
  const collect = (): void => void pair.server.on('data', (c: Buffer) => received.push(c));
  const receivedBytes = (): number => received.reduce((n, c) => n + c.length, 0);
  const BLOCK = Buffer.alloc(1024 * 1024, 7);

  /**
   * Writes blocks with `all` until the kernel buffers are full too (a drain does not come within
   * 100 ms while the peer is not reading); returns the bytes written.
   */
  async function fill(writer: SocketWriter): Promise<number> {
    let written = 0;
    for (let i = 0; i < 500; i++) {
      try {
        await writer.write(sched, undefined, BLOCK, true, 100, undefined);
        written += BLOCK.length;
      } catch (err) {
        expect(TimeoutError.is(err), String(err)).to.equal(true);
        return written + BLOCK.length; // a write that times out stays queued
      }
    }
    return expect.fail('the socket never filled up');
  }

  it('writes in call order; resolves with the byte count, or undefined for an all-write', async () => {
    collect();
    const writer = new SocketWriter(pair.client);
    expect(await writer.write(sched, undefined, Buffer.from('one,'), false, Infinity, undefined)).to.equal(4);
    expect(await writer.write(sched, undefined, Buffer.from('two,'), true, Infinity, undefined)).to.equal(undefined);
    const burst = ['a', 'b', 'c'].map((s) => writer.write(sched, undefined, Buffer.from(s), false, Infinity, undefined));
    expect(await Promise.all(burst)).to.deep.equal([1, 1, 1]);
    await until(() => receivedBytes() === 11);
    expect(Buffer.concat(received).toString()).to.equal('one,two,abc');
    expect(writer.pending).to.equal(0);
  });

  it('a writer to a peer that does not read waits for the drain; TimeoutError keeps the bytes queued; all arrive once it reads', async () => {
    const writer = new SocketWriter(pair.client);
    pair.server.pause();
    const written = await fill(writer);
    await expectError(() => writer.write(sched, undefined, Buffer.from('later'), true, 5, undefined), TimeoutError);
    expect(writer.pending).to.equal(0);
    const waiting = writer.write(sched, undefined, Buffer.from('tail'), true, 10_000, undefined);
    expect(writer.pending).to.equal(1);
    collect();
    pair.server.resume();
    expect(await waiting).to.equal(undefined);
    await until(() => receivedBytes() === written + 4, 10_000, 'every byte to arrive');
    expect(Buffer.concat(received).subarray(-4).toString()).to.equal('tail');
  });

  it('waiting writers are served FIFO', async () => {
    const writer = new SocketWriter(pair.client);
    pair.server.pause();
    const written = await fill(writer);
    const order: string[] = [];
    const ps = ['x', 'y', 'z'].map((s) => writer.write(sched, undefined, Buffer.from(s), false, 10_000, undefined).then(() => order.push(s)));
    expect(writer.pending).to.equal(3);
    collect();
    pair.server.resume();
    await Promise.all(ps);
    await until(() => receivedBytes() === written + 3, 10_000);
    expect(order).to.deep.equal(['x', 'y', 'z']);
    expect(Buffer.concat(received).subarray(-3).toString()).to.equal('xyz');
  });

  it('a waiting writer is cancelled by its signal and by terminating its coroutine; the others go on', async () => {
    const writer = new SocketWriter(pair.client);
    pair.server.pause();
    const written = await fill(writer);
    const ac = new AbortController();
    const aborted = writer.write(sched, undefined, Buffer.from('A'), false, Infinity, ac.signal);
    const killed = sched.spawn(async (coro) => writer.write(sched, coro, Buffer.from('K'), false, Infinity, undefined));
    await until(() => writer.pending === 2);
    const kept = writer.write(sched, undefined, Buffer.from('ok'), false, 10_000, undefined);
    ac.abort(new Error('stop'));
    killed.terminate();
    expect(((await rejection(aborted)) as Error).message).to.equal('stop');
    await expectError(() => killed.value(), CoroTerminatedError);
    collect();
    pair.server.resume();
    expect(await kept).to.equal(2);
    await until(() => receivedBytes() === written + 2, 10_000);
    expect(Buffer.concat(received).subarray(-2).toString()).to.equal('ok');
    // An already aborted signal is refused before anything is written.
    await rejection(writer.write(sched, undefined, Buffer.from('never'), false, Infinity, AbortSignal.abort(new Error('before'))));
    expect(writer.pending).to.equal(0);
  });

  it('fail(): waiting writers and every later write reject with the error', async () => {
    const writer = new SocketWriter(pair.client);
    pair.server.pause();
    await fill(writer);
    const waiting = writer.write(sched, undefined, Buffer.from('w'), false, Infinity, undefined);
    const reset = new ConnectionResetError('reset');
    writer.fail(reset);
    expect(await rejection(waiting)).to.equal(reset);
    expect(await rejection(writer.write(sched, undefined, Buffer.from('later'), false, Infinity, undefined))).to.equal(reset);
    expect(writer.pending).to.equal(0);
  });
});
