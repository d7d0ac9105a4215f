import { expect } from 'chai';
import type { Coro } from '../../runtime/Coro.js';
import { MonitorStatus } from '../../runtime/MonitorStatus.js';
import { CoroFinishedError, CoroTerminatedError, InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { expectError, rejection, turn, until } from '../helpers.js';

describe('CoroLifecycle (control, monitors and results of every Coro)', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });
  const parked = () => sched.spawn(async (coro) => coro.suspend());

  it('throw(): needs an Error (InvalidArgumentError, nothing changes) and a live coroutine (CoroFinishedError)', async () => {
    const c = sched.spawn(async (coro) => coro.receive());
    await until(() => c.describe().state === 'receiving');
    expect(() => c.throw('not an error' as never)).to.throw(InvalidArgumentError);
    expect(c.describe().state).to.equal('receiving');
    c.throw(new Error('now'));
    expect(((await rejection(c.finish())) as Error).message).to.equal('now');
    expect(() => c.throw(new Error('late'))).to.throw(CoroFinishedError);
  });

  it('terminate(): true while it runs or is ending, false once it has ended', async () => {
    const c = parked();
    expect(c.terminate()).to.equal(true);
    expect(c.terminate()).to.equal(true);
    await expectError(() => c.finish(), CoroTerminatedError);
    expect(c.terminate()).to.equal(false);
  });

  it('hotSwap(): needs a function (InvalidArgumentError) and a live coroutine (CoroFinishedError)', async () => {
    const c = parked();
    expect(() => c.hotSwap(5 as never)).to.throw(InvalidArgumentError);
    await until(() => c.describe().state === 'suspended');
    c.resume();
    await c.finish();
    expect(() => c.hotSwap(async () => undefined)).to.throw(CoroFinishedError);
  });

  it('monitor() and notify() refuse what is not a coroutine or monitor target', async () => {
    const c = parked();
    const watcher = sched.spawn(async (coro) => coro.monitor({} as never));
    await expectError(() => watcher.finish(), InvalidArgumentError);
    expect(() => c.notify(null as never)).to.throw(InvalidArgumentError);
    expect(() => c.notify({ send: 5 } as never)).to.throw(InvalidArgumentError);
    c.resume();
  });

  it('notify(): every monitor gets the status once it ends; one installed after the end gets it at once', async () => {
    const got: MonitorStatus[] = [];
    const target = { send: (m: unknown) => (got.push(m as MonitorStatus), true) };
    const c = sched.spawn(async (coro: Coro<string, string>) => coro.receive());
    c.notify(target);
    c.notify(target); // a set: once
    c.send('result');
    await c.finish();
    expect(got.map((s) => [s.reason, s.value])).to.deep.equal([['finished', 'result']]);
    c.notify(target);
    expect(got.length).to.equal(2);
    expect(got[1].coro).to.equal(c);
  });

  it('a monitor that cannot take the status does not stop the end; it is a dead letter', async () => {
    const c = sched.spawn(async () => 'v');
    c.notify({ send: () => { throw new Error('full'); } });
    const before = sched.stats.deadLetters;
    expect(await c.value()).to.equal('v');
    expect(sched.stats.deadLetters).to.equal(before + 1);
  });

  it('finish(): every waiter is woken at the end; a timeout returns the alarm and leaves no waiter behind', async () => {
    const c = parked();
    expect(await c.finish({ timeout: 5, alarm: 'not yet' })).to.equal('not yet');
    const waiters = [c.finish(), c.finish({ timeout: 10_000 }), c.value()];
    expect(c.resume('done')).to.equal(true);
    expect(await Promise.all(waiters)).to.deep.equal(['done', 'done', 'done']);
    expect(sched.timers.size).to.equal(0);
    expect(await c.finish({ timeout: 0, alarm: 'x' })).to.equal('done'); // ended: the value at once
  });

  it('finish(): rejects with the error it failed with, CoroTerminatedError when terminated', async () => {
    const failing = sched.spawn(async () => {
      throw new RangeError('bad');
    });
    expect(await rejection(failing.finish())).to.be.instanceOf(RangeError);
    const killed = parked();
    killed.terminate();
    await expectError(() => killed.value(), CoroTerminatedError);
  });

  it('finish(): its signal cancels it (at once when already aborted); terminating the acting coroutine interrupts it', async () => {
    const c = parked();
    const ac = new AbortController();
    const p = c.finish({ signal: ac.signal });
    ac.abort(new Error('stop'));
    expect(((await rejection(p)) as Error).message).to.equal('stop');
    expect(((await rejection(c.finish({ signal: ac.signal }))) as Error).message).to.equal('stop');
    const joiner = sched.spawn(async (coro) => c.finish({ coro }));
    await until(() => joiner.describe().state === 'waiting');
    joiner.terminate();
    await expectError(() => joiner.finish(), CoroTerminatedError);
    expect(c.isAlive).to.equal(true);
    for (const bad of [{ timeout: -1 }, { timeout: 'x' }]) await expectError(() => c.finish(bad as never), InvalidArgumentError);
    c.resume();
  });

  it('at its end, deliveries waiting for room in its mailbox fail with CoroFinishedError', async () => {
    const c = sched.spawnWith({ mailbox: { capacity: 1 } }, async (coro) => coro.suspend());
    c.send('fills it');
    const sender = sched.spawn(async (coro) => c.deliver('waits', { coro }));
    await until(() => sender.describe().state === 'waiting');
    c.resume();
    await c.finish();
    await expectError(() => sender.finish(), CoroFinishedError);
  });

  it('a coroutine terminated before it starts never runs its function', async () => {
    let ran = false;
    const c = sched.spawn(async () => {
      ran = true;
    });
    c.terminate();
    await expectError(() => c.finish(), CoroTerminatedError);
    await turn();
    expect(ran).to.equal(false);
  });
});
