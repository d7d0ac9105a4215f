import { expect } from 'chai';
import { Lock } from '../../../actors/sync/Lock.js';
import type { Coro } from '../../../runtime/Coro.js';
import { CoroFinishedError, CoroTerminatedError, InvalidArgumentError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { rejection, until } from '../../helpers.js';
import { NotOwnerError } from '../../../actors/actorErrors.js';

describe('Lock', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  it('serialises a critical section that awaits: 100 coroutines, exact count', async () => {
    const lock = new Lock();
    let counter = 0;
    let inside = 0;
    let maxInside = 0;
    const all = Array.from({ length: 100 }, () =>
      sched.spawn(async (coro) => {
        expect(await lock.acquire(coro)).to.equal(true);
        try {
          inside++;
          maxInside = Math.max(maxInside, inside);
          const seen = counter;
          await coro.sleep(0);
          counter = seen + 1;
          inside--;
        } finally {
          lock.release(coro);
        }
      }),
    );
    await Promise.all(all.map((c) => c.finish()));
    expect(counter).to.equal(100);
    expect(maxInside).to.equal(1);
    expect(lock.locked).to.equal(false);
  });

  it('serves waiters FIFO with direct hand-off: a newcomer cannot barge past a woken waiter', async () => {
    const lock = new Lock();
    const order: string[] = [];
    let parked = false;
    const holder = sched.spawn(async (coro) => {
      await lock.acquire(coro);
      parked = true;
      await coro.suspend();
      lock.release(coro);
      // The oldest waiter is the owner already, before it has run.
      order.push(`after release owner=${lock.owner?.name}`);
    });
    await until(() => parked);
    const waiters = ['w1', 'w2', 'w3'].map((name) =>
      sched.spawnWith({ name }, async (coro) => {
        await lock.acquire(coro);
        order.push(name);
        lock.release(coro);
      }),
    );
    await until(() => lock.waiting === 3);
    expect(holder.resume()).to.equal(true);
    const barger = sched.spawnWith({ name: 'barger' }, async (coro) => {
      expect(await lock.acquire(coro, { timeout: 0 })).to.equal(false);
      await lock.acquire(coro);
      order.push('barger');
      lock.release(coro);
    });
    await Promise.all([...waiters, barger, holder].map((c) => c.finish()));
    expect(order).to.deep.equal(['after release owner=w1', 'w1', 'w2', 'w3', 'barger']);
  });

  it('acquire times out with false and leaves no trace in the queue', async () => {
    const lock = new Lock();
    const a = sched.spawn(async (coro) => {
      await lock.acquire(coro);
      await coro.suspend();
      lock.release(coro);
    });
    await until(() => lock.owner === a);
    const b = sched.spawn(async (coro) => lock.acquire(coro, { timeout: 20 }));
    expect(await b.value()).to.equal(false);
    expect(lock.waiting).to.equal(0);
    expect(lock.owner).to.equal(a);
    a.resume();
    await a.finish();
    expect(lock.locked).to.equal(false);
  });

  it('a waiter cancelled by its signal or terminated never becomes the owner', async () => {
    const lock = new Lock();
    const a = sched.spawn(async (coro) => {
      await lock.acquire(coro);
      await coro.suspend();
      lock.release(coro);
    });
    await until(() => lock.owner === a);
    const ac = new AbortController();
    const aborted = sched.spawn(async (coro) => lock.acquire(coro, { signal: ac.signal }));
    const killed = sched.spawn(async (coro) => lock.acquire(coro));
    const last = sched.spawnWith({ name: 'last' }, async (coro) => {
      await lock.acquire(coro);
      return lock.owner === coro;
    });
    await until(() => lock.waiting === 3);
    expect(lock.waiting).to.equal(3);
    ac.abort(new Error('cancelled'));
    killed.terminate();
    expect(((await rejection(aborted.finish())) as Error).message).to.equal('cancelled');
    expect(CoroTerminatedError.is(await rejection(killed.finish()))).to.equal(true);
    expect(lock.waiting).to.equal(1);
    a.resume();
    expect(await last.value()).to.equal(true);
  });

  it('an owner that ends holding the lock releases it to the next waiter, who is told', async () => {
    const lock = new Lock();
    const dying = sched.spawnWith({ name: 'dying' }, async (coro) => {
      await lock.acquire(coro);
      throw new Error('crash while holding');
    });
    const next = sched.spawn(async (coro) => {
      await coro.sleep(1);
      expect(await lock.acquire(coro, { timeout: 1000 })).to.equal(true);
      const told = lock.abandonedBy?.name;
      lock.release(coro);
      return [told, lock.abandonedBy];
    });
    await rejection(dying.finish());
    expect(await next.value()).to.deep.equal(['dying', undefined]);
  });

  it('a terminated owner releases the lock too', async () => {
    const lock = new Lock();
    const owner = sched.spawn(async (coro) => {
      await lock.acquire(coro);
      await coro.sleep(60_000);
    });
    await until(() => lock.owner === owner);
    owner.terminate();
    await rejection(owner.finish());
    expect(lock.locked).to.equal(false);
    expect(lock.abandonedBy).to.equal(owner);
  });

  it('release by a non-owner, double release and re-acquire by the owner are typed errors; state unchanged', async () => {
    const lock = new Lock();
    const other = sched.spawn(async (coro) => coro.suspend());
    const owner = sched.spawn(async (coro: Coro<unknown, unknown[]>) => {
      await lock.acquire(coro);
      const errors: unknown[] = [];
      try { lock.release(other); } catch (e) { errors.push(e); }
      errors.push(await rejection(lock.acquire(coro)));
      lock.release(coro);
      try { lock.release(coro); } catch (e) { errors.push(e); }
      return errors;
    });
    const errors = await owner.value();
    expect(NotOwnerError.is(errors[0])).to.equal(true);
    expect(InvalidArgumentError.is(errors[1])).to.equal(true);
    expect(NotOwnerError.is(errors[2])).to.equal(true);
    expect(lock.locked).to.equal(false);
    other.terminate();
  });

  it('rejects bad arguments with InvalidArgumentError and an ended coroutine with CoroFinishedError', async () => {
    const lock = new Lock();
    const done = sched.spawn(async () => undefined);
    await done.finish();
    expect(await lock.acquire(undefined as never).catch((e: unknown) => e)).to.be.instanceOf(InvalidArgumentError);
    expect(await lock.acquire({} as never).catch((e: unknown) => e)).to.be.instanceOf(InvalidArgumentError);
    expect(await lock.acquire(done).catch((e: unknown) => e)).to.be.instanceOf(CoroFinishedError);
    const c = sched.spawn(async (coro) => coro.suspend());
    for (const bad of [{ timeout: -1 }, { timeout: NaN }, { timeout: '5' }, { signal: {} }]) {
      expect(await lock.acquire(c, bad as never).catch((e: unknown) => e), JSON.stringify(bad)).to.be.instanceOf(InvalidArgumentError);
    }
    expect(() => lock.release('x' as never)).to.throw(InvalidArgumentError);
    expect(lock.locked).to.equal(false);
    expect(lock.waiting).to.equal(0);
    c.terminate();
  });

  it('guard() works with using, and throws TimeoutError when the lock is not acquired in time', async () => {
    const lock = new Lock();
    const c = sched.spawn(async (coro) => {
      {
        using held = await lock.guard(coro);
        expect(lock.owner).to.equal(coro);
        void held;
      }
      return lock.locked;
    });
    expect(await c.value()).to.equal(false);
    const hog = sched.spawn(async (coro) => {
      await lock.acquire(coro);
      await coro.suspend();
    });
    await until(() => lock.owner === hog);
    const d = sched.spawn(async (coro) => lock.guard(coro, { timeout: 10 }));
    expect(TimeoutError.is(await rejection(d.finish()))).to.equal(true);
    expect(lock.owner).to.equal(hog);
    hog.terminate();
  });
});
