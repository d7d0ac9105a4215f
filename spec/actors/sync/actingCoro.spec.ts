import { expect } from 'chai';
import { acquireFor, checkActingCoro, checkReleaser, type Acquirable } from '../../../actors/sync/actingCoro.js';
import type { Coro } from '../../../runtime/Coro.js';
import { CoroFinishedError, CoroTerminatedError, InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { WaiterQueue } from '../../../runtime/WaiterQueue.js';
import { expectError, rejection, until } from '../../helpers.js';

/** A resource of one unit the test hands over by hand. */
class Unit implements Acquirable {
  readonly waiters = new WaiterQueue();
  readonly kind = 'Unit';
  holder: Coro<any, any> | undefined;
  tryTake(coro: Coro<any, any>): boolean {
    if (this.holder !== undefined) return false;
    this.holder = coro;
    return true;
  }
  /** What a release does: hand the unit to the oldest waiter. */
  handOver(): void {
    const next = this.waiters.shift();
    this.holder = next?.data as Coro<any, any> | undefined;
    next?.wake(true);
  }
}

describe('actingCoro', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  it('checkActingCoro: a live coroutine passes; anything else is InvalidArgumentError, an ended one CoroFinishedError', async () => {
    const live = sched.spawn(async (coro) => coro.suspend());
    expect(checkActingCoro(live, 'acquire')).to.equal(live);
    for (const bad of [undefined, null, {}, 'coro']) expect(() => checkActingCoro(bad, 'acquire')).to.throw(InvalidArgumentError, /acquire needs the acting coroutine/);
    const ended = sched.spawn(async () => 1);
    await ended.finish();
    expect(() => checkActingCoro(ended, 'acquire')).to.throw(CoroFinishedError);
    live.resume();
  });

  it('checkReleaser: any coroutine, ended or not; anything else is InvalidArgumentError', async () => {
    const ended = sched.spawn(async () => 1);
    await ended.finish();
    expect(checkReleaser(ended)).to.equal(ended);
    expect(() => checkReleaser({})).to.throw(InvalidArgumentError);
  });

  it('acquireFor takes a free resource at once, and polls with timeout 0 when it is taken', async () => {
    const unit = new Unit();
    const a = sched.spawn(async (coro) => acquireFor(unit, coro, Infinity, undefined));
    expect(await a.value()).to.equal(true);
    expect(unit.holder).to.equal(a);
    const b = sched.spawn(async (coro) => acquireFor(unit, coro, 0, undefined));
    expect(await b.value()).to.equal(false);
    expect(unit.waiters.length).to.equal(0);
  });

  it('queues FIFO behind a taken resource: a hand-over wakes the oldest; nobody barges past a waiter', async () => {
    const unit = new Unit();
    unit.holder = sched.spawn(async (coro) => coro.suspend());
    const order: string[] = [];
    const waiter = (name: string) => sched.spawnWith({ name }, async (coro) => {
      if (await acquireFor(unit, coro, 5000, undefined)) order.push(name);
    });
    const w1 = waiter('w1'), w2 = waiter('w2');
    await until(() => unit.waiters.length === 2);
    unit.holder = undefined; // free, but waiters are queued: a newcomer must queue too
    const barger = waiter('barger');
    await until(() => unit.waiters.length === 3);
    for (let i = 0; i < 3; i++) {
      unit.handOver();
      await until(() => order.length === i + 1);
    }
    await Promise.all([w1, w2, barger].map((c) => c.finish()));
    expect(order).to.deep.equal(['w1', 'w2', 'barger']);
  });

  it('times out with false and leaves the queue', async () => {
    const unit = new Unit();
    unit.holder = sched.spawn(async (coro) => coro.suspend());
    const c = sched.spawn(async (coro) => acquireFor(unit, coro, 5, undefined));
    expect(await c.value()).to.equal(false);
    expect(unit.waiters.length).to.equal(0);
  });

  it('is cancelled by its signal (at once when already aborted) and by terminating the coroutine', async () => {
    const unit = new Unit();
    unit.holder = sched.spawn(async (coro) => coro.suspend());
    const ac = new AbortController();
    const aborted = sched.spawn(async (coro) => acquireFor(unit, coro, Infinity, ac.signal));
    const killed = sched.spawn(async (coro) => acquireFor(unit, coro, Infinity, undefined));
    await until(() => unit.waiters.length === 2);
    ac.abort(new Error('stop'));
    killed.terminate();
    expect(((await rejection(aborted.finish())) as Error).message).to.equal('stop');
    await expectError(() => killed.finish(), CoroTerminatedError);
    expect(unit.waiters.length).to.equal(0);
    const early = sched.spawn(async (coro) => acquireFor(unit, coro, Infinity, ac.signal));
    expect(((await rejection(early.finish())) as Error).message).to.equal('stop');
    const terminating = sched.spawn(async (coro) => {
      coro.terminate();
      return acquireFor(new Unit(), coro, Infinity, undefined); // free, but an interrupt is pending
    });
    await expectError(() => terminating.finish(), CoroTerminatedError);
  });
});
