import { expect } from 'chai';
import { MonitorStatus } from '../../runtime/MonitorStatus.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { RemoteCoro } from '../../actors/remote/RemoteCoro.js';
import { Location } from '../../transports/net/Location.js';

describe('MonitorStatus', () => {
  it('carries the coroutine, the reason, the value or the error; ok only for finished', () => {
    const who = new RemoteCoro(undefined, new Location('127.0.0.1', 1), '0'.repeat(32), 3, 'w');
    const done = new MonitorStatus(who, 'finished', 42);
    expect([done.coro, done.reason, done.value, done.error, done.ok]).to.deep.equal([who, 'finished', 42, undefined, true]);
    const err = new Error('boom');
    for (const reason of ['failed', 'terminated', 'peer-lost'] as const) {
      const s = new MonitorStatus(who, reason, undefined, err);
      expect([s.reason, s.error, s.ok]).to.deep.equal([reason, err, false]);
    }
  });

  it('is what a monitor receives when a coroutine ends', async () => {
    const sched = new Scheduler();
    try {
      const worker = sched.spawn(async () => 'v');
      const watcher = sched.spawn(async (coro) => {
        await coro.monitor(worker);
        return coro.receive({ timeout: 2000 });
      });
      const s = (await watcher.value()) as MonitorStatus<string>;
      expect(s).to.be.instanceOf(MonitorStatus);
      expect([s.coro, s.reason, s.value, s.ok]).to.deep.equal([worker, 'finished', 'v', true]);
    } finally {
      await sched.terminate();
    }
  });
});
