import { expect } from 'chai';
import type { Coro } from '../../runtime/Coro.js';
import { CoroFinishedError, CoroTerminatedError, InvalidArgumentError, MailboxFullError } from '../../runtime/runtimeErrors.js';
import { Mailbox } from '../../runtime/Mailbox.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { captureLogger, expectError, turn, until } from '../helpers.js';

describe('Mailbox', () => {
  describe('unit', () => {
    it('enqueue/find/take keep FIFO order and report drops through onDrop', () => {
      const dropped: number[] = [];
      const box = new Mailbox<number>({ capacity: 3, overflow: 'drop-oldest' }, (m) => dropped.push(m));
      for (let i = 1; i <= 5; i++) expect(box.enqueue(i)).to.equal(true);
      expect([...box]).to.deep.equal([3, 4, 5]);
      expect(dropped).to.deep.equal([1, 2]);
      expect(box.dropped).to.equal(2);
      expect(box.find((m) => m === 4)).to.equal(1);
      expect(box.find((m) => m === 9)).to.equal(-1);
      expect(box.take(1)).to.equal(4);
      expect([...box]).to.deep.equal([3, 5]);
    });

    it('rejects bad capacity and policy', () => {
      for (const capacity of [0, -1, 1.5, NaN, '3']) {
        expect(() => new Mailbox({ capacity: capacity as any })).to.throw(InvalidArgumentError);
      }
      expect(() => new Mailbox({ overflow: 'drop-all' as any })).to.throw(InvalidArgumentError);
      expect(new Mailbox({ capacity: Infinity }).full).to.equal(false);
    });
  });

  describe('bounded mailboxes of coroutines', () => {
    let sched: Scheduler;
    beforeEach(() => {
      sched = new Scheduler();
    });
    afterEach(async () => {
      await sched.terminate();
    });

    const holder = (s: Scheduler, mailbox: object): Coro<any, any> => s.spawnWith({ mailbox }, async (coro) => coro.suspend());

    it('reject: a send into a full mailbox throws MailboxFullError and is not queued', async () => {
      const c = holder(sched, { capacity: 2 });
      c.send(1);
      c.send(2);
      await expectError(() => c.send(3), MailboxFullError);
      expect(c.pending).to.equal(2);
      expect([c.poll(), c.poll(), c.poll({ alarm: 'empty' })]).to.deep.equal([1, 2, 'empty']);
      expect(c.dropped).to.equal(0);
    });

    it('drop-oldest keeps the newest messages; drop-newest keeps the oldest; both count drops apart from dead letters', async () => {
      const oldest = holder(sched, { capacity: 2, overflow: 'drop-oldest' });
      const newest = holder(sched, { capacity: 2, overflow: 'drop-newest' });
      for (let i = 1; i <= 5; i++) {
        expect(oldest.send(i)).to.equal(true);
        expect(newest.send(i)).to.equal(i <= 2);
      }
      await until(() => oldest.describe().state === 'suspended' && newest.describe().state === 'suspended'); // poll() is refused before they start
      expect([oldest.poll(), oldest.poll()]).to.deep.equal([4, 5]);
      expect([newest.poll(), newest.poll()]).to.deep.equal([1, 2]);
      expect(oldest.dropped).to.equal(3);
      expect(newest.dropped).to.equal(3);
      expect(sched.stats.dropped).to.equal(6);
      expect(sched.stats.deadLetters).to.equal(0);
    });

    it('dead letters are logged throttled: at most one line per second', async () => {
      const { logger, lines } = captureLogger('warn');
      const s = new Scheduler({ logger });
      try {
        const c = holder(s, { capacity: 1, overflow: 'drop-newest' });
        for (let i = 0; i < 500; i++) c.send(i);
        expect(c.dropped).to.equal(499);
        expect(s.stats.dropped).to.equal(499);
        const deadLines = lines.filter((l) => l.msg === 'dead letters');
        expect(deadLines).to.have.length(1);
        expect(deadLines[0].level).to.equal(40);
      } finally {
        await s.terminate();
      }
    });

    it('deliver into a full mailbox waits for room and resolves true once queued', async () => {
      const c = holder(sched, { capacity: 1 });
      c.send('first');
      let done: boolean | undefined;
      const p = c.deliver('second').then((v) => (done = v));
      for (let i = 0; i < 3; i++) await turn();
      expect(done).to.equal(undefined);
      expect(c.pending).to.equal(1);
      expect(c.poll()).to.equal('first');
      expect(await p).to.equal(true);
      expect(c.poll()).to.equal('second');
    });

    it('deliver into a full mailbox returns false on timeout, queues nothing and leaves no timer', async () => {
      const c = holder(sched, { capacity: 1 });
      c.send('first');
      expect(await c.deliver('late', { timeout: 5 })).to.equal(false);
      expect(await c.deliver('late', { timeout: 0 })).to.equal(false);
      expect(sched.timers.size).to.equal(0);
      expect(c.pending).to.equal(1);
      // a freed slot is not reserved by the timed-out delivery
      c.poll();
      expect(c.send('next')).to.equal(true);
      expect(c.poll()).to.equal('next');
    });

    it('deliver into a full mailbox rejects with the abort reason when cancelled', async () => {
      const c = holder(sched, { capacity: 1 });
      c.send('first');
      const ac = new AbortController();
      const p = c.deliver('x', { signal: ac.signal });
      await turn();
      ac.abort(new Error('no more'));
      expect((await p.catch((e) => e)).message).to.equal('no more');
      c.poll();
      expect(c.pending).to.equal(0);
    });

    it('deliver waiting for room fails with CoroFinishedError when the recipient ends', async () => {
      const c = holder(sched, { capacity: 1 });
      c.send('first');
      const p = c.deliver('x');
      await turn();
      c.terminate();
      await expectError(() => p, CoroFinishedError);
    });

    it('deliver({coro}) waiting for room is interrupted when the acting coroutine is terminated', async () => {
      const c = holder(sched, { capacity: 1 });
      c.send('first');
      const sender = sched.spawn(async (coro) => c.deliver('x', { coro }));
      await turn();
      sender.terminate();
      await expectError(() => sender.value(), CoroTerminatedError);
      expect(c.pending).to.equal(1);
    });

    it('waiting deliveries get room in FIFO order', async () => {
      const c = holder(sched, { capacity: 1 });
      c.send(0);
      const ps = [1, 2, 3].map((n) => c.deliver(n));
      const got: number[] = [];
      for (let i = 0; i < 4; i++) {
        await until(() => c.pending === 1);
        got.push(c.poll());
      }
      await Promise.all(ps);
      expect(got).to.deep.equal([0, 1, 2, 3]);
    });
  });
});
