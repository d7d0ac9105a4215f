/**
 * One convention everywhere: a call that returns a promise reports bad input by rejecting that
 * promise (with a typed error), never by throwing before the promise exists, so `.catch()` and
 * `await` in a try block both see it; and nothing is left queued by the refused call.
 */
import { expect } from 'chai';
import { Channel } from '../actors/Channel.js';
import { Condition } from '../actors/sync/Condition.js';
import { Event } from '../actors/sync/Event.js';
import { Lock } from '../actors/sync/Lock.js';
import { RLock } from '../actors/sync/RLock.js';
import { Semaphore } from '../actors/sync/Semaphore.js';
import type { Coro } from '../runtime/Coro.js';
import { InvalidArgumentError } from '../runtime/runtimeErrors.js';
import { Scheduler } from '../runtime/Scheduler.js';

describe('conventions: bad input rejects the returned promise', () => {
  let sched: Scheduler;
  let coro: Coro<unknown>;
  beforeEach(() => {
    sched = new Scheduler();
    coro = sched.spawnWith({ daemon: true, name: 'acting' }, async (c) => void (await c.suspend()));
  });
  afterEach(() => sched.terminate());

  const calls: Array<[string, () => Promise<unknown>]> = [
    ['receive with a negative timeout', () => coro.receive({ timeout: -1 })],
    ['receive with a filter that is no function', () => coro.receive({ filter: 'x' as never })],
    ['suspend with a non-numeric timeout', () => coro.suspend({ timeout: 'soon' as never })],
    ['sleep for a negative duration', () => coro.sleep(-5)],
    ['sleep with a bad timeout option', () => coro.sleep(5, 'fast' as never)],
    ['deliver with a negative timeout', () => coro.deliver('m', { timeout: -1 })],
    ['finish with a negative timeout', () => coro.finish({ timeout: -1 })],
    ['join with a negative timeout', () => sched.join({ timeout: -1 })],
    ['locateCoro with an empty name', () => sched.locateCoro('')],
    ['Channel.locate with an empty name', () => Channel.locate('', { scheduler: sched })],
    ['Lock.acquire without a coroutine', () => new Lock().acquire(undefined as never)],
    ['Lock.acquire with a bad timeout', () => new Lock().acquire(coro, { timeout: -1 })],
    ['RLock.acquire with a bad timeout', () => new RLock().acquire(coro, { timeout: NaN })],
    ['Semaphore.acquire with a bad timeout', () => new Semaphore(1).acquire(coro, { timeout: -1 })],
    ['Condition.acquire without a coroutine', () => new Condition().acquire(42 as never)],
    ['Event.wait with a bad timeout', () => new Event(sched).wait({ timeout: -1 })],
    ['Event.wait acting for something that is no coroutine', () => new Event(sched).wait({ coro: {} as never })],
  ];

  for (const [what, call] of calls) {
    it(what, async () => {
      let promise: Promise<unknown> | undefined;
      expect(() => {
        promise = call();
      }, 'no synchronous throw').to.not.throw();
      expect(promise).to.be.instanceOf(Promise);
      const err = await promise!.then(
        () => expect.fail('resolved'),
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(InvalidArgumentError);
    });
  }

  it('a refused call leaves nothing queued: the coroutine can still receive, the lock is still free', async () => {
    await coro.receive({ timeout: -1 }).catch(() => undefined);
    const lock = new Lock();
    await lock.acquire(coro, { timeout: -1 }).catch(() => undefined);
    expect(lock.locked).to.equal(false);
    const receiver = sched.spawn(async (c: Coro<string>) => {
      await c.receive({ timeout: -1 }).catch(() => undefined);
      return c.receive({ timeout: 1000 });
    });
    receiver.send('still works');
    expect(await receiver.value()).to.equal('still works');
  });
});
