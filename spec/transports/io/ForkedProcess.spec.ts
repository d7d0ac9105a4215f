import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { ForkedProcess, ProcessExit, ProcessMessage } from '../../../transports/io/ForkedProcess.js';
import type { Coro } from '../../../runtime/Coro.js';
import { CoroTerminatedError, InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { isAlive } from '../../helpers.js';

const CHILD = fileURLToPath(new URL('../../fixtures/forkedChild.js', import.meta.url));

describe('ForkedProcess', function () {
  this.timeout(20_000);
  let sched: Scheduler;
  const children: ForkedProcess[] = [];
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.pid !== 0 && isAlive(c.pid)) process.kill(c.pid, 'SIGKILL');
    await sched.terminate();
  });
  /** A coroutine that owns what it forks and keeps its mailbox; `next()` takes the first message kept (that `filter` accepts). */
  const owner = (): { coro: Coro<unknown, void>; next(filter?: (m: unknown) => boolean, timeout?: number): Promise<unknown> } => {
    const kept: unknown[] = [];
    const coro = sched.spawnWith({ name: 'owner' }, async (c: Coro<unknown, void>) => {
      for (;;) kept.push(await c.receive());
    });
    return {
      coro,
      async next(filter = () => true, timeout = 10_000) {
        const deadline = performance.now() + timeout;
        for (;;) {
          const k = kept.findIndex(filter);
          if (k >= 0) return kept.splice(k, 1)[0];
          if (performance.now() > deadline) return 'nothing';
          await new Promise((r) => setTimeout(r, 5));
        }
      },
    };
  };
  const start = (o: { coro: Coro<unknown, void> }, extra: Partial<Parameters<typeof ForkedProcess.fork>[1]> = {}): ForkedProcess => {
    const child = ForkedProcess.fork(CHILD, { owner: o.coro, scheduler: sched, forwardStderr: false, ...extra });
    children.push(child);
    return child;
  };
  const data = (m: unknown): unknown => (m instanceof ProcessMessage ? m.data : m);

  it("its messages reach its owner's mailbox in order, and its exit after the last of them, once", async () => {
    const o = owner();
    const child = start(o);
    expect(data(await o.next())).to.deep.equal({ up: child.pid });
    expect(child.send({ echo: [1, 'two', { three: 3n }] })).to.equal(true);
    expect(data(await o.next())).to.deep.equal({ echo: [1, 'two', { three: 3n }] }); // advanced serialization
    child.send({ burst: 200, code: 7 });
    for (let i = 0; i < 200; i++) expect(data(await o.next())).to.deep.equal({ n: i });
    const exit = await o.next();
    expect(exit).to.be.instanceOf(ProcessExit);
    expect((exit as ProcessExit).process).to.equal(child);
    expect((exit as ProcessExit).status).to.deep.equal({ code: 7, signal: null });
    expect(child.isAlive).to.equal(false);
    expect(child.exitStatus).to.deep.equal({ code: 7, signal: null });
    expect(await o.next(undefined, 200)).to.equal('nothing');
    expect(child.send({ echo: 1 })).to.equal(false);
    expect(child.kill()).to.equal(false);
  });

  it('connect hands it to another owner: later messages and its exit go there', async () => {
    const a = owner();
    const b = owner();
    const child = start(a);
    await a.next();
    child.connect(b.coro);
    expect(child.owner).to.equal(b.coro);
    child.send({ echo: 'to b' });
    expect(data(await b.next())).to.deep.equal({ echo: 'to b' });
    expect(child.kill('SIGTERM')).to.equal(true);
    expect(((await b.next()) as ProcessExit).status).to.deep.equal({ code: null, signal: 'SIGTERM' });
    expect(await a.next(undefined, 100)).to.equal('nothing');
  });

  it('wait: the exit status; false on timeout; the signal aborts it; terminating the acting coroutine interrupts it', async () => {
    const o = owner();
    const child = start(o);
    await o.next();
    expect(await child.wait({ timeout: 50 })).to.equal(false);
    const ac = new AbortController();
    const aborted = child.wait({ signal: ac.signal });
    ac.abort(new Error('enough'));
    expect(await aborted.catch((e: Error) => e.message)).to.equal('enough');
    const waiter = sched.spawn(async (c) => child.wait({ coro: c }));
    await new Promise((r) => setImmediate(r));
    waiter.terminate();
    expect(await waiter.finish().catch((e: Error) => e)).to.be.instanceOf(CoroTerminatedError);
    const waiting = child.wait({ timeout: 10_000 });
    child.send({ exit: 3 });
    expect(await waiting).to.deep.equal({ code: 3, signal: null });
    expect(await child.wait({ timeout: 0 })).to.deep.equal({ code: 3, signal: null }); // already ended: at once
  });

  it('keeps the end of its stderr; its environment is the one given', async () => {
    const o = owner();
    const child = start(o, { env: { ONLY_THIS: 'yes' }, stderrTail: 5 });
    await o.next();
    child.send({ env: 'ONLY_THIS' });
    expect(data(await o.next())).to.deep.equal({ env: 'yes' });
    child.send({ env: 'PATH' });
    expect(data(await o.next())).to.deep.equal({ env: null });
    child.send({ stderr: 'abcdefgh' });
    child.send({ exit: 0 });
    await child.wait({ timeout: 10_000 });
    expect(child.stderrTail).to.equal('defgh');
  });

  it('a module that cannot be loaded exits with code 1 (its error in the stderr tail); await using kills and waits', async () => {
    const o = owner();
    const broken = ForkedProcess.fork('/no/such/module.js', { owner: o.coro, scheduler: sched, forwardStderr: false });
    children.push(broken);
    const exit = (await o.next((m) => m instanceof ProcessExit)) as ProcessExit;
    expect(exit.status.code).to.equal(1);
    expect(broken.stderrTail).to.include('Cannot find module');
    let pid = 0;
    {
      await using child = start(o);
      pid = child.pid;
      await o.next((m) => data(m) !== undefined && (data(m) as { up?: number }).up === pid);
    }
    expect(isAlive(pid)).to.equal(false);
  });

  it('bad arguments are InvalidArgumentError, nothing forked: no owner, a bad module path, bad options, a message that cannot be sent', async () => {
    const o = owner();
    for (const bad of [
      () => ForkedProcess.fork(CHILD, {} as never),
      () => ForkedProcess.fork('', { owner: o.coro }),
      () => ForkedProcess.fork(CHILD, { owner: o.coro, args: [1] as never }),
      () => ForkedProcess.fork(CHILD, { owner: o.coro, serialization: 'xml' as never }),
      () => ForkedProcess.fork(CHILD, { owner: o.coro, stderrTail: -1 }),
      () => ForkedProcess.fork(CHILD, { owner: o.coro, forwardStderr: 'yes' as never }),
    ]) expect(bad).to.throw(InvalidArgumentError);
    const child = start(o);
    await o.next();
    expect(() => child.send({ f: () => 1 })).to.throw(InvalidArgumentError);
    expect(() => child.connect(null as never)).to.throw(InvalidArgumentError);
    expect(await child.wait({ timeout: -1 }).catch((e: Error) => e)).to.be.instanceOf(InvalidArgumentError);
    child.send({ echo: 'still fine' });
    expect(data(await o.next())).to.deep.equal({ echo: 'still fine' });
  });
});
