import { expect } from 'chai';
import { Condition } from '../../../actors/sync/Condition.js';
import type { Coro } from '../../../runtime/Coro.js';
import { CoroTerminatedError, InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { rejection, until } from '../../helpers.js';
import { NotOwnerError } from '../../../actors/actorErrors.js';

describe('Condition', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  it('producer/consumer: wait releases the lock, notify wakes in FIFO order, the lock is held on return', async () => {
    const cond = new Condition();
    const queue: number[] = [];
    const got: string[] = [];
    const consumer = (name: string) =>
      sched.spawnWith({ name }, async (coro) => {
        await cond.acquire(coro);
        while (queue.length === 0) expect(await cond.wait(coro, { timeout: 2000 })).to.equal(true);
        expect(cond.owner).to.equal(coro);
        got.push(`${name}:${queue.shift()}`);
        cond.release(coro);
      });
    const consumers = [consumer('a'), consumer('b'), consumer('c')];
    await until(() => cond.waiting === 3);
    expect(cond.waiting).to.equal(3);
    const producer = sched.spawn(async (coro) => {
      for (const n of [1, 2, 3]) {
        await cond.acquire(coro);
        queue.push(n);
        cond.notify(coro);
        cond.release(coro);
        await coro.sleep(1);
      }
    });
    await Promise.all([producer, ...consumers].map((c) => c.finish()));
    expect(got).to.deep.equal(['a:1', 'b:2', 'c:3']);
  });

  it('wait times out with false and still holds the lock at the same depth', async () => {
    const cond = new Condition();
    const c = sched.spawn(async (coro) => {
      await cond.acquire(coro);
      await cond.acquire(coro);
      const notified = await cond.wait(coro, { timeout: 15 });
      const held = cond.owner === coro;
      cond.release(coro);
      const stillHeld = cond.owner === coro;
      cond.release(coro);
      return [notified, held, stillHeld, cond.owner];
    });
    expect(await c.value()).to.deep.equal([false, true, true, undefined]);
  });

  it('notifyAll wakes every waiter; notify needs the lock', async () => {
    const cond = new Condition();
    let woken = 0;
    const waiters = Array.from({ length: 5 }, () =>
      sched.spawn(async (coro) => {
        await cond.acquire(coro);
        if (await cond.wait(coro, { timeout: 2000 })) woken++;
        cond.release(coro);
      }),
    );
    await until(() => cond.waiting === 5);
    const outsider = sched.spawn(async (coro) => {
      expect(() => cond.notify(coro)).to.throw(NotOwnerError);
      await cond.acquire(coro);
      expect(() => cond.notify(coro, -1)).to.throw(InvalidArgumentError);
      cond.notifyAll(coro);
      cond.release(coro);
    });
    await Promise.all([outsider, ...waiters].map((c) => c.finish()));
    expect(woken).to.equal(5);
  });

  it('waiting without owning the lock is NotOwnerError; a terminated waiter leaves the lock free', async () => {
    const cond = new Condition();
    const c = sched.spawn(async (coro) => cond.wait(coro));
    expect(NotOwnerError.is(await rejection(c.finish()))).to.equal(true);
    const w = sched.spawn(async (coro: Coro) => {
      await cond.acquire(coro);
      await cond.wait(coro);
    });
    await until(() => cond.waiting === 1);
    expect(cond.owner).to.equal(undefined);
    w.terminate();
    expect(CoroTerminatedError.is(await rejection(w.finish()))).to.equal(true);
    expect(cond.owner).to.equal(undefined);
    expect(cond.waiting).to.equal(0);
  });

  it('a wait cancelled by its signal re-acquires the lock and rejects with the reason', async () => {
    const cond = new Condition();
    const ac = new AbortController();
    const c = sched.spawn(async (coro) => {
      await cond.acquire(coro);
      try {
        await cond.wait(coro, { signal: ac.signal });
      } catch (err) {
        const held = cond.owner === coro;
        cond.release(coro);
        return [(err as Error).message, held];
      }
    });
    await until(() => cond.waiting === 1);
    ac.abort(new Error('stop waiting'));
    expect(await c.value()).to.deep.equal(['stop waiting', true]);
  });
});
