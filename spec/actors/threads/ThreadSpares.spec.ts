import { expect } from 'chai';
import { THREAD_ENTRY } from '../../../actors/threads/ThreadSlot.js';
import { ThreadSpares } from '../../../actors/threads/ThreadSpares.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { WorkerThread } from '../../../transports/io/WorkerThread.js';
import { captureLogger, until } from '../../helpers.js';

const THROWS_ON_IMPORT = new URL('../../fixtures/threadModules/throwsOnImport.js', import.meta.url);

describe('ThreadSpares (real worker threads)', function () {
  this.timeout(30_000);
  let sched: Scheduler;
  const pools: ThreadSpares[] = [];
  const taken: WorkerThread[] = [];
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    for (const pool of pools.splice(0)) pool.stop();
    for (const thread of taken.splice(0)) {
      thread.terminate();
      await thread.join({ timeout: 5000 });
    }
    await sched.terminate();
  });

  function pool(count: number, entry = THREAD_ENTRY): { spares: ThreadSpares; lines: Array<Record<string, any>> } {
    const { logger, lines } = captureLogger('warn');
    const spares = new ThreadSpares(count, sched, entry, { resourceLimits: undefined, name: 'spec', logger });
    pools.push(spares);
    return { spares, lines };
  }

  it('starts nothing before start(); then keeps count spares warm; take() hands one over, and fill() starts another', async () => {
    const { spares } = pool(2);
    spares.fill();
    expect(spares.warm).to.equal(0);
    expect(spares.take()).to.equal(undefined);
    spares.start();
    await until(() => spares.warm === 2, 20_000, 'two warm spares');
    const thread = spares.take()!;
    taken.push(thread);
    expect(thread).to.be.instanceOf(WorkerThread);
    expect(thread.exit).to.equal(undefined);
    expect(spares.warm).to.equal(1);
    spares.fill();
    await until(() => spares.warm === 2, 20_000, 'the pool full again');
  });

  it('stop() ends every spare, and nothing starts after it', async () => {
    const { spares } = pool(1);
    spares.start();
    await until(() => spares.warm === 1, 20_000, 'a warm spare');
    const thread = spares.take()!;
    taken.push(thread);
    spares.fill();
    spares.stop();
    expect(spares.warm).to.equal(0);
    spares.fill();
    expect(spares.take()).to.equal(undefined);
    // The one taken before is the taker's: it still runs.
    expect(thread.exit).to.equal(undefined);
  });

  it('a spare that fails to start turns the spares off, with a warning, instead of starting them again and again', async () => {
    const { spares, lines } = pool(1, THROWS_ON_IMPORT);
    spares.start();
    await until(() => lines.some((l) => /spare thread did not start/.test(l.msg)), 20_000, 'the warning');
    expect(lines.find((l) => /spare thread did not start/.test(l.msg))!.err.message).to.match(/refuses to load/);
    spares.fill();
    expect(spares.warm).to.equal(0);
    expect(spares.take()).to.equal(undefined);
  });
});
