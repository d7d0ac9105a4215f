import { expect } from 'chai';
import * as actorErrors from '../../actors/actorErrors.js';
import { ChannelClosedError, NotOwnerError, SemaphoreOverflowError, SupervisorGaveUpError, UnknownRciError } from '../../actors/actorErrors.js';
import { Channel } from '../../actors/Channel.js';
import { Lock } from '../../actors/sync/Lock.js';
import { BoundedSemaphore } from '../../actors/sync/Semaphore.js';
import { AsyncoroError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';

describe('actorErrors', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  it('each error class of the module has its own stable code and name, and is() recognises it, also rebuilt from its code', () => {
    const classes = Object.values(actorErrors).filter((v): v is typeof NotOwnerError => typeof v === 'function' && v.prototype instanceof AsyncoroError);
    expect(classes).to.include.members([NotOwnerError, SemaphoreOverflowError, ChannelClosedError, UnknownRciError, SupervisorGaveUpError]);
    for (const C of classes) {
      const e = new C('x');
      expect(e, C.name).to.be.instanceOf(AsyncoroError);
      expect([e.code, e.name, e.message, C.is(e), C.is({ code: C.CODE })]).to.deep.equal([C.CODE, C.name, 'x', true, true]);
    }
    expect(new Set(classes.map((C) => C.CODE)).size).to.equal(classes.length);
  });

  it('are what the actors raise: a non-owner release, an over-release, a closed channel', async () => {
    const lock = new Lock();
    const outsider = sched.spawn(async (coro) => coro.suspend());
    expect(() => lock.release(outsider)).to.throw(NotOwnerError);
    const sem = new BoundedSemaphore(1);
    const c = sched.spawn(async (coro) => {
      await sem.acquire(coro);
      sem.release(coro);
      sem.release(coro);
    });
    expect(SemaphoreOverflowError.is(await c.finish().catch((e) => e))).to.equal(true);
    const ch = new Channel('closing', { scheduler: sched });
    ch.close();
    expect(() => ch.send('x')).to.throw(ChannelClosedError);
    outsider.resume();
  });
});
