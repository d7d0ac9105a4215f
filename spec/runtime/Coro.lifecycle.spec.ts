import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import type { Coro } from '../../runtime/Coro.js';
import { CoroFinishedError, CoroTerminatedError, InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { deferred, expectError, turn, until } from '../helpers.js';

describe('Coro: lifecycle', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  describe('sleep, suspend, resume', () => {
    it('sleep returns the alarm value (default undefined) after the duration; sleep(0) yields', async () => {
      const c = sched.spawn(async (coro) => [await coro.sleep(2), await coro.sleep(2, { alarm: 'woke' }), await coro.sleep(0, { alarm: 'now' })]);
      expect(await c.value()).to.deep.equal([undefined, 'woke', 'now']);
      expect(sched.timers.size).to.equal(0);
    });

    it('suspend with a timeout returns the alarm; resume(update) wakes it early with the update', async () => {
      let phase = 0;
      const c = sched.spawn(async (coro) => {
        const first = await coro.suspend({ timeout: 2, alarm: 'timeout' });
        phase = 1;
        return [first, await coro.suspend({ timeout: 10_000, alarm: 'timeout' })];
      });
      await until(() => phase === 1);
      expect(sched.timers.size).to.equal(1);
      expect(c.resume('update')).to.equal(true);
      expect(c.resume('again')).to.equal(false);
      expect(await c.value()).to.deep.equal(['timeout', 'update']);
      expect(sched.timers.size).to.equal(0);
    });

    it('resume wakes a sleep too; it is ignored (false) when the coroutine is not suspended', async () => {
      const c = sched.spawn(async (coro) => {
        const m = await coro.receive();
        return [m, await coro.sleep(10_000, { alarm: 'slept' })];
      });
      await turn();
      expect(c.resume('ignored')).to.equal(false); // in receive, not suspended
      c.send('msg');
      await until(() => c.resume('early'));
      expect(await c.value()).to.deep.equal(['msg', 'early']);
    });

    it('suspend rejects with the abort reason when its signal aborts', async () => {
      const ac = new AbortController();
      const c = sched.spawn(async (coro) => coro.suspend({ signal: ac.signal }).catch((e) => `caught ${e.message}`));
      await turn();
      ac.abort(new Error('stop'));
      expect(await c.value()).to.equal('caught stop');
      const pre = sched.spawn(async (coro) => coro.sleep(10, { signal: AbortSignal.abort(new Error('pre')) }).catch((e) => e.message));
      expect(await pre.value()).to.equal('pre');
    });

    it('resume, throw and hotSwap on an ended coroutine throw CoroFinishedError', async () => {
      const c = sched.spawn(async () => 1);
      await c.finish();
      await expectError(() => c.resume(), CoroFinishedError);
      await expectError(() => c.throw(new Error('x')), CoroFinishedError);
      await expectError(() => c.hotSwap(async () => 2), CoroFinishedError);
      expect(c.terminate()).to.equal(false);
    });

    it('bad sleep/suspend input throws InvalidArgumentError', async () => {
      const c = sched.spawn(async (coro) => {
        const errs = [];
        for (const call of [
          () => coro.sleep(-1), () => coro.sleep(NaN), () => coro.sleep('10' as any), () => coro.suspend({ timeout: -3 }),
          () => coro.suspend(7 as any), () => coro.sleep(5, 'x' as any), () => coro.sleep(5, { signal: 1 as any }),
        ]) errs.push(await (async () => call())().catch((e) => e));
        return errs;
      });
      for (const e of (await c.value()) as any[]) expect(e).to.be.instanceOf(InvalidArgumentError);
    });
  });

  describe('throw()', () => {
    it('raises the error at the pending runtime call', async () => {
      const c = sched.spawn(async (coro) => coro.receive().catch((e) => `caught ${e.message}`));
      await turn();
      c.throw(new Error('poke'));
      expect(await c.value()).to.equal('caught poke');
    });

    it('raises at the next runtime call when the coroutine is in a foreign await', async () => {
      const gate = deferred();
      const c = sched.spawn(async (coro) => {
        await gate.promise;
        const r = await coro.receive({ timeout: 0 }).catch((e) => `caught ${e.message}`);
        return [r, await coro.receive({ timeout: 0, alarm: 'normal again' })];
      });
      await turn();
      c.throw(new Error('later'));
      gate.resolve();
      expect(await c.value()).to.deep.equal(['caught later', 'normal again']);
    });

    it('thrown before the coroutine started, it is raised at its first runtime call', async () => {
      const c = sched.spawn(async (coro) => {
        const before = 'ran';
        return [before, await coro.sleep(0).catch((e: Error) => e.message)];
      });
      c.throw(new Error('early'));
      expect(await c.value()).to.deep.equal(['ran', 'early']);
    });

    it('an uncaught thrown error fails the coroutine', async () => {
      const c = sched.spawn(async (coro) => coro.sleep(10_000));
      await turn();
      const err = new Error('die');
      c.throw(err);
      expect(await c.finish().catch((e) => e)).to.equal(err);
    });

    it('interrupts deliver({coro}) and finish({coro}) waits of that coroutine', async () => {
      const full = sched.spawnWith({ mailbox: { capacity: 1 } }, async (coro) => coro.suspend());
      full.send(0);
      let phase = 0;
      const c = sched.spawn(async (coro) => {
        const r1 = await full.deliver(1, { coro }).catch((e) => e.message);
        phase = 1;
        return [r1, await full.finish({ coro }).catch((e) => e.message)];
      });
      await turn();
      c.throw(new Error('a'));
      await until(() => phase === 1);
      c.throw(new Error('b'));
      expect(await c.value()).to.deep.equal(['a', 'b']);
      expect(full.pending).to.equal(1);
      expect(full.isAlive).to.equal(true);
    });

    it('throw() needs an Error instance (InvalidArgumentError) and then changes nothing', async () => {
      const c = sched.spawn(async (coro) => coro.receive());
      await turn();
      await expectError(() => c.throw('boom' as any), InvalidArgumentError);
      await expectError(() => c.throw({ message: 'x' } as any), InvalidArgumentError);
      c.send('fine');
      expect(await c.value()).to.equal('fine');
    });
  });

  describe('terminate()', () => {
    for (const [label, body] of [
      ['receive', (coro: Coro) => coro.receive()],
      ['sleep', (coro: Coro) => coro.sleep(60_000)],
      ['suspend', (coro: Coro) => coro.suspend()],
      ['deliver', (coro: Coro, other: Coro) => other.deliver('x', { coro })],
      ['finish', (coro: Coro, other: Coro) => other.finish({ coro })],
    ] as const) {
      it(`ends a coroutine blocked in ${label} as terminated, and clears its timer`, async () => {
        const other = sched.spawnWith({ mailbox: { capacity: 1 } }, async (coro) => coro.suspend());
        other.send('fill');
        let seen: unknown;
        const c = sched.spawn(async (coro) => {
          try {
            await (body as (c: Coro, o: Coro) => Promise<unknown>)(coro, other);
          } catch (err) {
            seen = err;
            throw err;
          }
        });
        await turn();
        expect(c.terminate()).to.equal(true);
        await expectError(() => c.finish(), CoroTerminatedError);
        expect(seen).to.be.instanceOf(CoroTerminatedError);
        expect(c.isAlive).to.equal(false);
        expect(sched.timers.size).to.equal(0);
        expect(other.isAlive).to.equal(true);
        expect(other.pending).to.equal(1);
      });
    }

    it('while running takes effect at the next runtime call', async () => {
      const steps: string[] = [];
      const c = sched.spawn(async (coro) => {
        coro.terminate(); // e.g. terminated by something it called
        steps.push('still running');
        await coro.sleep(0);
        steps.push('never');
      });
      await expectError(() => c.finish(), CoroTerminatedError);
      expect(steps).to.deep.equal(['still running']);
    });

    it('before the coroutine started: its function never runs', async () => {
      let ran = false;
      const c = sched.spawn(async () => {
        ran = true;
      });
      expect(c.terminate()).to.equal(true);
      await expectError(() => c.finish(), CoroTerminatedError);
      expect(ran).to.equal(false);
      expect(sched.stats.live).to.equal(0);
    });

    it('is idempotent: true while ending, false once ended', async () => {
      const c = sched.spawn(async (coro) => coro.receive());
      await turn();
      expect(c.terminate()).to.equal(true);
      expect(c.terminate()).to.equal(true);
      await c.finish().catch(() => undefined);
      expect(c.terminate()).to.equal(false);
    });

    it('a coroutine that catches CoroTerminatedError still ends as terminated, and its next runtime call throws again', async () => {
      const seen: string[] = [];
      const c = sched.spawn(async (coro) => {
        try {
          await coro.receive();
        } catch (err) {
          seen.push((err as Error).name);
        }
        try {
          await coro.sleep(1);
          seen.push('slept');
        } catch (err) {
          seen.push((err as Error).name);
        }
        return 'normal return';
      });
      await turn();
      c.terminate();
      await expectError(() => c.finish(), CoroTerminatedError);
      expect(seen).to.deep.equal(['CoroTerminatedError', 'CoroTerminatedError']);
    });

    it('aborts coro.signal, cancelling a foreign await that honours it', async () => {
      let foreignError: any;
      const c = sched.spawn(async (coro) => {
        try {
          await delay(60_000, undefined, { signal: coro.signal });
        } catch (err) {
          foreignError = err;
          throw err;
        }
      });
      await turn();
      expect(c.signal.aborted).to.equal(false);
      c.terminate();
      expect(c.signal.aborted).to.equal(true);
      expect(c.signal.reason).to.be.instanceOf(CoroTerminatedError);
      await expectError(() => c.finish(), CoroTerminatedError);
      expect(foreignError?.name).to.equal('AbortError');
    });

    it('a foreign await that ignores the signal delays the end until it settles', async () => {
      const gate = deferred<string>();
      const c = sched.spawn(async () => gate.promise);
      await turn();
      c.terminate();
      expect(await c.finish({ timeout: 5, alarm: 'still alive' })).to.equal('still alive');
      expect(c.isAlive).to.equal(true);
      gate.resolve('value ignored');
      await expectError(() => c.finish(), CoroTerminatedError);
    });

    it('the signal of a coroutine terminated before reading it is already aborted', async () => {
      const c = sched.spawn(async (coro) => coro.receive());
      await turn();
      c.terminate();
      expect(c.signal.aborted).to.equal(true);
    });
  });

  describe('daemons', () => {
    it('spawnWith({daemon}) and setDaemon change what join waits for', async () => {
      const d = sched.spawnWith({ daemon: true }, async (coro) => coro.receive());
      expect(await sched.join({ timeout: 0 })).to.equal(true);
      const n = sched.spawn(async (coro) => coro.receive());
      expect(await sched.join({ timeout: 5 })).to.equal(false);
      const j = sched.join({ timeout: 10_000 });
      n.setDaemon();
      expect(n.daemon).to.equal(true);
      expect(await j).to.equal(true);
      expect(sched.stats.daemons).to.equal(2);
      d.setDaemon(false);
      expect(sched.stats.daemons).to.equal(1);
      expect(await sched.join({ timeout: 0 })).to.equal(false);
    });
  });
});
