/**
 * Item 3 of the threads issue: the remote specs' scenarios, between threads of one process.
 */
import { expect } from 'chai';
import { ask } from '../../../actors/ask.js';
import { Channel } from '../../../actors/Channel.js';
import { Rci } from '../../../actors/remote/Rci.js';
import { RemoteCoro } from '../../../actors/remote/RemoteCoro.js';
import { spawnOn, spawnOnWith, type ThreadCoro } from '../../../actors/threads/spawnOn.js';
import { Coro } from '../../../runtime/Coro.js';
import { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import { CoroFinishedError, InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Location } from '../../../transports/net/Location.js';
import { RemoteError } from '../../../transports/net/netErrors.js';
import { THREAD_WORKERS, threadsFixture } from '../../fixtures/index.js';
import { expectError, until } from '../../helpers.js';

describe('one API across threads (real worker threads)', function () {
  this.timeout(30_000);
  const fx = threadsFixture();

  it('send: messages from one sender arrive in order; deliver resolves once queued; send to an ended coroutine is false', async () => {
    const threads = await fx.start({ count: 1 });
    const got: unknown[] = [];
    const sink = fx.sched.spawn(async (coro: Coro<unknown>) => {
      for (;;) got.push(await coro.receive());
    });
    const echo = await spawnOn(threads, THREAD_WORKERS, 'echo', sink);
    for (let i = 0; i < 5000; i++) echo.send(i);
    expect(await echo.deliver('last', { timeout: 5000 })).to.equal(true);
    await until(() => got.length === 5001, 10_000, 'every message echoed');
    expect(got).to.deep.equal([...Array.from({ length: 5000 }, (_, i) => i), 'last']);
    await echo.terminate();
    await until(() => threads.list()[0]!.placed === 0);
    expect(echo.send('gone')).to.equal(false);
    expect((await expectError(() => echo.deliver('gone', { timeout: 1000 }), Error)).code).to.equal(CoroFinishedError.CODE);
  });

  it('deliver into a full bounded mailbox on a thread waits and resolves false on timeout', async () => {
    const threads = await fx.start({ count: 1 });
    const box = (await (await spawnOn(threads, THREAD_WORKERS, 'fullBox', 1)).value({ timeout: 5000 })) as RemoteCoro;
    expect(box).to.be.instanceOf(RemoteCoro);
    expect(await box.deliver('fits', { timeout: 2000 })).to.equal(true);
    expect(await box.deliver('does not', { timeout: 100 })).to.equal(false);
  });

  it('ask: the reply comes back; a target that ends before replying fails the ask with CoroFinishedError', async () => {
    const threads = await fx.start({ count: 1 });
    const doubler = await spawnOn(threads, THREAD_WORKERS, 'doubler');
    expect(await ask(doubler, (replyTo) => ({ n: 21, replyTo }), { timeout: 5000 })).to.equal(42);
    const counter = await spawnOn(threads, THREAD_WORKERS, 'counter');
    const asking = ask(counter as ThreadCoro<any>, () => 'total', { timeout: 5000 });
    await expectError(() => asking, CoroFinishedError);
  });

  it('monitor: a monitor here hears a thread coroutine end with its value, or its error with name and code', async () => {
    const threads = await fx.start({ count: 1 });
    const statuses = fx.sched.spawn(async (coro: Coro<MonitorStatus>) => {
      const counter = await spawnOn(threads, THREAD_WORKERS, 'counter', 10);
      const failing = await spawnOn(threads, THREAD_WORKERS, 'fails', 'on purpose');
      await coro.monitor(counter);
      await coro.monitor(failing);
      counter.send('x');
      counter.send('total');
      const seen: Array<[string, unknown]> = [];
      for (let i = 0; i < 2; i++) {
        const s = (await coro.receive({ timeout: 5000 }))!;
        seen.push([s.reason, s.reason === 'finished' ? s.value : [(s.error as RemoteError).code, (s.error as RemoteError).remoteMessage]]);
      }
      return seen.sort();
    });
    expect(await statuses.value()).to.deep.equal([['failed', ['ERR_FIXTURE', 'on purpose']], ['finished', 11]]);
  });

  it('locate/register: a coroutine registered on a thread is found from here and from the other thread, which reaches it directly', async () => {
    const threads = await fx.start();
    await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'registered', 'svc');
    const here = await Coro.locate('svc', { scheduler: fx.sched, timeout: 5000 });
    expect(here).to.be.instanceOf(RemoteCoro);
    expect(String((here as RemoteCoro).location)).to.equal(threads.list()[0]!.location);
    expect(await ask(here as RemoteCoro<any>, (replyTo) => ({ n: 1, replyTo }), { timeout: 5000 })).to.equal('svc:1');
    const fromThread2 = await spawnOnWith(threads, { thread: 2 }, THREAD_WORKERS, 'locateAndAsk', 'svc', 2);
    const result = (await fromThread2.value({ timeout: 10_000 })) as { answer: string; location: string; peers: string[] };
    expect(result.answer).to.equal('svc:2');
    expect(result.location).to.equal(threads.list()[0]!.location);
    // Thread 2 has thread 1 as a peer of its own: they talk without the owner in between.
    expect(result.peers).to.include(threads.list()[0]!.location);
  });

  it('references inside messages: a coroutine of this thread sent to a thread and back is the live coroutine again; one of a thread is a RemoteCoro here', async () => {
    const threads = await fx.start({ count: 1 });
    const bouncer = await spawnOn(threads, THREAD_WORKERS, 'bounce');
    const mine = fx.sched.spawnWith({ name: 'mine' }, (coro: Coro<never>) => coro.suspend());
    const back = await ask(bouncer as ThreadCoro<any>, (replyTo) => ({ ref: mine, replyTo }), { timeout: 5000 });
    expect(back).to.equal(mine);
    const theirs = await ask(bouncer as ThreadCoro<any>, (replyTo) => ({ ref: bouncer, replyTo }), { timeout: 5000 });
    expect(theirs).to.be.instanceOf(RemoteCoro);
    expect((theirs as RemoteCoro).equals(bouncer)).to.equal(true);
    const data = { buffer: Buffer.from('bytes'), when: new Date(5), nested: [{ map: new Map([['k', 1]]) }], big: 10n, location: new Location('10.0.0.1', 9705) };
    const same = (await ask(bouncer as ThreadCoro<any>, (replyTo) => ({ ref: data, replyTo }), { timeout: 5000 })) as typeof data;
    expect(Buffer.isBuffer(same.buffer)).to.equal(true);
    expect(same.buffer.toString()).to.equal('bytes');
    expect(same.when.getTime()).to.equal(5);
    expect(same.nested[0]!.map.get('k')).to.equal(1);
    expect(same.big).to.equal(10n);
    expect(same.location).to.be.instanceOf(Location);
    expect(String(same.location)).to.equal('10.0.0.1:9705');
    const err = (await ask(bouncer as ThreadCoro<any>, (replyTo) => ({ ref: new InvalidArgumentError('bad'), replyTo }), { timeout: 5000 })) as RemoteError;
    expect(err).to.be.instanceOf(RemoteError);
    expect(InvalidArgumentError.is(err)).to.equal(true);
  });

  it('what cannot cross is refused when sent (InvalidArgumentError), and the link goes on', async () => {
    const threads = await fx.start({ count: 1 });
    const doubler = await spawnOn(threads, THREAD_WORKERS, 'doubler');
    expect(() => doubler.send({ fn: () => 1 } as never)).to.throw(InvalidArgumentError);
    expect(() => doubler.send({ s: Symbol('x') } as never)).to.throw(InvalidArgumentError);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => doubler.send(loop as never)).to.throw(InvalidArgumentError);
    expect(await ask(doubler, (replyTo) => ({ n: 3, replyTo }), { timeout: 5000 })).to.equal(6);
  });

  it('channels: a thread subscribes to a channel here (deliver with n counts it); a channel on a thread is delivered to subscribers here and on the other thread', async () => {
    const threads = await fx.start();
    const news = new Channel<string>('news', { scheduler: fx.sched });
    news.register();
    const got: unknown[] = [];
    const collector = fx.sched.spawn(async (coro: Coro<unknown>) => {
      for (;;) got.push(await coro.receive());
    });
    await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'channelReader', 'news', collector);
    await until(() => got.includes('subscribed'), 10_000, 'the thread to subscribe');
    expect(await news.deliver('hello', { n: 1, timeout: 5000 })).to.equal(1);
    await until(() => got.includes('hello'));

    const host = await spawnOnWith(threads, { thread: 2 }, THREAD_WORKERS, 'channelHost', 'on-thread', 2, 'to both', 2);
    const local: unknown[] = [];
    const reader = fx.sched.spawn(async (coro: Coro<unknown>) => {
      for (;;) local.push(await coro.receive());
    });
    const channel = await Channel.locate('on-thread', { scheduler: fx.sched, timeout: 5000 });
    await (channel as Channel<unknown>).subscribe(reader);
    await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'channelReader', 'on-thread', collector);
    expect(await host.value({ timeout: 10_000 })).to.equal(2);
    await until(() => local.includes('to both') && got.includes('to both'), 10_000, 'both subscribers to get it');
  });

  it('RCI: an RCI registered on a thread is located and called from here', async () => {
    const threads = await fx.start({ count: 1 });
    await spawnOn(threads, THREAD_WORKERS, 'rciHost', 'double');
    const rci = await Rci.locate<[number], number>('double', { scheduler: fx.sched, timeout: 5000 });
    expect(rci).to.not.equal(undefined);
    const remote = await rci!.call(21);
    expect(await remote.value({ timeout: 5000 })).to.equal(42);
  });

  it('transfer: buffers listed move to the thread (detached here, not copied); a Buffer cut from the pool is copied; the thread moves one back', async () => {
    const threads = await fx.start({ count: 1 });
    const target = await spawnOn(threads, THREAD_WORKERS, 'buffers');
    const answers: Array<{ kind: string; length: number; first: number; back: Buffer }> = [];
    const inbox = fx.sched.spawn(async (coro: Coro<{ kind: string; length: number; first: number; back: Buffer }>) => {
      for (;;) answers.push(await coro.receive());
    });
    const own = Buffer.alloc(1 << 20, 1);
    expect(target.send({ data: own, replyTo: inbox } as never, { transfer: [own] })).to.equal(true);
    expect(own.length, 'moved: detached here').to.equal(0);
    const raw = new ArrayBuffer(64);
    new Uint8Array(raw)[0] = 9;
    expect(await target.deliver({ data: raw, replyTo: inbox } as never, { transfer: [raw], timeout: 5000 })).to.equal(true);
    expect(raw.byteLength).to.equal(0);
    const pooled = Buffer.from('pooled');
    target.send({ data: pooled, replyTo: inbox } as never, { transfer: [pooled] });
    expect(pooled.toString(), 'a pooled Buffer is copied').to.equal('pooled');
    await until(() => answers.length === 3, 5000, 'three answers');
    expect(answers.map((a) => [a.kind, a.length, a.first])).to.deep.equal([['Buffer', 1 << 20, 1], ['ArrayBuffer', 64, 9], ['Buffer', 6, 112]]);
    expect(Buffer.isBuffer(answers[0]!.back) && answers[0]!.back.length).to.equal(4096);
    expect(() => target.send({} as never, { transfer: ['not a buffer'] as never })).to.throw(InvalidArgumentError);
    expect(() => target.send({} as never, { transfer: [new SharedArrayBuffer(8)] as never })).to.throw(InvalidArgumentError);
    expect(() => fx.sched.spawn((c: Coro<never>) => c.suspend()).send(undefined as never, 'bad' as never)).to.throw(InvalidArgumentError);
  });
});
