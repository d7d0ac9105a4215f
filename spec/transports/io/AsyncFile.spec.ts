import { expect } from 'chai';
import { until } from '../../helpers.js';
import { execFileSync } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open as openFd } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AsyncFile } from '../../../transports/io/AsyncFile.js';
import { FileClosedError, FileIOError } from '../../../transports/io/ioErrors.js';
import { CoroTerminatedError, InvalidArgumentError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';

describe('AsyncFile', () => {
  let dir: string;
  let sched: Scheduler;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'asyncfile-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  const fixture = (name: string, text: string): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('reads lines, then the rest, with read-ahead kept between readLine and read', async () => {
    const f = await AsyncFile.open(fixture('lines.txt', 'alpha\nbeta\ngamma'), 'r', undefined, sched);
    expect(String(await f.readLine())).to.equal('alpha\n');
    expect(f.position).to.equal(6);
    expect(String(await f.read(2))).to.equal('be');
    expect(String(await f.readLine())).to.equal('ta\n');
    expect(String(await f.readLine())).to.equal('gamma');
    expect((await f.readLine()).length).to.equal(0);
    expect((await f.read(10)).length).to.equal(0);
    await f.close();
  });

  it('read(size, { full }) returns exactly size, fewer at the end; size <= 0 reads to the end', async () => {
    const data = Buffer.alloc(200_000, 7);
    const p = path.join(dir, 'big.bin');
    writeFileSync(p, data);
    const f = await AsyncFile.open(p, 'r', undefined, sched);
    expect((await f.read(150_000, { full: true })).length).to.equal(150_000);
    expect((await f.read(100_000, { full: true })).length).to.equal(50_000);
    await f.seek(0);
    expect((await f.read(0)).equals(data)).to.equal(true);
    await f.close();
  });

  it('writes (full), seeks and reads back; seek from the end and the current position', async () => {
    const p = path.join(dir, 'rw.txt');
    const f = await AsyncFile.open(p, 'w+', 0o600, sched);
    expect(await f.write('hello world\n', { full: true })).to.equal(12);
    expect(await f.seek(-6, 2)).to.equal(6);
    expect(String(await f.read(5, { full: true }))).to.equal('world');
    await f.seek(0);
    await f.readLine();
    await f.seek(-12, 1);
    await f.write('HELLO', { full: true });
    await f.close();
    expect(readFileSync(p, 'utf8')).to.equal('HELLO world\n');
  });

  it('reads a FIFO as a stream: waits for data, times out consuming nothing, then reads it', async () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = await AsyncFile.open(fifo, 'r', undefined, sched);
    const writerHandle = await openFd(fifo, 'w');
    let err: unknown;
    try {
      await reader.read(5, { full: true, timeout: 20 });
    } catch (e) {
      err = e;
    }
    expect(TimeoutError.is(err)).to.equal(true);
    await writerHandle.write('abc');
    expect(String(await reader.read(2, { full: true, timeout: 2000 }))).to.equal('ab');
    await writerHandle.write('de\nlast');
    await writerHandle.close();
    expect(String(await reader.readLine({ timeout: 2000 }))).to.equal('cde\n');
    expect(String(await reader.read(100, { full: true, timeout: 2000 }))).to.equal('last');
    expect((await reader.read(10, { timeout: 2000 })).length).to.equal(0);
    await reader.close();
  });

  it('a write into a FIFO nobody reads times out, and is cancelled by a signal', async () => {
    const fifo = path.join(dir, 'fifo-w');
    execFileSync('mkfifo', [fifo]);
    const reader = await openFd(fifo, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    const writer = await AsyncFile.open(fifo, 'w', undefined, sched);
    const big = Buffer.alloc(8 * 1024 * 1024);
    let err: unknown;
    await writer.write(big, { full: true, timeout: 50 }).catch((e) => (err = e));
    expect(TimeoutError.is(err)).to.equal(true);
    const ac = new AbortController();
    const pending = writer.write(big, { full: true, signal: ac.signal });
    ac.abort(new Error('stop writing'));
    expect(((await pending.catch((e) => e)) as Error).message).to.equal('stop writing');
    await writer.close();
    await reader.close();
  });

  it('reads a character device', async () => {
    const f = await AsyncFile.open('/dev/zero', 'r', undefined, sched);
    const chunk = await f.read(4096, { full: true });
    expect(chunk.length).to.equal(4096);
    expect(chunk.every((b) => b === 0)).to.equal(true);
    await f.close();
  });

  it('a read cancelled by a signal or by terminating its coroutine consumes nothing', async () => {
    const fifo = path.join(dir, 'fifo2');
    execFileSync('mkfifo', [fifo]);
    const reader = await AsyncFile.open(fifo, 'r', undefined, sched);
    const writer = await openFd(fifo, 'w');
    const ac = new AbortController();
    const aborted = reader.read(3, { full: true, signal: ac.signal });
    ac.abort(new Error('stop'));
    let err: unknown;
    await aborted.catch((e) => (err = e));
    expect((err as Error).message).to.equal('stop');
    let reading = false;
    const c = sched.spawn(async (coro) => {
      reading = true;
      return reader.read(3, { full: true, coro });
    });
    await until(() => reading);
    c.terminate();
    err = undefined;
    await c.finish().catch((e) => (err = e));
    expect(CoroTerminatedError.is(err)).to.equal(true);
    await writer.write('xyz');
    expect(String(await reader.read(3, { full: true, timeout: 2000 }))).to.equal('xyz');
    await writer.close();
    await reader.close();
  });

  it('typed errors: missing file, closed file, bad arguments, seeking a stream', async () => {
    let err: unknown;
    await AsyncFile.open(path.join(dir, 'missing'), 'r').catch((e) => (err = e));
    expect(FileIOError.is(err)).to.equal(true);
    const f = await AsyncFile.open(fixture('x.txt', 'x'), 'r', undefined, sched);
    err = undefined;
    await f.read(1.5).catch((e) => (err = e));
    expect(InvalidArgumentError.is(err)).to.equal(true);
    err = undefined;
    await f.read(1, { timeout: -1 }).catch((e) => (err = e));
    expect(InvalidArgumentError.is(err)).to.equal(true);
    err = undefined;
    await f.write(42 as never).catch((e) => (err = e));
    expect(InvalidArgumentError.is(err)).to.equal(true);
    expect(String(await f.read(1))).to.equal('x'); // still usable after the bad calls
    await f.close();
    err = undefined;
    await f.read(1).catch((e) => (err = e));
    expect(FileClosedError.is(err)).to.equal(true);
    const fifo = path.join(dir, 'fifo3');
    execFileSync('mkfifo', [fifo]);
    const s = await AsyncFile.open(fifo, 'r', undefined, sched);
    err = undefined;
    await s.seek(0).catch((e) => (err = e));
    expect(InvalidArgumentError.is(err)).to.equal(true);
    await s.close();
  });
});
