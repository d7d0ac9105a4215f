import { expect } from 'chai';
import { Lock } from '../../actors/sync/Lock.js';
import type { Coro } from '../../runtime/Coro.js';
import { CoroFinishedError, CoroTerminatedError, HotSwapRequest, MailboxFullError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { captureLogger, expectError, rejection, turn, until } from '../helpers.js';

describe('CoroState (the state and wait bookkeeping of every Coro)', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  it('identity and counters: name/id, isAlive, daemon, pending, dropped', async () => {
    const c = sched.spawnWith({ name: 'box', daemon: true, mailbox: { capacity: 2, overflow: 'drop-newest' } }, async (coro: Coro<number>) => {
      await coro.suspend();
      return coro.receive();
    });
    expect(String(c)).to.equal(`box/${c.id}`);
    expect([c.isAlive, c.daemon, c.pending, c.dropped]).to.deep.equal([true, true, 0, 0]);
    for (let i = 0; i < 4; i++) c.send(i);
    expect([c.pending, c.dropped]).to.deep.equal([2, 2]);
    await until(() => c.describe().state === 'suspended');
    c.resume();
    expect(await c.value()).to.equal(0);
    expect(c.isAlive).to.equal(false);
  });

  it('describe(): scheduled, suspended, sleeping, receiving, waiting (on what), ended; with its names and held locks', async () => {
    const lock = new Lock();
    let phase = '';
    const c = sched.spawnWith({ name: 'walker' }, async (coro: Coro<string>) => {
      await lock.acquire(coro);
      phase = 'suspend';
      await coro.suspend();
      phase = 'sleep';
      await coro.sleep(60_000);
    });
    expect(c.describe().state).to.equal('scheduled');
    await until(() => phase === 'suspend');
    const s = c.describe(['walker-name']);
    expect([s.state, s.name, s.id, s.registered, s.holds.length]).to.deep.equal(['suspended', 'walker', c.id, ['walker-name'], 1]);
    c.resume();
    await until(() => phase === 'sleep');
    expect(c.describe().state).to.equal('sleeping');
    const waiter = sched.spawn(async (coro) => lock.acquire(coro));
    await until(() => waiter.describe().state === 'waiting');
    expect(waiter.describe().waitingOn).to.equal('Lock');
    const receiver = sched.spawn(async (coro) => coro.receive());
    await until(() => receiver.describe().state === 'receiving');
    c.terminate();
    await rejection(c.finish());
    expect(c.describe().state).to.equal('ended');
    receiver.send('done');
    await waiter.finish();
  });

  it('pendingInterrupt: errors thrown before a wait are raised in order, one per runtime call', async () => {
    const seen: string[] = [];
    const c = sched.spawn(async (coro) => {
      for (let i = 0; i < 3; i++) {
        try {
          await coro.sleep(0);
          seen.push('slept');
        } catch (err) {
          seen.push((err as Error).message);
        }
      }
    });
    c.throw(new Error('first'));
    c.throw(new Error('second'));
    await c.finish();
    expect(seen).to.deep.equal(['first', 'second', 'slept']);
  });

  it('pendingInterrupt: termination wins over thrown errors; an ended coroutine answers CoroFinishedError', async () => {
    const c = sched.spawn(async (coro) => coro.sleep(0));
    c.throw(new Error('thrown'));
    c.terminate();
    await expectError(() => c.finish(), CoroTerminatedError);
    expect(c.pendingInterrupt(WaitKind.Other)).to.be.instanceOf(CoroFinishedError);
  });

  it('pendingInterrupt: a due hot swap is raised only in a receive or sleep, never in another wait', async () => {
    let swapped = false;
    const c = sched.spawn(async (coro) => {
      coro.hotSwappable(true);
      expect(coro.pendingInterrupt(WaitKind.Other)).to.equal(undefined);
      const request = coro.pendingInterrupt(WaitKind.Receive);
      swapped = request instanceof HotSwapRequest;
      return 'kept';
    });
    c.hotSwap(async () => 'replacement');
    expect(await c.value()).to.equal('kept');
    expect(swapped).to.equal(true);
  });

  it('every wait it is in is recorded (one or more at a time) and interrupted by terminate()', async () => {
    const waits: Wait<string>[] = [];
    const c = sched.spawn(async (coro) => {
      const a = new Wait<string>(sched, coro, WaitKind.Other);
      const b = new Wait<string>(sched, coro, WaitKind.Other);
      waits.push(a, b);
      return Promise.all([a.start(Infinity, undefined), b.start(Infinity, undefined)]);
    });
    await until(() => waits.length === 2);
    expect(c.describe().state).to.equal('waiting');
    waits[0].wake('one done');
    expect(c.describe().state).to.equal('waiting'); // still in the second
    c.terminate();
    await expectError(() => c.finish(), CoroTerminatedError);
    expect(waits.map((w) => w.settled)).to.deep.equal([true, true]);
  });

  it('own(): resources it holds are released when it ends; a failing release is logged and the others still run', async () => {
    const { logger, lines } = captureLogger('error');
    const logged = new Scheduler({ logger });
    try {
      const released: string[] = [];
      const c = logged.spawn(async (coro) => {
        const keep = { ownerEnded: () => released.push('keep') };
        const dropped = { ownerEnded: () => released.push('dropped') };
        const broken = { ownerEnded: () => { throw new Error('cannot release'); } };
        coro.own(broken, true);
        coro.own(keep, true);
        coro.own(dropped, true);
        coro.own(dropped, false);
        await coro.sleep(0);
      });
      await c.finish();
      expect(released).to.deep.equal(['keep']);
      expect(lines.some((l) => l.msg === 'releasing a resource of an ended coroutine failed' && l.err?.message === 'cannot release')).to.equal(true);
    } finally {
      await logged.terminate();
    }
  });

  it('signal: made on first use, aborted with the CoroTerminatedError on terminate, already aborted when read after it', async () => {
    let signal: AbortSignal | undefined;
    const c = sched.spawn(async (coro) => {
      signal = coro.signal;
      expect(coro.signal).to.equal(signal);
      await coro.suspend();
    });
    await until(() => signal !== undefined);
    expect(signal!.aborted).to.equal(false);
    c.terminate();
    expect(signal!.aborted).to.equal(true);
    expect(signal!.reason).to.be.instanceOf(CoroTerminatedError);
    await rejection(c.finish());
    const late = sched.spawn(async (coro) => coro.suspend());
    late.terminate();
    expect(late.signal.aborted).to.equal(true);
    await rejection(late.finish());
  });

  it('reusableWait(): the wait of a settled acquire serves the next one, reset; a pending one is never handed out', async () => {
    const lock = new Lock();
    const holder = sched.spawn(async (coro) => {
      await lock.acquire(coro);
      await coro.suspend();
      lock.release(coro);
    });
    await until(() => lock.owner === holder);
    const c = sched.spawn(async (coro: Coro) => {
      await lock.acquire(coro); // blocks until the holder releases
      lock.release(coro);
      await coro.suspend();
      return coro.reusableWait();
    });
    await until(() => lock.waiting === 1);
    const used = lock.waiters.peek()!;
    expect(used.what).to.equal('Lock');
    holder.resume();
    await until(() => c.describe().state === 'suspended');
    expect(used.settled).to.equal(true);
    c.resume();
    const next = (await c.value()) as Wait<boolean>;
    expect(next).to.equal(used);
    expect([next.settled, next.what, next.data, next.queue]).to.deep.equal([false, undefined, undefined, undefined]);
    // While its acquire is pending, the wait is not handed out again.
    const d = sched.spawn(async (coro: Coro) => {
      await lock.acquire(coro);
      await coro.suspend();
    });
    await until(() => lock.owner === d);
    const e = sched.spawn(async (coro: Coro) => lock.acquire(coro));
    await until(() => lock.waiting === 1);
    expect(e.reusableWait()).to.not.equal(lock.waiters.peek());
    d.terminate();
    await e.finish();
  });
});

