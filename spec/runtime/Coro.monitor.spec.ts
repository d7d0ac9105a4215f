import { expect } from 'chai';
import type { Coro } from '../../runtime/Coro.js';
import { CoroTerminatedError, InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { MonitorStatus } from '../../runtime/MonitorStatus.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { captureLogger, expectError, forbidUnhandled, turn } from '../helpers.js';

describe('Coro: monitors and uncaught exceptions', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  /** A coroutine that monitors `target` and returns the first message it gets. */
  function watcher(s: Scheduler, target: Coro<any, any>): Coro<unknown, MonitorStatus> {
    return s.spawn(async (coro: Coro<unknown, MonitorStatus>) => {
      await coro.monitor(target);
      return (await coro.receive({ timeout: 10_000 })) as MonitorStatus;
    });
  }

  it('reports a normal end: reason finished with the value', async () => {
    const w = sched.spawn(async (coro) => coro.receive());
    const m = watcher(sched, w);
    await turn();
    w.send('result');
    const status = await m.value();
    expect(status).to.be.instanceOf(MonitorStatus);
    expect(status.reason).to.equal('finished');
    expect(status.ok).to.equal(true);
    expect(status.value).to.equal('result');
    expect(status.coro).to.equal(w);
  });

  it('reports a failure: reason failed with the error', async () => {
    const err = new Error('crash');
    const w = sched.spawn(async (coro) => {
      await coro.receive();
      throw err;
    });
    const m = watcher(sched, w);
    await turn();
    w.send('go');
    const status = await m.value();
    expect([status.reason, status.ok, status.error]).to.deep.equal(['failed', false, err]);
  });

  it('reports a termination: reason terminated', async () => {
    const w = sched.spawn(async (coro) => coro.receive());
    const m = watcher(sched, w);
    await turn();
    w.terminate();
    const status = await m.value();
    expect(status.reason).to.equal('terminated');
    expect(status.error).to.be.instanceOf(CoroTerminatedError);
  });

  it('a terminated coroutine reports its CoroTerminatedError however it ended (before starting, or catching it)', async () => {
    const early = sched.spawn(async () => 'never runs');
    const catcher = sched.spawn(async (coro) => coro.receive().catch(() => 'caught'));
    const m1 = watcher(sched, early);
    const m2 = watcher(sched, catcher);
    early.terminate();
    await turn();
    catcher.terminate();
    for (const m of [m1, m2]) {
      const status = await m.value();
      expect(status.reason).to.equal('terminated');
      expect(status.error).to.be.instanceOf(CoroTerminatedError);
    }
  });

  it('monitoring a coroutine that already ended reports at once; notify() installs a monitor from the other side', async () => {
    const done = sched.spawn(async () => 5);
    await done.finish();
    const late = watcher(sched, done);
    expect((await late.value()).value).to.equal(5);

    const w = sched.spawn(async (coro) => coro.receive());
    const m1 = sched.spawn(async (coro) => coro.receive());
    const m2 = sched.spawn(async (coro) => coro.receive());
    w.notify(m1);
    w.notify(m2);
    w.send('x');
    expect(((await m1.value()) as MonitorStatus).value).to.equal('x');
    expect(((await m2.value()) as MonitorStatus).value).to.equal('x');
  });

  it('notify() with something that is not a monitor throws InvalidArgumentError', async () => {
    const w = sched.spawn(async (coro) => coro.receive());
    await expectError(() => w.notify({} as any), InvalidArgumentError);
    await expectError(() => w.notify(null as any), InvalidArgumentError);
    await expectError(() => w.monitor(5 as any), InvalidArgumentError);
  });

  it('a supervisor restarts a failed worker until it succeeds', async () => {
    let attempts = 0;
    async function worker(): Promise<string> {
      attempts++;
      if (attempts < 3) throw new Error(`attempt ${attempts} failed`);
      return 'ok';
    }
    const supervisor = sched.spawn(async (coro) => {
      const reasons: string[] = [];
      for (let i = 0; i < 10; i++) {
        const w = sched.spawn(worker);
        await coro.monitor(w);
        const status = (await coro.receive({ timeout: 10_000 })) as MonitorStatus<string>;
        reasons.push(status.reason);
        if (status.ok) return [reasons, status.value];
      }
      return [reasons, 'gave up'];
    });
    expect(await supervisor.value()).to.deep.equal([['failed', 'failed', 'finished'], 'ok']);
    expect(attempts).to.equal(3);
  });

  it('a failure nobody monitors or awaits is a crash report at error level: name, id, error', async () => {
    const { logger, lines } = captureLogger('info');
    const s = new Scheduler({ logger });
    try {
      const w = s.spawn(async function lonely() {
        throw new Error('nobody listens');
      });
      for (let i = 0; i < 10 && w.isAlive; i++) await turn();
      const line = lines.find((l) => l.msg === 'uncaught exception in coroutine');
      expect(line, 'crash report').to.not.equal(undefined);
      expect(line!.level).to.equal(50);
      expect([line!.name, line!.id, line!.coro]).to.deep.equal(['lonely', w.id, String(w)]);
      expect(line!.err.message).to.equal('nobody listens');
      // A passive monitor (one that only records outcomes) does not count as handling it.
      const recorded: unknown[] = [];
      const v = s.spawn(async function recordedOnly(coro) {
        await coro.sleep(0);
        throw new Error('recorded only');
      });
      v.notify({ passive: true, send: (status) => recorded.push(status) > 0 });
      await v.finish().catch(() => undefined); // a finish() waiter: this one is handled
      const vLine = lines.find((l) => l.err?.message === 'recorded only');
      expect(vLine!.level, 'a finish() waiter handles it').to.equal(30);
      expect(recorded).to.have.length(1);
    } finally {
      await s.terminate();
    }
  });

  it('an uncaught exception is logged through pino, reported to monitors, and touches nothing else', async () => {
    const { logger, lines } = captureLogger('info');
    const s = new Scheduler({ logger });
    const guard = forbidUnhandled();
    try {
      const bystander = s.spawn(async (coro) => coro.receive());
      const w = s.spawn(async function failing(coro) {
        await coro.sleep(0);
        throw new Error('kaboom');
      });
      const m = watcher(s, w);
      const status = await m.value();
      expect(status.reason).to.equal('failed');
      expect((status.error as Error).message).to.equal('kaboom');
      const line = lines.find((l) => l.msg === 'uncaught exception in coroutine');
      expect(line, 'crash line').to.not.equal(undefined);
      expect(line!.level, 'monitored: an info line, the monitor handles it').to.equal(30);
      expect(line!.coro).to.equal(String(w));
      expect(line!.err.message).to.equal('kaboom');
      // nobody awaited w: no unhandled rejection, other coroutines and the scheduler go on
      for (let i = 0; i < 5; i++) await turn();
      expect(guard.seen).to.deep.equal([]);
      expect(bystander.isAlive).to.equal(true);
      expect(s.isRunning).to.equal(true);
      bystander.send('still works');
      expect(await bystander.value()).to.equal('still works');
    } finally {
      guard.uninstall();
      await s.terminate();
    }
  });

  it('a monitor whose mailbox is full does not break the end of the watched coroutine', async () => {
    const guard = forbidUnhandled();
    try {
      const m = sched.spawnWith({ mailbox: { capacity: 1 } }, async (coro) => coro.suspend());
      m.send('fill');
      const w = sched.spawn(async () => {
        throw new Error('fails');
      });
      w.notify(m);
      const other = sched.spawn(async (coro) => coro.receive());
      w.notify(other);
      expect((await w.finish().catch((e) => e)).message).to.equal('fails');
      expect(w.isAlive).to.equal(false);
      // the next monitor still got its status
      expect(((await other.value()) as MonitorStatus).reason).to.equal('failed');
      expect(m.pending).to.equal(1);
      for (let i = 0; i < 5; i++) await turn();
      expect(guard.seen).to.deep.equal([]);
      expect(sched.stats.deadLetters).to.equal(1);
    } finally {
      guard.uninstall();
    }
  });
});
