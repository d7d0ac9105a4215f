import { expect } from 'chai';
import { Coro } from '../../runtime/Coro.js';
import {
  CoroTerminatedError, InvalidArgumentError, NameTakenError, NotInCoroutineError,
} from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { spawnWith } from '../../runtime/spawn.js';
import { expectError, turn, until } from '../helpers.js';

describe('Coro: creation, results, identity, names', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  it('schedules the function at once (no start call) and passes the arguments after the handle', async () => {
    const seen: unknown[] = [];
    const c = sched.spawn(async (coro, a: number, b: string) => {
      seen.push(coro, a, b);
    }, 1, 'two');
    expect(seen).to.deep.equal([]); // starts on a microtask, not synchronously
    await c.finish();
    expect(seen).to.deep.equal([c, 1, 'two']);
  });

  it('starts coroutines in creation order', async () => {
    const order: number[] = [];
    const cs = [1, 2, 3, 4].map((n) => sched.spawn(async () => void order.push(n)));
    await Promise.all(cs.map((c) => c.finish()));
    expect(order).to.deep.equal([1, 2, 3, 4]);
  });

  it('new Coro with scheduler option and spawnWith on a given scheduler both run there', async () => {
    const a = spawnWith({ scheduler: sched }, async () => 'a');
    expect(a.scheduler).to.equal(sched);
    expect(await a.value()).to.equal('a');
    expect(sched.stats.spawned).to.equal(1);
  });

  it('value() and finish() resolve with the returned value; a synchronous function works too', async () => {
    const c = sched.spawn(async (_c, n: number) => n * 2, 21);
    expect(await c.value()).to.equal(42);
    expect(await c.finish()).to.equal(42);
    const s = sched.spawn((_c: Coro) => 'sync');
    expect(await s.value()).to.equal('sync');
  });

  it('value()/finish() reject with the error the function threw (async or sync)', async () => {
    const boom = new Error('boom');
    const c = sched.spawn(async () => {
      throw boom;
    });
    expect(await c.finish().catch((e) => e)).to.equal(boom);
    expect(await c.value().catch((e) => e)).to.equal(boom);
    const s = sched.spawn(() => {
      throw boom;
    });
    expect(await s.value().catch((e) => e)).to.equal(boom);
  });

  it('value()/finish() reject with CoroTerminatedError for a terminated coroutine', async () => {
    const c = sched.spawn(async (coro) => coro.receive());
    await turn();
    c.terminate();
    await expectError(() => c.value(), CoroTerminatedError);
    await expectError(() => c.finish(), CoroTerminatedError);
  });

  it('finish({timeout}) returns the alarm value when the coroutine is still running, and leaves no timer', async () => {
    const c = sched.spawn(async (coro) => coro.receive());
    expect(await c.finish({ timeout: 5, alarm: 'late' })).to.equal('late');
    expect(await c.finish({ timeout: 0 })).to.equal(undefined);
    expect(sched.timers.size).to.equal(0);
    expect(c.isAlive).to.equal(true);
    c.send('done');
    expect(await c.finish({ timeout: 2000, alarm: 'late' })).to.equal('done');
  });

  it('finish({signal}) rejects with the abort reason and the coroutine keeps running', async () => {
    const c = sched.spawn(async (coro) => coro.receive());
    const ac = new AbortController();
    const p = c.finish({ signal: ac.signal });
    ac.abort(new Error('gave up'));
    expect(((await p.catch((e: unknown) => e)) as Error).message).to.equal('gave up');
    const pre = new AbortController();
    pre.abort(new Error('already'));
    expect(((await c.finish({ signal: pre.signal }).catch((e: unknown) => e)) as Error).message).to.equal('already');
    expect(c.isAlive).to.equal(true);
    c.send(7);
    expect(await c.value()).to.equal(7);
  });

  it('finish({coro}) is interrupted when the acting coroutine is terminated', async () => {
    const target = sched.spawn(async (coro) => coro.receive());
    let failure: unknown;
    const waiter = sched.spawn(async (coro) => {
      try {
        await target.finish({ coro });
      } catch (err) {
        failure = err;
        throw err;
      }
    });
    await turn();
    waiter.terminate();
    await expectError(() => waiter.finish(), CoroTerminatedError);
    expect(failure).to.be.instanceOf(CoroTerminatedError);
    expect(target.isAlive).to.equal(true);
  });

  it('ids are unique; the name defaults to the function name, or "coro" for anonymous functions', async () => {
    async function worker(): Promise<void> {}
    const a = sched.spawn(worker);
    const b = sched.spawn(worker);
    const anon = sched.spawn((() => async () => {})());
    const named = sched.spawnWith({ name: 'custom' }, worker);
    expect(new Set([a.id, b.id, anon.id, named.id]).size).to.equal(4);
    expect(a.name).to.equal('worker');
    expect(anon.name).to.equal('coro');
    expect(named.name).to.equal('custom');
    expect(String(a)).to.equal(`worker/${a.id}`);
    expect(sched.coro(a.id)).to.equal(a);
    await a.finish();
    expect(sched.coro(a.id)).to.equal(undefined);
  });

  it('register/unregister/locate; a name is freed when its coroutine ends', async () => {
    const a = sched.spawn(async function server(coro) {
      return coro.receive();
    });
    a.register();
    expect(await Coro.locate('server', { scheduler: sched, timeout: 0 })).to.equal(a);
    a.register('alias');
    expect(await sched.locateCoro('alias', { timeout: 0 })).to.equal(a);
    expect(a.unregister('alias')).to.equal(true);
    expect(a.unregister('alias')).to.equal(false);
    expect(await sched.locateCoro('alias', { timeout: 0 })).to.equal(undefined);
    a.send('stop');
    await a.finish();
    expect(await sched.locateCoro('server', { timeout: 0 })).to.equal(undefined);
  });

  it('register throws NameTakenError when another live coroutine holds the name', async () => {
    const a = sched.spawn(async (coro) => coro.receive());
    const b = sched.spawn(async (coro) => coro.receive());
    a.register('svc');
    await expectError(() => b.register('svc'), NameTakenError);
    expect(await sched.locateCoro('svc', { timeout: 0 })).to.equal(a);
    a.register('svc'); // re-registering the same coroutine is fine
    a.terminate();
    await a.finish().catch(() => undefined);
    b.register('svc'); // the holder ended: the name is free
    expect(await sched.locateCoro('svc', { timeout: 0 })).to.equal(b);
  });

  it('locate with a timeout resolves when the name is registered later', async () => {
    const p = Coro.locate('late', { scheduler: sched, timeout: 5000 });
    const c = sched.spawn(async (coro) => coro.receive());
    await turn();
    c.register('late');
    expect(await p).to.equal(c);
    expect(sched.timers.size).to.equal(0);
  });

  it('locate without a timeout waits until the name is registered (timeout undefined waits forever)', async () => {
    const p = sched.locateCoro('forever');
    let settled = false;
    void p.then(() => (settled = true));
    for (let i = 0; i < 5; i++) await turn();
    expect(settled).to.equal(false);
    const c = sched.spawn(async (coro) => coro.receive());
    c.register('forever');
    expect(await p).to.equal(c);
  });

  it('locate returns undefined on timeout and rejects with the reason on abort', async () => {
    expect(await sched.locateCoro('nobody', { timeout: 5 })).to.equal(undefined);
    const ac = new AbortController();
    const p = sched.locateCoro('nobody', { signal: ac.signal });
    ac.abort(new Error('stop looking'));
    expect((await p.catch((e) => e)).message).to.equal('stop looking');
    expect(sched.timers.size).to.equal(0);
    // the cancelled waits left nothing behind: a later registration still works
    const c = sched.spawn(async (coro) => coro.receive());
    c.register('nobody');
    expect(await sched.locateCoro('nobody', { timeout: 0 })).to.equal(c);
  });

  it('Coro.current() returns the running coroutine with trackCurrent, across awaits', async () => {
    const tracked = new Scheduler({ trackCurrent: true });
    try {
      const c = tracked.spawn(async (coro) => {
        const before = Coro.current();
        await coro.sleep(1);
        await new Promise((r) => setTimeout(r, 1));
        return before === coro && Coro.current() === coro;
      });
      const d = tracked.spawn(async (coro) => Coro.current() === coro);
      expect(await c.value()).to.equal(true);
      expect(await d.value()).to.equal(true);
    } finally {
      await tracked.terminate();
    }
  });

  it('a coroutine of an untracked scheduler started from a tracked one has no current coroutine', async () => {
    const tracked = new Scheduler({ trackCurrent: true });
    try {
      const outer = tracked.spawn(async () => {
        const inner = sched.spawn(async () => {
          try {
            return Coro.current();
          } catch (err) {
            return err;
          }
        });
        return inner.value();
      });
      expect(NotInCoroutineError.is(await outer.value())).to.equal(true);
    } finally {
      await tracked.terminate();
    }
  });

  it('Coro.current() throws NotInCoroutineError without trackCurrent, and outside any coroutine', async () => {
    const c = sched.spawn(async () => Coro.current());
    await expectError(() => c.value(), NotInCoroutineError);
    await expectError(() => Coro.current(), NotInCoroutineError);
  });

  it('isAlive, pending and daemon reflect the state', async () => {
    const c = sched.spawnWith({ daemon: true }, async (coro) => coro.receive({ filter: (m) => m === 'go' }));
    expect(c.isAlive).to.equal(true);
    expect(c.daemon).to.equal(true);
    c.send('x');
    await until(() => c.pending === 1);
    c.send('go');
    await c.finish();
    expect(c.isAlive).to.equal(false);
    expect(c.pending).to.equal(0);
  });

  it('rejects bad spawn input with InvalidArgumentError and spawns nothing', async () => {
    await expectError(() => sched.spawn(42 as any), InvalidArgumentError);
    await expectError(() => new Coro('nope' as any), InvalidArgumentError);
    await expectError(() => sched.spawnWith('x' as any, async () => {}), InvalidArgumentError);
    await expectError(() => sched.spawnWith({ name: '' }, async () => {}), InvalidArgumentError);
    await expectError(() => sched.spawnWith({ mailbox: { capacity: 0 } }, async () => {}), InvalidArgumentError);
    await expectError(() => spawnWith(null as any, async () => {}), InvalidArgumentError);
    expect(sched.stats.spawned).to.equal(0);
    expect(sched.stats.live).to.equal(0);
  });
});
