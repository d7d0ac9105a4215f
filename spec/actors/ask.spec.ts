import { expect } from 'chai';
import { ask } from '../../actors/ask.js';
import { Network } from '../../actors/remote/Network.js';
import type { Address } from '../../runtime/address.js';
import type { Coro } from '../../runtime/Coro.js';
import { CoroFinishedError, InvalidArgumentError, TimeoutError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { schedulerFixture } from '../fixtures/index.js';
import { expectError, until } from '../helpers.js';

type Request = { x: number; replyTo: Address<number> };

describe('ask', () => {
  const fx = schedulerFixture();
  const squarer = (): Coro<Request> =>
    fx.sched.spawnWith({ daemon: true, name: 'squarer' }, async (coro: Coro<Request>) => {
      for await (const { x, replyTo } of coro.messages()) replyTo.send(x * x);
    });
  const replyCoroutines = (): number => fx.sched.snapshot().coroutines.filter((c) => c.name === 'ask-reply').length;

  it('sends the request with a private reply address and resolves with the reply; the caller mailbox is untouched', async () => {
    const server = squarer();
    const caller = fx.sched.spawn(async (coro: Coro<string>) => {
      coro.send('mine');
      const y = await ask(server, (replyTo) => ({ x: 12, replyTo }), { timeout: 1000 });
      return [y, coro.pending, coro.poll()];
    });
    expect(await caller.value()).to.deep.equal([144, 1, 'mine']);
    await until(() => replyCoroutines() === 0);
  });

  it('rejects with TimeoutError when no reply comes in time, and leaves no reply coroutine behind', async () => {
    const silent = fx.sched.spawnWith({ daemon: true }, async (coro: Coro<Request>) => void (await coro.suspend()));
    const err = await expectError(() => ask(silent, (replyTo) => ({ x: 1, replyTo }), { timeout: 20, scheduler: fx.sched }), TimeoutError);
    expect(err.message).to.match(/within 20 ms/);
    await until(() => replyCoroutines() === 0);
  });

  it('rejects with the signal reason when aborted, before or during the wait', async () => {
    const silent = fx.sched.spawnWith({ daemon: true }, async (coro: Coro<Request>) => void (await coro.suspend()));
    const before = AbortSignal.abort(new Error('not wanted'));
    expect(((await ask(silent, (replyTo) => ({ x: 1, replyTo }), { signal: before }).catch((e: Error) => e)) as Error).message).to.equal('not wanted');
    const controller = new AbortController();
    const pending = ask(silent, (replyTo) => ({ x: 1, replyTo }), { signal: controller.signal, scheduler: fx.sched });
    await until(() => replyCoroutines() === 1);
    controller.abort(new Error('changed my mind'));
    expect(((await pending.catch((e: Error) => e)) as Error).message).to.equal('changed my mind');
    await until(() => replyCoroutines() === 0);
  });

  it('rejects with CoroFinishedError when the target has ended, and rejects bad input (never throws synchronously)', async () => {
    const gone = fx.sched.spawn(async () => undefined);
    await gone.finish();
    await expectError(() => ask(gone, (replyTo) => ({ x: 1, replyTo }), { timeout: 100 }), CoroFinishedError);
    let thrown: unknown;
    let promise: Promise<unknown> | undefined;
    try {
      promise = ask(null as unknown as Address<number>, () => 1);
    } catch (err) {
      thrown = err;
    }
    expect(thrown, 'no synchronous throw').to.equal(undefined);
    await expectError(() => promise!, InvalidArgumentError);
    await expectError(() => ask(squarer(), 'not a function' as never), InvalidArgumentError);
    await expectError(() => ask(squarer(), (replyTo) => ({ x: 1, replyTo }), { timeout: -1 }), InvalidArgumentError);
    const boom = new Error('builder failed');
    expect(await ask(squarer(), () => {
      throw boom;
    }).catch((e: unknown) => e)).to.equal(boom);
    await until(() => replyCoroutines() === 0);
  });

  it('a local target that ends before replying fails the ask at once, with its error as the cause; asks leave no monitor behind', async () => {
    const server = squarer();
    for (let i = 0; i < 20; i++) await ask(server, (replyTo) => ({ x: i, replyTo }), { timeout: 1000 });
    expect(fx.sched.snapshot().coroutines.find((c) => c.name === 'squarer')!.monitors, 'each ask removed its watch').to.equal(0);
    const fragile = fx.sched.spawn(async (coro: Coro<Request>) => {
      await coro.receive();
      throw new Error('worker bug');
    });
    // The ask's timeout is far beyond the test's own: only the target's end can settle it in time.
    const err = await expectError(() => ask(fragile, (replyTo) => ({ x: 1, replyTo }), { timeout: 600_000 }), CoroFinishedError);
    expect((err.cause as Error).message).to.equal('worker bug');
  });

  it('works across nodes: the reply address crosses the wire as a coroutine reference', async () => {
    const b = new Scheduler();
    const netA = await Network.start(fx.sched, { discover: false });
    fx.cleanup.push(() => netA.stop());
    const netB = await Network.start(b, { discover: false, seeds: [netA.location] });
    try {
      squarer().register('squarer');
      const remote = await netB.locateCoro<Request>('squarer', { location: netA.location, timeout: 3000 });
      expect(remote).to.not.equal(undefined);
      expect(await ask(remote!, (replyTo) => ({ x: 9, replyTo }), { timeout: 3000 })).to.equal(81);
    } finally {
      await netB.stop();
      await b.terminate();
    }
  });
});
