import { expect } from 'chai';
import os from 'node:os';
import { ask } from '../../../actors/ask.js';
import { Network } from '../../../actors/remote/Network.js';
import { spawnOn, spawnOnWith } from '../../../actors/threads/spawnOn.js';
import { Threads } from '../../../actors/threads/Threads.js';
import { NoThreadError, ThreadStartError } from '../../../actors/actorErrors.js';
import type { Coro } from '../../../runtime/Coro.js';
import { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { THREAD_WORKERS, threadsFixture } from '../../fixtures/index.js';
import { expectError, until } from '../../helpers.js';

describe('Threads (real worker threads)', function () {
  this.timeout(30_000);
  const fx = threadsFixture();

  it('starts the threads as nodes of a network of their own (no listener): each up, with its own incarnation, at name:0', async () => {
    const threads = await fx.start();
    const list = threads.list();
    expect(list.map((t) => [t.index, t.state, t.starts, t.placed])).to.deep.equal([[1, 'up', 1, 0], [2, 'up', 1, 0]]);
    expect(new Set(list.map((t) => t.incarnation)).size).to.equal(2);
    for (const t of list) expect(t.location).to.equal(`${t.name}:0`);
    expect(list[0]!.name).to.match(/^thread-1\.[0-9a-f]{8}$/);
    const net = Network.of(fx.sched)!;
    expect(threads.network).to.equal(net);
    expect(net.location.port).to.equal(0);
    expect(net.peers().map(String).sort()).to.deep.equal(list.map((t) => t.location).sort());
    expect(threads.count).to.equal(2);
  });

  it('starts os.availableParallelism() threads by default', async () => {
    const threads = await Threads.start({ scheduler: fx.sched });
    fx.groups.push(threads);
    expect(threads.count).to.equal(os.availableParallelism());
    expect(threads.list().every((t) => t.state === 'up')).to.equal(true);
  });

  it('stop() terminates the coroutines (their monitors hear terminated), ends every thread and the network it started; idempotent', async () => {
    const threads = await fx.start();
    const watcher = fx.sched.spawn(async (coro: Coro<MonitorStatus>) => {
      const counter = await spawnOn(threads, THREAD_WORKERS, 'counter');
      await coro.monitor(counter);
      coro.send(new MonitorStatus(coro, 'finished', 'monitoring')); // tell the test the monitor is in place
      return (await coro.receive({ filter: (m) => m.coro !== coro, timeout: 10_000 }))?.reason;
    });
    await until(() => watcher.pending > 0 || !watcher.isAlive);
    expect(await threads.stop()).to.equal(true);
    expect(await threads.stop()).to.equal(true);
    expect(await watcher.value()).to.equal('terminated');
    expect(threads.list().map((t) => t.state)).to.deep.equal(['down', 'down']);
    expect(threads.isRunning).to.equal(false);
    expect(Network.of(fx.sched)).to.equal(undefined);
    await expectError(() => spawnOn(threads, THREAD_WORKERS, 'counter'), NoThreadError);
  });

  it('await using stops them', async () => {
    let kept: Threads | undefined;
    {
      await using threads = await Threads.start({ count: 1, scheduler: fx.sched });
      kept = threads;
      expect(threads.list()[0]!.state).to.equal('up');
    }
    expect(kept.list()[0]!.state).to.equal('down');
    expect(kept.isRunning).to.equal(false);
  });

  it('stop({ timeout }) resolves false when a thread does not end in time (frozen), and stops it anyway', async () => {
    const threads = await fx.start({ count: 1 });
    const frozen = await spawnOn(threads, THREAD_WORKERS, 'freeze');
    expect(await ask(frozen, (replyTo) => replyTo, { timeout: 5000 })).to.equal('frozen');
    expect(await threads.stop({ timeout: 300 })).to.equal(false);
    expect(threads.list()[0]!.state).to.equal('down');
  });

  it('stop({ signal }) rejects with the reason of an aborted signal, and the threads are stopped all the same', async () => {
    const threads = await fx.start({ count: 1 });
    const frozen = await spawnOn(threads, THREAD_WORKERS, 'freeze');
    expect(await ask(frozen, (replyTo) => replyTo, { timeout: 5000 })).to.equal('frozen');
    const ac = new AbortController();
    const stopping = threads.stop({ signal: ac.signal });
    ac.abort(new Error('enough'));
    const err = await expectError(() => stopping, Error);
    expect(err.message).to.equal('enough');
    expect(threads.list()[0]!.state).to.equal('down');
  });

  it('the scheduler ending (its exit hooks) stops the threads', async () => {
    const sched = new Scheduler();
    const threads = await Threads.start({ count: 1, scheduler: sched });
    await sched.terminate();
    await until(() => threads.list()[0]!.state === 'down' && !threads.isRunning, 10_000, 'the threads to stop with their scheduler');
  });

  it('on an owner with a network of its own, the threads join it (without listening when told) and leave it running when they stop', async () => {
    const net = await Network.start(fx.sched, { discover: false });
    try {
      const threads = await fx.start({ listen: false });
      expect(threads.network).to.equal(net);
      expect(threads.list().every((t) => t.location.endsWith(':0'))).to.equal(true);
      await threads.stop();
      expect(net.isStopped).to.equal(false);
    } finally {
      await net.stop();
    }
  });

  it('two groups share the network they started: the last one to stop stops it', async () => {
    const a = await fx.start({ count: 1 });
    const b = await fx.start({ count: 1 });
    expect(b.network).to.equal(a.network);
    await a.stop();
    const w = await spawnOn(b, THREAD_WORKERS, 'whoAmI', 'still');
    expect(((await w.value({ timeout: 5000 })) as { args: unknown[] }).args).to.deep.equal(['still']);
    await b.stop();
    expect(a.network.isStopped).to.equal(true);
  });

  it('snapshot(): each thread scheduler\'s snapshot, with the coroutines placed there', async () => {
    const threads = await fx.start();
    await spawnOnWith(threads, { thread: 1, name: 'first' }, THREAD_WORKERS, 'counter');
    await spawnOnWith(threads, { thread: 2, name: 'second' }, THREAD_WORKERS, 'counter');
    const snaps = await threads.snapshot({ timeout: 5000 });
    expect(snaps.map((s) => [s.index, s.state, s.snapshot?.coroutines.map((c) => c.name)])).to.deep.equal([[1, 'up', ['first']], [2, 'up', ['second']]]);
    expect(snaps[0]!.snapshot!.peers.map((p) => p.name).sort()).to.include(snaps[1]!.name);
  });

  it('snapshot(): a thread that does not answer in time (frozen) has none; an aborted signal rejects with its reason', async () => {
    const threads = await fx.start();
    const frozen = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'freeze');
    expect(await ask(frozen, (replyTo) => replyTo, { timeout: 5000 })).to.equal('frozen');
    // It spins from its next turn on; from then, it answers nothing.
    let missing: boolean[] = [];
    for (let i = 0; i < 50 && missing[0] !== true; i++) missing = (await threads.snapshot({ timeout: 200 })).map((t) => t.snapshot === null);
    expect(missing).to.deep.equal([true, false]);
    const ac = new AbortController();
    const pending = threads.snapshot({ signal: ac.signal });
    ac.abort(new Error('never mind'));
    expect((await expectError(() => pending, Error)).message).to.equal('never mind');
    await expectError(() => threads.snapshot({ timeout: -1 }), InvalidArgumentError);
  });

  it('terminateOn(thread, id): the coroutine is terminated (its monitor hears terminated); false once ended or for another incarnation; errors are typed', async () => {
    const threads = await fx.start();
    const counter = await spawnOnWith(threads, { thread: 2, name: 'victim' }, THREAD_WORKERS, 'counter');
    const [, second] = await threads.snapshot({ timeout: 5000 });
    const listed = second!.snapshot!.coroutines.find((c) => c.name === 'victim')!;
    expect(await threads.terminateOn(2, listed.id, { incarnation: 'an earlier thread' })).to.equal(false);
    expect(await threads.terminateOn(1, listed.id)).to.equal(false);
    expect(await threads.terminateOn(2, listed.id, { incarnation: second!.incarnation, timeout: 5000 })).to.equal(true);
    const outcome = await counter.finish({ timeout: 5000 }).then(() => 'finished', (err: Error) => err.name);
    expect(outcome).to.equal('CoroTerminatedError');
    expect(await threads.terminateOn(2, listed.id)).to.equal(false);
    for (const [thread, id, options] of [[0, 1], [3, 1], [1.5, 1], [1, 0], [1, -2], [1, 'x'], [1, 1, { timeout: -1 }], [1, 1, { incarnation: 7 }]] as Array<[number, number, object?]>) {
      await expectError(() => threads.terminateOn(thread, id, options as never), InvalidArgumentError);
    }
    const ac = new AbortController();
    ac.abort(new Error('no'));
    expect((await expectError(() => threads.terminateOn(1, 1, { signal: ac.signal }), Error)).message).to.equal('no');
    await threads.stop();
    await expectError(() => threads.terminateOn(1, 1), NoThreadError);
  });

  it('a thread that dies while it starts (out of memory before it is ready) is ThreadStartError with the cause', async () => {
    const err = await expectError(() => Threads.start({ count: 1, scheduler: fx.sched, resourceLimits: { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 } }), ThreadStartError);
    expect(String((err.cause as Error | undefined)?.message ?? err.message)).to.match(/ended before it was ready|memory/);
    expect(Network.of(fx.sched)).to.equal(undefined);
  });

  it('a start that does not finish in time is ThreadStartError, with no thread left running', async () => {
    const err = await expectError(() => Threads.start({ count: 2, scheduler: fx.sched, timeout: 1 }), ThreadStartError);
    expect(err.message).to.match(/did not start/);
    expect(Network.of(fx.sched)).to.equal(undefined);
  });

  it('an aborted start rejects with the reason and stops what started', async () => {
    const ac = new AbortController();
    const starting = Threads.start({ count: 1, scheduler: fx.sched, signal: ac.signal });
    ac.abort(new Error('not now'));
    const err = await expectError(() => starting, Error);
    expect(err.message).to.equal('not now');
    await until(() => Network.of(fx.sched) === undefined, 10_000, 'the network of the aborted start to stop');
  });

  it('bad options are InvalidArgumentError and start nothing', async () => {
    for (const options of [{ count: 0 }, { count: -1 }, { count: 1.5 }, { count: 'two' }, { timeout: -5 }, { restart: 3 }, { restart: { maxRestarts: -1 } }, { listen: 'yes' }, { scheduler: {} }, { spares: -1 }, { spares: 0.5 }, { spares: 'one' }]) {
      await expectError(() => Threads.start({ scheduler: fx.sched, ...(options as object) }), InvalidArgumentError);
    }
    await expectError(() => Threads.start(null as never), InvalidArgumentError);
    const stopped = new Scheduler();
    await stopped.terminate();
    await expectError(() => Threads.start({ scheduler: stopped }), InvalidArgumentError);
    expect(Network.of(fx.sched)).to.equal(undefined);
  });

  it('listen: true without a listening network of the owner is InvalidArgumentError', async () => {
    await expectError(() => Threads.start({ count: 1, scheduler: fx.sched, listen: true }), InvalidArgumentError);
  });
});
