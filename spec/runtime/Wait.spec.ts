import { expect } from 'chai';
import { CoroTerminatedError, TimeoutError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind, type WaitOwner } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import { forbidUnhandled, rejection, turn, until } from '../helpers.js';

/** A WaitOwner that records what the wait tells it and can hold an interrupt. */
function fakeOwner(daemon = false): WaitOwner & { waits: Set<Wait<any>>; interrupt: Error | undefined; asked: number[] } {
  const owner = {
    daemon,
    waits: new Set<Wait<any>>(),
    interrupt: undefined as Error | undefined,
    asked: [] as number[],
    pendingInterrupt(kind: number) {
      owner.asked.push(kind);
      return owner.interrupt;
    },
    addWait: (w: Wait<any>) => void owner.waits.add(w),
    removeWait: (w: Wait<any>) => void owner.waits.delete(w),
  };
  return owner;
}

describe('Wait', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  it('wake() settles it once with the value, cancels its timer and leaves its owner', async () => {
    const owner = fakeOwner();
    const w = new Wait<string>(sched, owner, WaitKind.Other);
    const p = w.start(10_000, undefined);
    expect(owner.waits.has(w)).to.equal(true);
    expect(sched.timers.size).to.equal(1);
    expect(w.wake('first')).to.equal(true);
    expect(w.wake('second')).to.equal(false);
    expect(w.fail(new Error('late'))).to.equal(false);
    expect(await p).to.equal('first');
    expect(w.settled).to.equal(true);
    expect(sched.timers.size).to.equal(0);
    expect(owner.waits.size).to.equal(0);
  });

  it('times out with the alarm value, or with TimeoutError when throwOnTimeout; onCancel runs', async () => {
    const cancelled: string[] = [];
    const a = new Wait<string>(sched, undefined, WaitKind.Other);
    a.alarm = 'alarm';
    a.onCancel = () => cancelled.push('a');
    expect(await a.start(1, undefined)).to.equal('alarm');
    const b = new Wait<string>(sched, undefined, WaitKind.Other);
    b.throwOnTimeout = true;
    b.onCancel = () => cancelled.push('b');
    const err = await rejection(b.start(1, undefined));
    expect(TimeoutError.is(err)).to.equal(true);
    expect(cancelled).to.deep.equal(['a', 'b']);
    expect(sched.timers.size).to.equal(0);
  });

  it('timeout Infinity arms no timer; timeout 0 settles on the next timer pass', async () => {
    const forever = new Wait<number>(sched, undefined, WaitKind.Other);
    const p = forever.start(Infinity, undefined);
    expect(sched.timers.size).to.equal(0);
    const zero = new Wait<number>(sched, undefined, WaitKind.Other);
    zero.alarm = -1;
    expect(await zero.start(0, undefined)).to.equal(-1);
    expect(forever.settled).to.equal(false);
    forever.wake(7);
    expect(await p).to.equal(7);
  });

  it('an abort rejects with the signal reason, removes it from its queue and drops the listener', async () => {
    const q = new WaiterQueue();
    const ac = new AbortController();
    const w = new Wait<boolean>(sched, undefined, WaitKind.Other);
    let cancelled = 0;
    w.onCancel = () => cancelled++;
    q.push(w);
    const p = w.start(10_000, ac.signal);
    ac.abort(new Error('stop'));
    expect(((await rejection(p)) as Error).message).to.equal('stop');
    expect(q.length).to.equal(0);
    expect(w.queue).to.equal(undefined);
    expect(cancelled).to.equal(1);
    expect(sched.timers.size).to.equal(0);
    // Settled once: a later failure changes nothing.
    expect(w.fail(new Error('again'))).to.equal(false);
  });

  it('an already aborted signal, or a pending interrupt of its owner, rejects at start and undoes the queueing', async () => {
    const q = new WaiterQueue();
    const ac = new AbortController();
    ac.abort(new Error('before'));
    const a = new Wait<boolean>(sched, undefined, WaitKind.Other);
    q.push(a);
    expect(((await rejection(a.start(100, ac.signal))) as Error).message).to.equal('before');
    expect(q.length).to.equal(0);
    const owner = fakeOwner();
    owner.interrupt = new CoroTerminatedError('terminated');
    const b = new Wait<boolean>(sched, owner, WaitKind.Receive);
    q.push(b);
    expect(await rejection(b.start(100, undefined))).to.equal(owner.interrupt);
    expect(owner.asked).to.deep.equal([WaitKind.Receive]);
    expect(q.length).to.equal(0);
    expect(owner.waits.size).to.equal(0);
    expect(sched.timers.size).to.equal(0);
  });

  it('fail() rejects, removes it from its queue and runs onCancel; a dropped failed promise is not unhandled', async () => {
    const guard = forbidUnhandled();
    try {
      const q = new WaiterQueue();
      const w = new Wait<boolean>(sched, undefined, WaitKind.Other);
      let cancelled = 0;
      w.onCancel = () => cancelled++;
      q.push(w);
      void w.start(10_000, undefined); // nobody awaits it
      expect(w.fail(new Error('dropped'))).to.equal(true);
      expect(q.length).to.equal(0);
      expect(cancelled).to.equal(1);
      for (let i = 0; i < 5; i++) await turn();
      expect(guard.seen).to.deep.equal([]);
    } finally {
      guard.uninstall();
    }
  });

  it('abandon() withdraws it without settling: no timer, no queue, no owner, never resolves', async () => {
    const owner = fakeOwner();
    const q = new WaiterQueue();
    const w = new Wait<string>(sched, owner, WaitKind.Other);
    q.push(w);
    let settled = false;
    void w.start(5, undefined).then(() => (settled = true), () => (settled = true));
    w.abandon();
    expect(q.length).to.equal(0);
    expect(owner.waits.size).to.equal(0);
    expect(sched.timers.size).to.equal(0);
    expect(w.wake('late')).to.equal(false);
    for (let i = 0; i < 5; i++) await turn();
    expect(settled).to.equal(false);
  });

  it('the timer of a daemon owner does not keep the process alive; others do', () => {
    const daemonWait = new Wait<void>(sched, fakeOwner(true), WaitKind.Other);
    void daemonWait.start(10_000, undefined);
    const plain = new Wait<void>(sched, fakeOwner(false), WaitKind.Other);
    void plain.start(10_000, undefined);
    const ownerless = new Wait<void>(sched, undefined, WaitKind.Other);
    void ownerless.start(10_000, undefined);
    expect([daemonWait.ref, plain.ref, ownerless.ref]).to.deep.equal([false, true, true]);
    for (const w of [daemonWait, plain, ownerless]) w.wake(undefined);
  });

  it('a real coroutine owner: terminate() interrupts the wait it is blocked in', async () => {
    let wait: Wait<string> | undefined;
    const c = sched.spawn(async (coro) => {
      wait = new Wait<string>(sched, coro, WaitKind.Other);
      return wait.start(Infinity, undefined);
    });
    await until(() => wait !== undefined);
    c.terminate();
    expect(CoroTerminatedError.is(await rejection(c.finish()))).to.equal(true);
    expect(wait!.settled).to.equal(true);
  });
});
