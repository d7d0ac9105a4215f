import { expect } from 'chai';
import { MessageChannel } from 'node:worker_threads';
import type { Coro } from '../../../runtime/Coro.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { ThreadExit, WorkerThread } from '../../../transports/io/WorkerThread.js';
import { expectError, until } from '../../helpers.js';

const ENTRY = new URL('../../fixtures/workerThreadEntry.js', import.meta.url);

describe('WorkerThread (real worker threads)', function () {
  this.timeout(20_000);
  let sched: Scheduler;
  const started: WorkerThread[] = [];
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    for (const t of started.splice(0)) {
      t.terminate();
      await t.join({ timeout: 5000 });
    }
    await sched.terminate();
  });

  /** A coroutine collecting what it receives, and a thread posting to it. */
  function start(data: unknown, extra: Partial<Parameters<typeof WorkerThread.start>[2]> = {}): { thread: WorkerThread; got: unknown[]; inbox: Coro<unknown> } {
    const got: unknown[] = [];
    const inbox = sched.spawnWith({ daemon: true }, async (coro: Coro<unknown>) => {
      for (;;) got.push(await coro.receive());
    });
    const thread = WorkerThread.start(sched, ENTRY, { data, messages: inbox, ...extra });
    started.push(thread);
    return { thread, got, inbox };
  }

  it('starts the module with its data and ports; what it posts reaches the messages coroutine; post() reaches it', async () => {
    const { port1, port2 } = new MessageChannel();
    const { thread, got } = start({ port: port2, n: 1 }, { transfer: [port2] });
    await until(() => got.length === 1);
    expect(got[0]).to.deep.equal({ started: 1 });
    expect(thread.threadId).to.be.a('number');
    expect(thread.post({ hello: 'thread' })).to.equal(true);
    await until(() => got.length === 2);
    expect(got[1]).to.deep.equal({ hello: 'thread' });
    expect(thread.exit).to.equal(undefined);
    const u = thread.utilization();
    expect(u.utilization).to.be.within(0, 1);
    port1.close();
  });

  it('ends: join() resolves true, notify() targets get the ThreadExit with the code, post() is false after', async () => {
    const { thread, got } = start(null);
    await until(() => got.length === 1);
    const ended: unknown[] = [];
    const stopWatching = thread.notify({ send: (m: unknown) => (ended.push(m), true) });
    thread.notify({ send: () => true })();
    thread.post({ exit: 5 });
    expect(await thread.join({ timeout: 10_000 })).to.equal(true);
    expect(thread.exit).to.be.instanceOf(ThreadExit);
    expect([thread.exit!.code, thread.exit!.error]).to.deep.equal([5, undefined]);
    expect(ended).to.deep.equal([thread.exit]);
    expect(thread.post('late')).to.equal(false);
    expect(thread.terminate()).to.equal(false);
    stopWatching();
    const afterwards: unknown[] = [];
    thread.notify({ send: (m: unknown) => (afterwards.push(m), true) });
    expect(afterwards).to.deep.equal([thread.exit]); // told at once once it has ended
    expect(await thread.join()).to.equal(true);
  });

  it('an uncaught exception at top level ends it with the error', async () => {
    const { thread, got } = start(null);
    await until(() => got.length === 1);
    thread.post('throw');
    await thread.join({ timeout: 10_000 });
    expect(thread.exit!.error?.message).to.equal('thrown at top level');
    expect(thread.exit!.code).to.equal(1);
  });

  it('running out of its resourceLimits ends it with ERR_WORKER_OUT_OF_MEMORY', async () => {
    const { thread, got } = start(null, { resourceLimits: { maxOldGenerationSizeMb: 32 } });
    await until(() => got.length === 1);
    thread.post('hoard');
    await thread.join({ timeout: 15_000 });
    expect((thread.exit!.error as { code?: string }).code).to.equal('ERR_WORKER_OUT_OF_MEMORY');
  });

  it('terminate() stops it even in a busy loop', async () => {
    const { thread, got } = start(null);
    await until(() => got.length === 1);
    thread.post('spin');
    expect(await thread.join({ timeout: 100 })).to.equal(false);
    expect(thread.terminate()).to.equal(true);
    expect(await thread.join({ timeout: 10_000 })).to.equal(true);
  });

  it('join: a timeout resolves false; an aborted signal rejects with its reason; terminating the waiting coroutine interrupts it', async () => {
    const { thread } = start(null);
    expect(await thread.join({ timeout: 20 })).to.equal(false);
    const ac = new AbortController();
    const joining = thread.join({ signal: ac.signal });
    ac.abort(new Error('stop waiting'));
    expect((await expectError(() => joining, Error)).message).to.equal('stop waiting');
    const waiter = sched.spawn((coro: Coro<never>) => thread.join({ coro }));
    await until(() => sched.snapshot().coroutines.some((c) => c.id === waiter.id && c.waitingOn === 'thread exit'));
    waiter.terminate();
    expect((await waiter.finish().catch((e: Error) => e)) as Error).to.be.instanceOf(Error);
    await expectError(() => thread.join({ timeout: -1 }), InvalidArgumentError);
  });

  it('messagesTo(target) hands what the thread posts to another target from then on (undefined: to nobody)', async () => {
    const { thread, got } = start(null);
    await until(() => got.length === 1);
    const other: unknown[] = [];
    thread.messagesTo({ send: (m: unknown) => (other.push(m), true) });
    thread.post('to the other');
    await until(() => other.length === 1);
    expect(other).to.deep.equal(['to the other']);
    thread.messagesTo(undefined);
    thread.post('to nobody');
    thread.post({ exit: 0 });
    expect(await thread.join({ timeout: 5000 })).to.equal(true);
    expect([got.length, other.length]).to.deep.equal([1, 1]);
    expect(() => thread.messagesTo({} as never)).to.throw(InvalidArgumentError);
  });

  it('bad arguments are InvalidArgumentError', () => {
    expect(() => WorkerThread.start(sched, 'not a URL' as never)).to.throw(InvalidArgumentError);
    expect(() => WorkerThread.start(sched, ENTRY, null as never)).to.throw(InvalidArgumentError);
    expect(() => WorkerThread.start(sched, ENTRY, { messages: {} as never })).to.throw(InvalidArgumentError);
    const { thread } = start(null);
    expect(() => thread.notify(null as never)).to.throw(InvalidArgumentError);
  });
});
