import { expect } from 'chai';
import { BoundedSemaphore, Semaphore } from '../../../actors/sync/Semaphore.js';
import { CoroTerminatedError, InvalidArgumentError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { rejection, until } from '../../helpers.js';
import { SemaphoreOverflowError } from '../../../actors/actorErrors.js';

describe('Semaphore and BoundedSemaphore', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  it('admits at most `value` holders at once and serves waiters FIFO', async () => {
    const sem = new Semaphore(3);
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    const all = Array.from({ length: 12 }, (_, i) =>
      sched.spawn(async (coro) => {
        await sem.acquire(coro);
        order.push(i);
        inside++;
        maxInside = Math.max(maxInside, inside);
        await coro.sleep(1);
        inside--;
        sem.release(coro);
      }),
    );
    await Promise.all(all.map((c) => c.finish()));
    expect(maxInside).to.equal(3);
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    expect(sem.value).to.equal(3);
  });

  it('acquire times out with false, is cancelled by signal and terminate, leaving no waiter behind', async () => {
    const sem = new Semaphore(1);
    const holder = sched.spawn(async (coro) => {
      await sem.acquire(coro);
      await coro.suspend();
      sem.release(coro);
    });
    await until(() => sem.value === 0);
    expect(await sched.spawn(async (coro) => sem.acquire(coro, { timeout: 10 })).value()).to.equal(false);
    const ac = new AbortController();
    const a = sched.spawn(async (coro) => sem.acquire(coro, { signal: ac.signal }));
    const t = sched.spawn(async (coro) => sem.acquire(coro));
    await until(() => sem.waiting === 2);
    ac.abort(new Error('x'));
    t.terminate();
    await rejection(a.finish());
    expect(CoroTerminatedError.is(await rejection(t.finish()))).to.equal(true);
    expect(sem.waiting).to.equal(0);
    holder.resume();
    await holder.finish();
    expect(sem.value).to.equal(1);
  });

  it('permits of a coroutine that ends holding them are returned to the next waiter', async () => {
    const sem = new Semaphore(2);
    const greedy = sched.spawn(async (coro) => {
      await sem.acquire(coro);
      await sem.acquire(coro);
      throw new Error('crash');
    });
    const waiter = sched.spawn(async (coro) => {
      await coro.sleep(1);
      return [await sem.acquire(coro, { timeout: 1000 }), await sem.acquire(coro, { timeout: 1000 })];
    });
    await rejection(greedy.finish());
    expect(await waiter.value()).to.deep.equal([true, true]);
    expect(sem.held(waiter)).to.equal(0); // waiter ended: its permits came back too
    expect(sem.value).to.equal(2);
  });

  it('a non-holder may release a plain Semaphore; BoundedSemaphore refuses to exceed its value', async () => {
    const sem = new Semaphore(0);
    const bounded = new BoundedSemaphore(1);
    const c = sched.spawn(async (coro) => {
      sem.release(coro);
      const plain = sem.value;
      let overflow: unknown;
      try {
        bounded.release(coro);
      } catch (e) {
        overflow = e;
      }
      await bounded.acquire(coro);
      bounded.release(coro);
      return [plain, SemaphoreOverflowError.is(overflow), bounded.value];
    });
    expect(await c.value()).to.deep.equal([1, true, 1]);
  });

  it('guard() releases at the end of a using block and throws TimeoutError when none is free', async () => {
    const sem = new Semaphore(1);
    const c = sched.spawn(async (coro) => {
      {
        using permit = await sem.guard(coro);
        void permit;
        expect(sem.value).to.equal(0);
      }
      return sem.value;
    });
    expect(await c.value()).to.equal(1);
    const hog = sched.spawn(async (coro) => {
      await sem.acquire(coro);
      await coro.suspend();
    });
    await until(() => sem.value === 0);
    expect(TimeoutError.is(await rejection(sched.spawn(async (coro) => sem.guard(coro, { timeout: 5 })).finish()))).to.equal(true);
    hog.terminate();
  });

  it('rejects bad values and arguments with InvalidArgumentError', async () => {
    for (const bad of [-1, 1.5, NaN, '2']) expect(() => new Semaphore(bad as never), String(bad)).to.throw(InvalidArgumentError);
    const sem = new Semaphore(1);
    expect(await sem.acquire(null as never).catch((e: unknown) => e)).to.be.instanceOf(InvalidArgumentError);
    expect(() => sem.release(null as never)).to.throw(InvalidArgumentError);
    expect(sem.value).to.equal(1);
  });
});
