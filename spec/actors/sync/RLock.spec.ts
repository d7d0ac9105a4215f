import { expect } from 'chai';
import { RLock } from '../../../actors/sync/RLock.js';

import { Scheduler } from '../../../runtime/Scheduler.js';
import { rejection, until } from '../../helpers.js';
import { NotOwnerError } from '../../../actors/actorErrors.js';

describe('RLock', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  it('is re-entrant: free only after as many releases as acquires', async () => {
    const lock = new RLock();
    const other = sched.spawn(async (coro) => lock.acquire(coro, { timeout: 1000 }));
    const owner = sched.spawn(async (coro) => {
      await lock.acquire(coro);
      await lock.acquire(coro);
      await lock.acquire(coro);
      const depth = lock.count;
      lock.release(coro);
      lock.release(coro);
      await coro.sleep(5);
      const stillMine = lock.owner === coro;
      lock.release(coro);
      return [depth, stillMine];
    });
    expect(await owner.value()).to.deep.equal([3, true]);
    expect(await other.value()).to.equal(true);
  });

  it('times out, is cancelled by a signal, and a non-owner release throws NotOwnerError', async () => {
    const lock = new RLock();
    const owner = sched.spawn(async (coro) => {
      await lock.acquire(coro);
      await lock.acquire(coro);
      await coro.suspend();
    });
    await until(() => lock.count === 2);
    const late = sched.spawn(async (coro) => lock.acquire(coro, { timeout: 15 }));
    expect(await late.value()).to.equal(false);
    const ac = new AbortController();
    const cancelled = sched.spawn(async (coro) => lock.acquire(coro, { signal: ac.signal }));
    await until(() => lock.waiting === 1);
    ac.abort(new Error('no'));
    expect(((await rejection(cancelled.finish())) as Error).message).to.equal('no');
    expect(() => lock.release(late)).to.throw(NotOwnerError);
    expect(lock.count).to.equal(2);
    owner.terminate();
    await rejection(owner.finish());
    expect(lock.locked).to.equal(false);
    expect(lock.abandonedBy).to.equal(owner);
  });
});
