import { expect } from 'chai';
import { LockGuard } from '../../../actors/sync/LockGuard.js';
import { Lock } from '../../../actors/sync/Lock.js';
import { Scheduler } from '../../../runtime/Scheduler.js';

describe('LockGuard', () => {
  it('release() releases exactly once, however often it is called', () => {
    let released = 0;
    const g = new LockGuard(() => released++);
    expect(released).to.equal(0);
    g.release();
    g.release();
    g[Symbol.dispose]();
    expect(released).to.equal(1);
  });

  it('a using block releases at its end, also when it throws', () => {
    let released = 0;
    {
      using g = new LockGuard(() => released++);
      void g;
      expect(released).to.equal(0);
    }
    expect(released).to.equal(1);
    expect(() => {
      using g = new LockGuard(() => released++);
      void g;
      throw new Error('inside');
    }).to.throw('inside');
    expect(released).to.equal(2);
  });

  it('an await using block releases at its end; an early release is not repeated', async () => {
    let released = 0;
    {
      await using g = new LockGuard(() => released++);
      g.release();
      expect(released).to.equal(1);
    }
    expect(released).to.equal(1);
  });

  it('guards a real lock: the lock is free after the block', async () => {
    const sched = new Scheduler();
    try {
      const lock = new Lock();
      const c = sched.spawn(async (coro) => {
        {
          using held = await lock.guard(coro);
          void held;
          if (lock.owner !== coro) return 'not owner inside';
        }
        return lock.locked ? 'still locked' : 'free';
      });
      expect(await c.value()).to.equal('free');
    } finally {
      await sched.terminate();
    }
  });
});
