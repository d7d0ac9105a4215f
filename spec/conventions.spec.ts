/**
 * One convention everywhere: a call that returns a promise reports bad input by rejecting that
 * promise (with a typed error), never by throwing before the promise exists, so `.catch()` and
 * `await` in a try block both see it; and nothing is left queued by the refused call.
 */
import { expect } from 'chai';
import { Channel } from '../actors/Channel.js';
import { Condition } from '../actors/sync/Condition.js';
import { Event } from '../actors/sync/Event.js';
import { Lock } from '../actors/sync/Lock.js';
import { RLock } from '../actors/sync/RLock.js';
import { Semaphore } from '../actors/sync/Semaphore.js';
import type { Coro } from '../runtime/Coro.js';
import { InvalidArgumentError } from '../runtime/runtimeErrors.js';
import { Scheduler } from '../runtime/Scheduler.js';

describe('conventions: bad input rejects the returned promise', () => {
  let sched: Scheduler;
  let coro: Coro<unknown>;
  beforeEach(() => {
    sched = new Scheduler();
    coro = sched.spawnWith({ daemon: true, name: 'acting' }, async (c) => void (await c.suspend()));
  });
  afterEach(() => sched.terminate());

  const calls: Array<[string, () => Promise<unknown>]> = [
    ['receive with a negative timeout', () => coro.receive({ timeout: -1 })],
    ['receive with a filter that is no function', () => coro.receive({ filter: 'x' as never })],
    ['suspend with a non-numeric timeout', () => coro.suspend({ timeout: 'soon' as never })],
    ['sleep for a negative duration', () => coro.sleep(-5)],
    ['sleep with a bad timeout option', () => coro.sleep(5, 'fast' as never)],
    ['deliver with a negative timeout', () => coro.deliver('m', { timeout: -1 })],
    ['finish with a negative timeout', () => coro.finish({ timeout: -1 })],
    ['join with a negative timeout', () => sched.join({ timeout: -1 })],
    ['locateCoro with an empty name', () => sched.locateCoro('')],
    ['Channel.locate with an empty name', () => Channel.locate('', { scheduler: sched })],
    ['Lock.acquire without a coroutine', () => new Lock().acquire(undefined as never)],
    ['Lock.acquire with a bad timeout', () => new Lock().acquire(coro, { timeout: -1 })],
    ['RLock.acquire with a bad timeout', () => new RLock().acquire(coro, { timeout: NaN })],
    ['Semaphore.acquire with a bad timeout', () => new Semaphore(1).acquire(coro, { timeout: -1 })],
    ['Condition.acquire without a coroutine', () => new Condition().acquire(42 as never)],
    ['Event.wait with a bad timeout', () => new Event(sched).wait({ timeout: -1 })],
    ['Event.wait acting for something that is no coroutine', () => new Event(sched).wait({ coro: {} as never })],
  ];

  for (const [what, call] of calls) {
    it(what, async () => {
      let promise: Promise<unknown> | undefined;
      expect(() => {
        promise = call();
      }, 'no synchronous throw').to.not.throw();
      expect(promise).to.be.instanceOf(Promise);
      const err = await promise!.then(
        () => expect.fail('resolved'),
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(InvalidArgumentError);
    });
  }

  it('a refused call leaves nothing queued: the coroutine can still receive, the lock is still free', async () => {
    await coro.receive({ timeout: -1 }).catch(() => undefined);
    const lock = new Lock();
    await lock.acquire(coro, { timeout: -1 }).catch(() => undefined);
    expect(lock.locked).to.equal(false);
    const receiver = sched.spawn(async (c: Coro<string>) => {
      await c.receive({ timeout: -1 }).catch(() => undefined);
      return c.receive({ timeout: 1000 });
    });
    receiver.send('still works');
    expect(await receiver.value()).to.equal('still works');
  });
});

describe('conventions: { timeout, signal } on the calls that lacked them, and disposal', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(() => sched.terminate());

  it('coro.value({ timeout }) rejects with TimeoutError; with a signal it rejects with the reason', async () => {
    const { TimeoutError } = await import('../runtime/runtimeErrors.js');
    const sleeper = sched.spawn(async (c) => c.sleep(60_000, { alarm: 'woke' }));
    const err = await sleeper.value({ timeout: 5 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TimeoutError);
    const controller = new AbortController();
    const waiting = sleeper.value({ signal: controller.signal });
    controller.abort(new Error('enough'));
    expect(((await waiting.catch((e: unknown) => e)) as Error).message).to.equal('enough');
    sleeper.resume('now');
    expect(await sleeper.value({ timeout: 1000 })).to.equal('now');
  });

  it('Supervisor.finish/stop take a timeout (false when it passes) and a signal; await using stops it', async () => {
    const { Supervisor } = await import('../actors/Supervisor.js');
    const sup = await Supervisor.start([{ id: 'idle', start: async (c: Coro<string>) => void (await c.receive()) }], { scheduler: sched });
    expect(await sup.finish({ timeout: 5 })).to.equal(false);
    const controller = new AbortController();
    const waiting = sup.finish({ signal: controller.signal });
    controller.abort(new Error('no more'));
    expect(((await waiting.catch((e: unknown) => e)) as Error).message).to.equal('no more');
    expect(await sup.stop({ timeout: 5000 })).to.equal(true);
    expect(sup.coro!.isAlive).to.equal(false);
    let inner: { readonly coro: Coro<any, any> | undefined } | undefined;
    {
      await using scoped = await Supervisor.start([{ id: 'idle', start: async (c: Coro<string>) => void (await c.receive()) }], { scheduler: sched });
      inner = scoped;
      expect(inner.coro!.isAlive).to.equal(true);
    }
    expect(inner!.coro!.isAlive).to.equal(false);
  });

  it('await using closes a Channel and terminates a Scheduler', async () => {
    let channel: Channel<number> | undefined;
    let scoped: Scheduler | undefined;
    let parked: Coro<unknown> | undefined;
    {
      await using ch = new Channel<number>('scoped', { scheduler: sched });
      await using s = new Scheduler();
      channel = ch;
      scoped = s;
      parked = s.spawn(async (c) => void (await c.suspend()));
    }
    expect(channel.closed).to.equal(true);
    expect(scoped.isRunning).to.equal(false);
    expect(parked.isAlive).to.equal(false);
  });

  it('WorkerPool.close({ timeout }) resolves false and stops the workers when tasks outlast it', async () => {
    const { WorkerPool } = await import('../transports/io/WorkerPool.js');
    const { PoolClosedError } = await import('../transports/io/ioErrors.js');
    const pool = new WorkerPool({ size: 1, scheduler: sched });
    const spin = (ms: number): number => {
      const end = Date.now() + ms;
      while (Date.now() < end);
      return ms;
    };
    const long = pool.run(spin, [5_000]).catch((e: unknown) => e);
    expect(await pool.close({ timeout: 50 })).to.equal(false);
    expect(await long).to.be.instanceOf(PoolClosedError);
    const quick = new WorkerPool({ size: 1, scheduler: sched });
    const done = quick.run((a: number) => a + 1, [1]);
    expect(await quick.close({ timeout: 10_000 })).to.equal(true);
    expect(await done).to.equal(2);
  });

  it('AsyncFile.open takes { mode, timeout, signal }: an aborted signal rejects, and the file is not left open', async () => {
    const { AsyncFile } = await import('../transports/io/AsyncFile.js');
    const { mkdtempSync, rmSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'asyncoro-open-'));
    try {
      const file = path.join(dir, 'x.txt');
      const f = await AsyncFile.open(file, 'w', { mode: 0o600, timeout: 5000, scheduler: sched });
      await f.write('hi');
      await f.close();
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      const aborted = await AsyncFile.open(file, 'r', { signal: AbortSignal.abort(new Error('cancelled')) }).catch((e: unknown) => e);
      expect((aborted as Error).message).to.equal('cancelled');
      expect(await AsyncFile.open(file, 'r', { timeout: -1 }).catch((e: unknown) => e)).to.be.instanceOf(InvalidArgumentError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
