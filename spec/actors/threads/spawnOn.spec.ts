import { expect } from 'chai';
import { ask } from '../../../actors/ask.js';
import { NoThreadError, ThreadFunctionError } from '../../../actors/actorErrors.js';
import { spawnOn, spawnOnWith, ThreadCoro } from '../../../actors/threads/spawnOn.js';
import type { Coro } from '../../../runtime/Coro.js';
import { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import { InvalidArgumentError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { PeerLostError, RemoteError } from '../../../transports/net/netErrors.js';
import { THREAD_WORKERS, threadsFixture } from '../../fixtures/index.js';
import type { counter, whoAmI } from '../../fixtures/threadWorkers.js';
import { expectError, until } from '../../helpers.js';

const MODULES = new URL('../../fixtures/threadModules/', import.meta.url);

describe('spawnOn / spawnOnWith (real worker threads)', function () {
  this.timeout(30_000);
  const fx = threadsFixture();

  it('places a module export on a thread, with its arguments, as a coroutine of the thread\'s default scheduler; resolves to a typed address', async () => {
    const threads = await fx.start();
    const w = await spawnOnWith<typeof whoAmI>(threads, { thread: 2 }, THREAD_WORKERS, 'whoAmI', 1, 'two', { three: [3] });
    expect(w).to.be.instanceOf(ThreadCoro);
    expect(w.thread).to.equal(2);
    expect(w.name).to.equal('whoAmI');
    expect(String(w.location)).to.equal(threads.list()[1]!.location);
    const result = await w.value({ timeout: 5000 });
    expect(result).to.deep.equal({ args: [1, 'two', { three: [3] }], isDefault: true, threadName: threads.list()[1]!.name });
  });

  it('accepts the module as a URL, a file: URL string or an absolute path', async () => {
    const threads = await fx.start({ count: 1 });
    for (const module of [THREAD_WORKERS, THREAD_WORKERS.href, THREAD_WORKERS.pathname]) {
      const w = await spawnOn(threads, module, 'whoAmI', 'x');
      expect(((await w.value({ timeout: 5000 })) as { args: unknown[] }).args).to.deep.equal(['x']);
    }
  });

  it('a key always lands on one thread, and keys spread over the threads', async () => {
    const threads = await fx.start();
    const where = async (key: string): Promise<number> => (await spawnOnWith(threads, { key }, THREAD_WORKERS, 'whoAmI')).thread;
    const first = await where('user-42');
    for (let i = 0; i < 5; i++) expect(await where('user-42')).to.equal(first);
    const spread = new Set<number>();
    for (let k = 0; k < 40; k++) spread.add(await where(`user-${k}`));
    expect([...spread].sort()).to.deep.equal([1, 2]);
    expect(await spawnOnWith(threads, { key: 7 }, THREAD_WORKERS, 'whoAmI').then((c) => c.thread)).to.equal(await where('7'));
  });

  it('least loaded: coroutines still running count; one that ends no longer does', async () => {
    const threads = await fx.start();
    const a = await spawnOn<typeof counter>(threads, THREAD_WORKERS, 'counter');
    const b = await spawnOnWith<typeof counter>(threads, { leastLoaded: true }, THREAD_WORKERS, 'counter');
    expect([a.thread, b.thread].sort()).to.deep.equal([1, 2]);
    expect(threads.list().map((t) => t.placed)).to.deep.equal([1, 1]);
    a.send('total');
    expect(await a.value({ timeout: 5000 })).to.equal(0);
    await until(() => threads.list()[a.thread - 1]!.placed === 0, 5000, 'the ended coroutine to be uncounted');
    const c = await spawnOn(threads, THREAD_WORKERS, 'counter');
    expect(c.thread).to.equal(a.thread);
  });

  it('name and monitor: the coroutine is named as asked, and the monitor hears its end (installed before it ran)', async () => {
    const threads = await fx.start({ count: 1 });
    const watcher = fx.sched.spawn(async (coro: Coro<MonitorStatus>) => {
      const w = await spawnOnWith(threads, { name: 'quick', monitor: coro }, THREAD_WORKERS, 'fails', 'at once');
      expect(w.name).to.equal('quick');
      const status = (await coro.receive({ timeout: 5000 }))!;
      return [status.reason, (status.error as RemoteError).code, (status.error as RemoteError).remoteMessage, (status.coro as { id: number }).id === w.id];
    });
    expect(await watcher.value()).to.deep.equal(['failed', 'ERR_FIXTURE', 'at once', true]);
  });

  it('finish()/value() work after the coroutine ended (its outcome is kept); finish with a timeout returns the alarm', async () => {
    const threads = await fx.start({ count: 1 });
    const w = await spawnOn(threads, THREAD_WORKERS, 'counter', 5);
    expect(await w.finish({ timeout: 50, alarm: 'still running' })).to.equal('still running');
    w.send('one');
    w.send('total');
    await until(() => threads.list()[0]!.placed === 0, 5000, 'the coroutine to end');
    expect(await w.value()).to.equal(6);
    expect(await w.finish()).to.equal(6);
  });

  it('a function that cannot be loaded is ThreadFunctionError naming the module, the export and the thread', async () => {
    const threads = await fx.start({ count: 1 });
    const thread = threads.list()[0]!.name;
    const missing = await expectError(() => spawnOn(threads, THREAD_WORKERS, 'noSuchExport'), ThreadFunctionError);
    expect(missing.message).to.include(THREAD_WORKERS.href).and.include('noSuchExport').and.include(thread).and.include('no such export');
    const notFn = await expectError(() => spawnOn(threads, THREAD_WORKERS, 'notAFunction'), ThreadFunctionError);
    expect(notFn.message).to.include('number, not a function');
    const broken = new URL('throwsOnImport.js', MODULES);
    for (let i = 0; i < 2; i++) {
      const err = await expectError(() => spawnOn(threads, broken, 'never'), ThreadFunctionError);
      expect(err.message).to.include(broken.href).and.include(thread).and.include('this module refuses to load');
    }
    const absent = new URL('noSuchModule.js', MODULES);
    expect((await expectError(() => spawnOn(threads, absent, 'x'), ThreadFunctionError)).message).to.include(absent.href);
    expect(threads.list()[0]!.placed).to.equal(0);
    // The thread goes on.
    expect(await ask(await spawnOn(threads, THREAD_WORKERS, 'doubler'), (replyTo) => ({ n: 4, replyTo }), { timeout: 5000 })).to.equal(8);
  });

  it('a module is imported once per thread', async () => {
    const threads = await fx.start({ count: 1 });
    const counts = new URL('countsImports.js', MODULES);
    for (let i = 0; i < 3; i++) expect(await (await spawnOn(threads, counts, 'imports')).value({ timeout: 5000 })).to.equal(1);
  });

  it('the request is bounded: timeout is TimeoutError, an aborted signal rejects with its reason', async () => {
    const threads = await fx.start({ count: 1 });
    const slow = new URL('slowToImport.js', MODULES);
    await expectError(() => spawnOnWith(threads, { timeout: 100 }, slow, 'late'), TimeoutError);
    const ac = new AbortController();
    const pending = spawnOnWith(threads, { signal: ac.signal }, slow, 'late');
    ac.abort(new Error('no longer wanted'));
    expect((await expectError(() => pending, Error)).message).to.equal('no longer wanted');
    expect(threads.list()[0]!.placed).to.equal(0);
  });

  it('a thread lost during the request fails it with PeerLostError', async () => {
    const threads = await fx.start({ count: 1 });
    await expectError(() => spawnOn(threads, new URL('exitsOnImport.js', MODULES), 'never'), PeerLostError);
  });

  it('bad arguments are InvalidArgumentError; after stop, NoThreadError', async () => {
    const threads = await fx.start({ count: 1 });
    const bad: Array<() => Promise<unknown>> = [
      () => spawnOn(threads, 'relative/path.js', 'x'),
      () => spawnOn(threads, '', 'x'),
      () => spawnOn(threads, 42 as never, 'x'),
      () => spawnOn(threads, THREAD_WORKERS, ''),
      () => spawnOn(threads, THREAD_WORKERS, 7 as never),
      () => spawnOn({} as never, THREAD_WORKERS, 'x'),
      () => spawnOnWith(threads, { thread: 0 }, THREAD_WORKERS, 'whoAmI'),
      () => spawnOnWith(threads, { thread: 2 }, THREAD_WORKERS, 'whoAmI'),
      () => spawnOnWith(threads, { thread: 1.5 }, THREAD_WORKERS, 'whoAmI'),
      () => spawnOnWith(threads, { thread: 1, key: 'k' }, THREAD_WORKERS, 'whoAmI'),
      () => spawnOnWith(threads, { key: {} as never }, THREAD_WORKERS, 'whoAmI'),
      () => spawnOnWith(threads, { leastLoaded: false as never }, THREAD_WORKERS, 'whoAmI'),
      () => spawnOnWith(threads, { timeout: -1 }, THREAD_WORKERS, 'whoAmI'),
      () => spawnOnWith(threads, { monitor: {} as never }, THREAD_WORKERS, 'whoAmI'),
      () => spawnOnWith(threads, { name: '' }, THREAD_WORKERS, 'whoAmI'),
      () => spawnOnWith(threads, null as never, THREAD_WORKERS, 'whoAmI'),
      () => spawnOn(threads, THREAD_WORKERS, 'whoAmI', () => 'a function cannot cross'),
    ];
    for (const call of bad) await expectError(call, InvalidArgumentError);
    expect(threads.list()[0]!.placed).to.equal(0);
    await threads.stop();
    await expectError(() => spawnOn(threads, THREAD_WORKERS, 'whoAmI'), NoThreadError);
  });
});
