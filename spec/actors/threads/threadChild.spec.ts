import { expect } from 'chai';
import { ask } from '../../../actors/ask.js';
import { Supervisor } from '../../../actors/Supervisor.js';
import { spawnOnWith } from '../../../actors/threads/spawnOn.js';
import { threadChild } from '../../../actors/threads/threadChild.js';
import type { Address } from '../../../runtime/address.js';
import type { Coro } from '../../../runtime/Coro.js';
import { THREAD_WORKERS, threadsFixture } from '../../fixtures/index.js';
import { until } from '../../helpers.js';

describe('threadChild: supervised coroutines on threads (real worker threads)', function () {
  this.timeout(30_000);
  const fx = threadsFixture({ heartbeatInterval: 100, peerTimeout: 1500 });

  it('a Supervisor restarts a child whose thread is lost on another thread; messages to the child reach its work', async () => {
    const threads = await fx.start({ restart: false });
    const sup = await Supervisor.start([{ id: 'where', start: threadChild(threads, { key: 'where' }, THREAD_WORKERS, 'whereAmI') }], { scheduler: fx.sched });
    try {
      const child = (): Coro<Address<string>> => sup.child<Address<string>>('where')!;
      const first = await ask(child(), (replyTo) => replyTo, { timeout: 5000 });
      const lost = threads.list().find((t) => t.name === first)!;
      const killer = await spawnOnWith(threads, { thread: lost.index }, THREAD_WORKERS, 'exitThread');
      killer.send(1);
      await until(() => sup.restarts === 1, 10_000, 'the supervisor to restart the child');
      const second = await ask(child(), (replyTo) => replyTo, { timeout: 5000 });
      expect(second).to.not.equal(first);
      expect(threads.list().find((t) => t.name === second)!.state).to.equal('up');
    } finally {
      await sup.stop();
    }
  });

  it('the child ends as its work ends (its value), and stopping the child terminates its work', async () => {
    const threads = await fx.start({ count: 1 });
    const sched = fx.sched;
    const counting = sched.spawn(threadChild(threads, {}, THREAD_WORKERS, 'counter', 1));
    await until(() => threads.list()[0]!.placed === 1);
    counting.send('one');
    counting.send('total');
    expect(await counting.value({ timeout: 5000 })).to.equal(2);
    const forever = sched.spawn(threadChild(threads, {}, THREAD_WORKERS, 'silent'));
    await until(() => threads.list()[0]!.placed === 1);
    forever.terminate();
    await until(() => threads.list()[0]!.placed === 0, 5000, 'the work to be terminated with its child');
  });
});
