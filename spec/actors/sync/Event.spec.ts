import { expect } from 'chai';
import { Event } from '../../../actors/sync/Event.js';
import { CoroTerminatedError, InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { rejection, until } from '../../helpers.js';

describe('Event', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  it('set wakes every waiter with true; a set event answers at once; clear resets', async () => {
    const ev = new Event(sched);
    const waiters = Array.from({ length: 3 }, () => sched.spawn(async (coro) => ev.wait({ coro, timeout: 2000 })));
    await until(() => ev.waiting === 3);
    expect(ev.waiting).to.equal(3);
    ev.set();
    for (const w of waiters) expect(await w.value()).to.equal(true);
    expect(await ev.wait({ timeout: 0 })).to.equal(true);
    ev.clear();
    expect(ev.isSet).to.equal(false);
    expect(await ev.wait({ timeout: 0 })).to.equal(false);
  });

  it('wait times out with false, is cancelled by a signal and by terminating the waiting coroutine', async () => {
    const ev = new Event(sched);
    expect(await ev.wait({ timeout: 10 })).to.equal(false);
    const ac = new AbortController();
    const p = ev.wait({ signal: ac.signal });
    ac.abort(new Error('aborted'));
    expect(((await rejection(p)) as Error).message).to.equal('aborted');
    const c = sched.spawn(async (coro) => ev.wait({ coro }));
    await until(() => ev.waiting === 1);
    c.terminate();
    expect(CoroTerminatedError.is(await rejection(c.finish()))).to.equal(true);
    expect(ev.waiting).to.equal(0);
  });

  it('rejects bad options with InvalidArgumentError', async () => {
    const ev = new Event(sched);
    for (const bad of [{ timeout: -1 }, { timeout: 'x' }, { signal: 1 }, { coro: {} }, 5]) {
      expect(await ev.wait(bad as never).catch((e: unknown) => e), JSON.stringify(bad)).to.be.instanceOf(InvalidArgumentError);
    }
    expect(ev.waiting).to.equal(0);
  });
});
