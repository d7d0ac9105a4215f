import { expect } from 'chai';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { spawn, spawnWith } from '../../runtime/spawn.js';

describe('spawn and spawnWith', () => {
  let previous: Scheduler;
  let mine: Scheduler;
  beforeEach(() => {
    previous = Scheduler.default();
    mine = new Scheduler();
    Scheduler.setDefault(mine);
  });
  afterEach(async () => {
    Scheduler.setDefault(previous);
    await mine.terminate();
  });

  it('spawn starts a coroutine on the default scheduler with the arguments', async () => {
    const c = spawn(async (_coro, a: number, b: number) => a + b, 40, 2);
    expect(c.scheduler).to.equal(mine);
    expect(await c.value()).to.equal(42);
  });

  it('spawnWith takes a name, daemon flag and mailbox, on the default or a given scheduler', async () => {
    const other = new Scheduler();
    try {
      const d = spawnWith({ name: 'bg', daemon: true, mailbox: { capacity: 1 } }, async (coro) => coro.receive({ timeout: 0 }));
      expect([d.name, d.daemon, d.scheduler === mine]).to.deep.equal(['bg', true, true]);
      const e = spawnWith({ scheduler: other, name: 'there' }, async (_coro, x: string) => x, 'ok');
      expect(e.scheduler).to.equal(other);
      expect(await e.value()).to.equal('ok');
    } finally {
      await other.terminate();
    }
  });

  it('refuses options that are not an object and a function that is not one, spawning nothing', () => {
    for (const bad of [null, 5, 'name']) {
      expect(() => spawnWith(bad as never, async () => 1), String(bad)).to.throw(InvalidArgumentError);
    }
    expect(() => spawn(5 as never)).to.throw(InvalidArgumentError);
    expect(mine.stats.spawned).to.equal(0);
  });
});