describe('CoroState: the first queued message held in the coroutine (no Mailbox until a second)', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  it('a message sent before the start counts as pending, in the snapshot and the counters, and is received', async () => {
    const c = sched.spawn(async (coro: Coro<string>) => coro.receive());
    expect(c.send('first')).to.equal(true);
    expect([c.pending, c.dropped, c.describe().mailbox]).to.deep.equal([1, 0, 1]);
    expect(sched.stats.sent).to.equal(1);
    expect(sched.stats.mailboxHighWater).to.be.at.least(1);
    expect(await c.value()).to.equal('first');
    expect(c.pending).to.equal(0);
    expect(sched.stats.received).to.equal(1);
  });

  it('later messages queue behind it in order; undefined is a message like any other', async () => {
    const c = sched.spawn(async (coro: Coro<string | undefined>) => [await coro.receive(), await coro.receive(), await coro.receive(), await coro.receive()]);
    c.send(undefined);
    expect(c.pending).to.equal(1);
    c.send('b');
    c.send('c');
    expect(c.pending).to.equal(3);
    await turn();
    c.send('d');
    expect(await c.value()).to.deep.equal([undefined, 'b', 'c', 'd']);
  });

  it('a selective receive skips it and it stays queued; poll and receive with timeout 0 take it', async () => {
    const c = sched.spawn(async (coro: Coro<string>) => {
      const y = await coro.receive({ filter: (m) => m === 'y' });
      const none = coro.poll({ filter: (m) => m === 'z', alarm: 'none' });
      const x = coro.poll();
      const later = await coro.receive({ timeout: 0, alarm: 'empty' });
      return [y, none, x, later];
    });
    c.send('x');
    await until(() => c.describe().state === 'receiving');
    expect(c.pending).to.equal(1);
    c.send('y');
    expect(await c.value()).to.deep.equal(['y', 'none', 'x', 'empty']);
  });

  it('a message held when the coroutine ends is discarded (logged at debug), and later sends are dead letters', async () => {
    const { logger, lines } = captureLogger('debug');
    const s = new Scheduler({ logger });
    try {
      const c = s.spawn(async (coro: Coro<number>) => void (await coro.suspend()));
      await until(() => c.describe().state === 'suspended');
      c.send(1);
      expect(c.pending).to.equal(1);
      c.resume();
      await c.finish();
      expect(c.pending).to.equal(0);
      expect(lines.some((l) => l.msg === 'coroutine ended with queued messages' && l.discarded === 1)).to.equal(true);
      expect(c.send(2)).to.equal(false);
      expect(s.stats.deadLetters).to.equal(1);
    } finally {
      await s.terminate();
    }
  });

  it('deliver() holds it too; a bounded mailbox keeps its capacity (never held beside it)', async () => {
    const c = sched.spawn(async (coro: Coro<number>) => [await coro.receive(), await coro.receive()]);
    expect(await c.deliver(1)).to.equal(true);
    expect(await c.deliver(2)).to.equal(true);
    expect(await c.value()).to.deep.equal([1, 2]);
    const bounded = sched.spawnWith({ mailbox: { capacity: 1 } }, async (coro: Coro<number>) => coro.suspend());
    bounded.send(1);
    await expectError(() => bounded.send(2), MailboxFullError);
    expect(await bounded.deliver(3, { timeout: 0 })).to.equal(false);
    expect(bounded.pending).to.equal(1);
  });
});
