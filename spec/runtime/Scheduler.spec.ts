import { execFile, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Coro } from '../../runtime/Coro.js';
import { CoroTerminatedError, InvalidArgumentError, SchedulerStoppedError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { captureLogger, expectError, turn, until } from '../helpers.js';

const fixture = fileURLToPath(new URL('../fixtures/runtimeProcess.js', import.meta.url));

describe('Scheduler', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  describe('default scheduler', () => {
    it('is created lazily, shared, and re-created after it stops', async () => {
      const a = Scheduler.default();
      expect(Scheduler.default()).to.equal(a);
      expect(a.isRunning).to.equal(true);
      await a.terminate();
      expect(a.isRunning).to.equal(false);
      const b = Scheduler.default();
      expect(b).to.not.equal(a);
      expect(b.isRunning).to.equal(true);
      expect(await b.spawn(async () => 'on the new one').value()).to.equal('on the new one');
      await b.terminate();
    });

    it('does not pile up beforeExit listeners when re-created many times', async () => {
      const before = process.listenerCount('beforeExit');
      for (let i = 0; i < 20; i++) await Scheduler.default().terminate();
      expect(process.listenerCount('beforeExit')).to.be.at.most(before + 1);
    });

    it('setDefault replaces it', async () => {
      const mine = new Scheduler();
      Scheduler.setDefault(mine);
      expect(Scheduler.default()).to.equal(mine);
      await mine.terminate();
      expect(Scheduler.default()).to.not.equal(mine);
      await Scheduler.default().terminate();
    });
  });

  describe('process lifetime (child processes)', () => {
    const children: ChildProcess[] = [];
    after(() => {
      for (const c of children) if (c.exitCode === null && c.pid !== undefined) process.kill(c.pid);
    });

    function run(mode: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
      return new Promise((resolve) => {
        const child = execFile(process.execPath, [fixture, mode], { timeout: 15_000 }, (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
        });
        children.push(child);
      });
    }

    it('keeps the process alive while a non-daemon coroutine lives', async () => {
      const { code, stdout, stderr } = await run('sleeper');
      expect(stderr).to.equal('');
      expect(code).to.equal(0);
      expect(stdout.split('\n')).to.deep.equal(['main end', 'done', '']);
    });

    it('lets the process exit at once when only daemons remain', async () => {
      const { code, stdout } = await run('daemon');
      expect(code).to.equal(0);
      expect(stdout).to.equal('main end\n');
    });

    it('runs the exit hooks (highest priority first) and terminates daemons when a script falls off its end', async () => {
      const { code, stdout, stderr } = await run('atexit');
      expect(stderr).to.equal('');
      expect(code).to.equal(0);
      expect(stdout.split('\n')).to.deep.equal(['main end', 'worker done', 'hook high', 'hook low', 'daemon CoroTerminatedError', '']);
    });
  });

  describe('lifecycle', () => {
    it('finish() waits for non-daemons, runs exit hooks by priority, terminates daemons and stops', async () => {
      const order: string[] = [];
      const daemon = sched.spawnWith({ daemon: true }, async (coro) => coro.receive());
      const worker = sched.spawn(async (coro) => {
        await coro.sleep(5);
        order.push('worker');
      });
      sched.atExit(() => void order.push('p0'));
      sched.atExit(async () => {
        await new Promise((r) => setTimeout(r, 1));
        order.push('p5');
      }, 5);
      sched.atExit(() => void order.push('p-1'), -1);
      const drop = sched.atExit(() => void order.push('dropped'), 3);
      drop();
      await sched.finish();
      expect(order).to.deep.equal(['worker', 'p5', 'p0', 'p-1']);
      expect(worker.isAlive).to.equal(false);
      await expectError(() => daemon.finish(), CoroTerminatedError);
      expect(sched.isRunning).to.equal(false);
      expect(sched.stats.live).to.equal(0);
    });

    it('a failing exit hook is logged and the others still run', async () => {
      const { logger, lines } = captureLogger('error');
      const s = new Scheduler({ logger });
      const ran: string[] = [];
      s.atExit(() => {
        throw new Error('hook broke');
      }, 2);
      s.atExit(() => void ran.push('second'), 1);
      await s.finish();
      expect(ran).to.deep.equal(['second']);
      expect(lines.some((l) => l.msg === 'exit hook failed' && l.err.message === 'hook broke')).to.equal(true);
    });

    it('terminate() stops without waiting for non-daemons; exit hooks still run once', async () => {
      let hooks = 0;
      sched.atExit(() => void hooks++);
      const c = sched.spawn(async (coro) => coro.receive());
      await sched.terminate();
      await sched.terminate();
      expect(sched.isRunning).to.equal(false);
      expect(hooks).to.equal(1);
      await expectError(() => c.finish(), CoroTerminatedError);
    });

    it('terminate() during finish(): both settle, hooks run once', async () => {
      let hooks = 0;
      sched.atExit(() => void hooks++);
      const c = sched.spawn(async (coro) => coro.receive());
      const f = sched.finish();
      await turn();
      const t = sched.terminate();
      await Promise.all([f, t]);
      expect(hooks).to.equal(1);
      expect(c.isAlive).to.equal(false);
      expect(sched.isRunning).to.equal(false);
    });

    it('spawning after the scheduler stopped throws SchedulerStoppedError (daemons too)', async () => {
      await sched.terminate();
      await expectError(() => sched.spawn(async () => {}), SchedulerStoppedError);
      await expectError(() => sched.spawnWith({ daemon: true }, async () => {}), SchedulerStoppedError);
      expect(sched.stats.spawned).to.equal(0);
    });

    it('join returns false on timeout and true once only daemons remain', async () => {
      expect(await sched.join()).to.equal(true);
      sched.spawnWith({ daemon: true }, async (coro) => coro.receive());
      const c = sched.spawn(async (coro) => coro.receive());
      expect(await sched.join({ timeout: 5 })).to.equal(false);
      expect(sched.timers.size).to.equal(0);
      const j = sched.join({ timeout: 10_000 });
      c.send('bye');
      expect(await j).to.equal(true);
      expect(sched.stats).to.deep.include({ live: 1, daemons: 1, spawned: 2 });
    });

    it('join rejects with the abort reason when cancelled, and validates its options', async () => {
      sched.spawn(async (coro) => coro.receive());
      const ac = new AbortController();
      const j = sched.join({ signal: ac.signal });
      ac.abort(new Error('enough'));
      expect((await j.catch((e) => e)).message).to.equal('enough');
      await expectError(() => sched.join({ timeout: -1 }), InvalidArgumentError);
      await expectError(() => sched.join('soon' as any), InvalidArgumentError);
      expect(await sched.join({ timeout: 0 })).to.equal(false);
    });

    it('rejects bad options and bad exit hooks with InvalidArgumentError', async () => {
      for (const fairnessBudget of [0, -1, 1.5, NaN, '10']) {
        await expectError(() => new Scheduler({ fairnessBudget: fairnessBudget as any }), InvalidArgumentError);
      }
      await expectError(() => new Scheduler('fast' as any), InvalidArgumentError);
      await expectError(() => sched.atExit('nope' as any), InvalidArgumentError);
      await expectError(() => sched.atExit(() => {}, NaN), InvalidArgumentError);
      await expectError(() => sched.locateCoro('', { timeout: 0 }), InvalidArgumentError);
      await expectError(() => sched.locateCoro('x', { timeout: -2 }), InvalidArgumentError);
    });
  });

  describe('timers', () => {
    it('every deadline is one entry of the shared heap, removed when satisfied or cancelled', async () => {
      const cs: Coro<any, any>[] = [];
      for (let i = 0; i < 10; i++) cs.push(sched.spawn(async (coro) => coro.receive({ timeout: 60_000, alarm: 'late' })));
      await turn();
      expect(sched.timers.size).to.equal(10);
      for (let i = 0; i < 4; i++) cs[i].send(i);
      expect(sched.timers.size).to.equal(6);
      for (let i = 4; i < 7; i++) cs[i].terminate();
      expect(sched.timers.size).to.equal(3);
      for (let i = 7; i < 10; i++) cs[i].throw(new Error('x'));
      expect(sched.timers.size).to.equal(0);
      expect(await cs[0].value()).to.equal(0);
    });
  });

  describe('fairness', () => {
    /** Runs `step` in a coroutine until `stop()` or `max` iterations; returns the count. */
    function busy(s: Scheduler, step: (coro: Coro<any, any>) => Promise<unknown>, stop: () => boolean, max = 1_000_000): Coro<any, number> {
      return s.spawn(async (coro) => {
        let n = 0;
        while (!stop() && n < max) {
          await step(coro);
          n++;
        }
        return n;
      });
    }

    it('a loop on sleep(0) does not starve setTimeout and setImmediate callbacks', async () => {
      let timeoutRan = false;
      let immediateRan = false;
      const c = busy(sched, (coro) => coro.sleep(0), () => timeoutRan && immediateRan);
      setTimeout(() => (timeoutRan = true), 1);
      setImmediate(() => (immediateRan = true));
      const n = await c.value();
      expect(timeoutRan && immediateRan).to.equal(true);
      expect(n).to.be.below(1_000_000);
    });

    it('a receive loop on an always-full mailbox does not starve a socket callback', async () => {
      let accepted = false;
      const server = net.createServer(() => (accepted = true));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      client.on('error', () => undefined);
      try {
        const c = busy(sched, async (coro) => {
          coro.send('again');
          return coro.receive();
        }, () => accepted, 5_000_000);
        c.send('start');
        const n = await c.value();
        expect(accepted).to.equal(true);
        expect(n).to.be.below(5_000_000);
      } finally {
        client.destroy();
        await new Promise((r) => server.close(r));
      }
    });

    it('ping-pong between two coroutines does not starve setImmediate', async () => {
      let immediateRan = false;
      const pong = sched.spawn(async (coro: Coro<Coro<any, any>>) => {
        for (;;) (await coro.receive()).send('pong');
      });
      const ping = busy(sched, async (coro) => {
        pong.send(coro);
        return coro.receive();
      }, () => immediateRan);
      setImmediate(() => (immediateRan = true));
      expect(await ping.value()).to.be.below(1_000_000);
      pong.terminate();
    });

    it('a loop of deliver() into a roomy mailbox does not starve setImmediate', async () => {
      let immediateRan = false;
      const sink = sched.spawn(async (coro) => coro.suspend());
      const c = busy(sched, () => sink.deliver('x'), () => immediateRan, 200_000);
      setImmediate(() => (immediateRan = true));
      const n = await c.value();
      expect(immediateRan).to.equal(true);
      expect(n).to.be.below(200_000);
    });

    it('a loop of finish() on an ended coroutine does not starve setImmediate', async () => {
      let immediateRan = false;
      const done = sched.spawn(async () => 1);
      await done.finish();
      const c = busy(sched, () => done.finish(), () => immediateRan, 200_000);
      setImmediate(() => (immediateRan = true));
      expect(await c.value()).to.be.below(200_000);
    });

    it('a burst of 10,000 spawns does not starve a timer: first steps count against the budget', async () => {
      let started = 0;
      let startedWhenTimerFired = -1;
      const timer = new Promise<void>((resolve) => setTimeout(() => ((startedWhenTimerFired = started), resolve()), 0));
      await new Promise((r) => setTimeout(r, 1)); // the timer is due before the burst begins
      const coros = Array.from({ length: 10_000 }, () => sched.spawn(() => void started++));
      await timer;
      await Promise.all(coros.map((c) => c.finish()));
      expect(started).to.equal(10_000);
      expect(startedWhenTimerFired, 'the due timer fired between first steps').to.be.below(10_000);
    });

    it('a small fairness budget still runs everything to completion', async () => {
      const s = new Scheduler({ fairnessBudget: 1 });
      try {
        const c = s.spawn(async (coro) => {
          let sum = 0;
          for (let i = 0; i < 100; i++) {
            coro.send(i);
            sum += (await coro.receive()) as number;
          }
          return sum;
        });
        expect(await c.value()).to.equal(4950);
      } finally {
        await s.terminate();
      }
    });
  });

  describe('isBehind', () => {
    it('is true while continuations wait for the next turn (the fairness budget is spent), false once they caught up', async () => {
      const small = new Scheduler({ fairnessBudget: 4 });
      try {
        expect(small.isBehind).to.equal(false);
        const seen: boolean[] = [];
        const reader = small.spawn(async (coro: Coro<number>) => {
          for (let i = 0; i < 20; i++) {
            await coro.receive();
            seen.push(small.isBehind);
          }
        });
        for (let i = 0; i < 20; i++) reader.send(i); // queued: each receive is a continuation of its own
        await until(() => !reader.isAlive);
        expect(seen.includes(true), 'behind once the budget of 4 was spent').to.equal(true);
        expect(seen.includes(false), 'not behind at first').to.equal(true);
        await turn();
        await turn();
        expect(small.isBehind).to.equal(false);
      } finally {
        await small.terminate();
      }
    });
  });
});
