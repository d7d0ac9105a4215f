import { expect } from 'chai';
import type { Coro } from '../../runtime/Coro.js';
import { ConcurrentReceiveError, CoroFinishedError, NotOwnerError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { expectError, until } from '../helpers.js';

/** The calls only a coroutine may make on itself, made on `c` (each one that returns a promise, as a promise). */
const ownCalls = (c: Coro<any>): Array<[string, () => unknown]> => [
  ['receive', () => c.receive({ timeout: 1000 })],
  ['poll', () => c.poll()],
  ['messages', () => c.messages().next()],
  ['sleep', () => c.sleep(10)],
  ['suspend', () => c.suspend({ timeout: 10 })],
];

describe('Coro: calls only a coroutine may make on itself', () => {
  describe('without context tracking', () => {
    let sched: Scheduler;
    beforeEach(() => {
      sched = new Scheduler();
    });
    afterEach(() => sched.terminate());

    it('before it has started, receive/poll/messages/sleep/suspend throw NotOwnerError and take nothing', async () => {
      const c = sched.spawn(async (coro: Coro<string>) => [await coro.receive(), await coro.receive()]);
      c.send('first');
      // Every call made now, before the coroutine's first step (an await would let it start).
      const refused = ownCalls(c).map(([what, call]) => {
        try {
          return [what, Promise.resolve(call())] as const;
        } catch (err) {
          return [what, Promise.reject(err)] as const;
        }
      });
      expect(c.pending, 'the mailbox is untouched').to.equal(1);
      for (const [what, outcome] of refused) {
        const err = await expectError(() => outcome, NotOwnerError);
        expect(err.message, what).to.match(/has not started: only the coroutine itself may/);
      }
      c.send('second');
      expect(await c.value(), 'and the coroutine runs as if nothing happened').to.deep.equal(['first', 'second']);
    });

    it('once it has ended they throw CoroFinishedError, as before', async () => {
      const c = sched.spawn(async () => 'done');
      await c.finish();
      for (const [what, call] of ownCalls(c).filter(([w]) => w !== 'poll')) await expectError(call, CoroFinishedError).catch((e) => expect.fail(`${what}: ${e}`));
    });
  });

  describe('with context tracking (trackCurrent: true): exact', () => {
    let sched: Scheduler;
    beforeEach(() => {
      sched = new Scheduler({ trackCurrent: true });
    });
    afterEach(() => sched.terminate());

    it('from outside any coroutine, while it waits in receive: NotOwnerError; its own receive is not disturbed', async () => {
      const c = sched.spawn(async (coro: Coro<string>) => coro.receive({ timeout: 5000 }));
      await until(() => c.describe().state === 'receiving');
      for (const [what, call] of ownCalls(c)) {
        const err = await expectError(call, NotOwnerError);
        expect(err.message, what).to.match(/from outside any coroutine/);
      }
      c.send('mine');
      expect(await c.value()).to.equal('mine');
    });

    it('from another coroutine: NotOwnerError naming it; the messages stay for their owner', async () => {
      const owner = sched.spawnWith({ name: 'owner' }, async (coro: Coro<string>) => {
        await coro.suspend();
        return [coro.poll(), coro.poll()];
      });
      owner.send('a');
      owner.send('b');
      const thief = sched.spawnWith({ name: 'thief' }, async () => owner.receive({ timeout: 100 }));
      const err = await expectError(() => thief.value(), NotOwnerError);
      expect(err.message).to.match(/from thief\/\d+/);
      expect(owner.pending).to.equal(2);
      owner.resume();
      expect(await owner.value()).to.deep.equal(['a', 'b']);
    });

    it('from its own body, including promises it started, the calls work; a second receive of its own is still ConcurrentReceiveError', async () => {
      const c = sched.spawn(async (coro: Coro<number>) => {
        const first = coro.receive();
        const second = await coro.receive().catch((e: unknown) => e);
        const later = await new Promise<number>((resolve) => setTimeout(() => resolve(coro.sleep(1).then(() => 7)), 1));
        coro.send(1);
        return [await first, ConcurrentReceiveError.is(second), later];
      });
      expect(await c.value()).to.deep.equal([1, true, 7]);
    });
  });
});
