import { expect } from 'chai';
import { until } from '../../helpers.js';
import { createHash } from 'node:crypto';
import { AsyncPipe } from '../../../transports/io/AsyncPipe.js';
import { CoroTerminatedError, InvalidArgumentError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';

describe('AsyncPipe', () => {
  let sched: Scheduler;
  const pipes: AsyncPipe[] = [];
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    for (const p of pipes.splice(0)) {
      await p.close('SIGKILL');
      for (const pid of p.pids) if (pid !== undefined) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    await sched.terminate();
  });
  const make = (p: AsyncPipe): AsyncPipe => (pipes.push(p), p);

  it('communicate feeds a large input while reading a large output: no deadlock', async () => {
    const input = Buffer.alloc(4 * 1024 * 1024, 'a');
    const pipe = make(AsyncPipe.spawn(['cat'], { scheduler: sched }));
    const { stdout, status } = await pipe.communicate(input, { timeout: 20_000 });
    expect(stdout.equals(input)).to.equal(true);
    expect(status).to.deep.equal({ code: 0, signal: null });
  });

  it('a chain pipes stdout to stdin: grep | wc -l', async () => {
    const text = 'error one\nfine\nERROR two\nok\nerror three\n';
    const pipe = make(AsyncPipe.chain([['grep', '-i', 'error'], ['wc', '-l']], { scheduler: sched }));
    const { stdout } = await pipe.communicate(text, { timeout: 10_000 });
    expect(Number(String(stdout).trim())).to.equal(3);
  });

  it('write and readLine interleave with a line-oriented child; stderr is read separately', async () => {
    const pipe = make(AsyncPipe.spawn(['sh', '-c', 'while read l; do echo "got $l"; echo "err $l" >&2; done'], { scheduler: sched }));
    await pipe.write('one\n', { full: true });
    expect(String(await pipe.readLine({ timeout: 5000 }))).to.equal('got one\n');
    expect(String(await pipe.readLineStderr({ timeout: 5000 }))).to.equal('err one\n');
    await pipe.write('two\n', { full: true });
    expect(String(await pipe.readLine({ timeout: 5000 }))).to.equal('got two\n');
    await pipe.closeStdin();
    expect(await pipe.wait({ timeout: 5000 })).to.deep.equal({ code: 0, signal: null });
  });

  it('hashes the same as node:crypto through sha1sum', async () => {
    const data = Buffer.from('asyncoro '.repeat(10000));
    const pipe = make(AsyncPipe.spawn(['sha1sum'], { scheduler: sched }));
    const { stdout } = await pipe.communicate(data, { timeout: 10_000 });
    expect(String(stdout).split(' ')[0]).to.equal(createHash('sha1').update(data).digest('hex'));
  });

  it('reads time out (consuming nothing), wait times out with false, and terminate cancels a read', async () => {
    const pipe = make(AsyncPipe.spawn(['sh', '-c', 'sleep 0.2; echo late; sleep 5'], { scheduler: sched }));
    let err: unknown;
    await pipe.readLine({ timeout: 20 }).catch((e) => (err = e));
    expect(TimeoutError.is(err)).to.equal(true);
    expect(await pipe.wait({ timeout: 10 })).to.equal(false);
    let reading = false;
    const c = sched.spawn(async (coro) => {
      reading = true;
      return pipe.readLine({ coro });
    });
    await until(() => reading);
    c.terminate();
    err = undefined;
    await c.finish().catch((e) => (err = e));
    expect(CoroTerminatedError.is(err)).to.equal(true);
    expect(String(await pipe.readLine({ timeout: 5000 }))).to.equal('late\n');
  });

  it('communicate times out with TimeoutError and is cancelled by its signal', async () => {
    const slow = make(AsyncPipe.spawn(['sleep', '5'], { scheduler: sched }));
    let err: unknown;
    await slow.communicate(undefined, { timeout: 50 }).catch((e) => (err = e));
    expect(TimeoutError.is(err)).to.equal(true);
    const other = make(AsyncPipe.spawn(['sleep', '5'], { scheduler: sched }));
    const ac = new AbortController();
    const pending = other.communicate('input', { signal: ac.signal });
    ac.abort(new Error('enough'));
    expect(((await pending.catch((e) => e)) as Error).message).to.equal('enough');
  });

  it('a child that exits early: writes fail with a typed error, the exit status is reported', async () => {
    const pipe = make(AsyncPipe.spawn(['sh', '-c', 'exit 3'], { scheduler: sched }));
    expect(await pipe.wait({ timeout: 5000 })).to.deep.equal({ code: 3, signal: null });
    let err: unknown;
    for (let i = 0; i < 20 && err === undefined; i++) {
      await pipe.write(Buffer.alloc(65536), { full: true, timeout: 2000 }).catch((e) => (err = e));
    }
    expect(err).to.be.instanceOf(Error);
    expect((err as { code?: string }).code).to.match(/^ERR_(CONNECTION_RESET|SOCKET_CLOSED)$/);
  });

  it('a program that does not exist ends with a null exit code; bad commands are InvalidArgumentError', async () => {
    const pipe = make(AsyncPipe.spawn(['definitely-not-a-program-xyz'], { scheduler: sched }));
    expect(await pipe.wait({ timeout: 5000 })).to.deep.equal({ code: null, signal: null });
    expect(() => AsyncPipe.chain([])).to.throw(InvalidArgumentError);
    expect(() => AsyncPipe.spawn([] as never)).to.throw(InvalidArgumentError);
    expect(() => AsyncPipe.spawn(['ls', 3] as never)).to.throw(InvalidArgumentError);
  });
});
