import { expect } from 'chai';
import { ask } from '../../actors/ask.js';
import { Supervisor, type ChildSpec } from '../../actors/Supervisor.js';
import type { Address } from '../../runtime/address.js';
import type { Coro } from '../../runtime/Coro.js';
import { CoroFinishedError, InvalidArgumentError, TimeoutError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { ChildStartError, SupervisorGaveUpError, UnknownChildError } from '../../actors/actorErrors.js';
import { captureLogger, expectError, until } from '../helpers.js';

type Cmd = { cmd: string; reply?: Address<unknown> };

/** A child that answers 'ping' with its start count, and fails on 'crash' or returns on 'done'. */
const starts = new Map<string, number>();
const ends: string[] = [];
async function worker(coro: Coro<Cmd>, id: string): Promise<string> {
  starts.set(id, (starts.get(id) ?? 0) + 1);
  try {
    for (;;) {
      const { cmd, reply } = await coro.receive();
      if (cmd === 'crash') throw new Error(`${id} crashed`);
      if (cmd === 'done') return 'done';
      reply?.send(`${id}#${starts.get(id)}`);
    }
  } finally {
    ends.push(id);
  }
}

/** A child with a start handshake: calls ready() after `delay` ms, or fails first when told to. */
async function initWorker(coro: Coro<Cmd>, id: string, how: 'ok' | 'fail' | 'never' | 'return', ready: () => void): Promise<void> {
  starts.set(id, (starts.get(id) ?? 0) + 1);
  await coro.sleep(5);
  if (how === 'fail') throw new Error(`${id} could not open its database`);
  if (how === 'return') return;
  if (how === 'ok') ready();
  for (;;) await coro.receive();
}

describe('Supervisor', () => {
  let sched: Scheduler;
  let log: ReturnType<typeof captureLogger>;
  beforeEach(() => {
    log = captureLogger('info');
    sched = new Scheduler({ logger: log.logger });
    starts.clear();
    ends.length = 0;
  });
  afterEach(async () => {
    await sched.terminate();
  });

  const specs = (...ids: string[]): ChildSpec<Cmd>[] => ids.map((id) => ({ id, start: worker, args: [id] }));
  const ping = (sup: Supervisor, id: string): Promise<unknown> => ask(sup.child<Cmd>(id)!, (reply) => ({ cmd: 'ping', reply }), { timeout: 1000 });

  describe('start', () => {
    it('resolves once every child exists, in order: child(id) answers at once', async () => {
      const sup = await Supervisor.start(specs('a', 'b', 'c'), { scheduler: sched });
      expect(sup.children().map((c) => c.id)).to.deep.equal(['a', 'b', 'c']);
      expect(await Promise.all(['a', 'b', 'c'].map((id) => ping(sup, id)))).to.deep.equal(['a#1', 'b#1', 'c#1']);
      await sup.stop();
    });

    it('with ready: true, resolves only once the child called ready()', async () => {
      const sup = await Supervisor.start([{ id: 'db', start: initWorker, args: ['db', 'ok'], ready: true }, ...specs('after')], { scheduler: sched });
      expect(sup.child('db')!.isAlive).to.equal(true);
      expect(starts.get('after'), 'started after db was ready').to.equal(1);
      await sup.stop();
    });

    it('rejects with the first child\'s ChildStartError (its error as cause) and stops those already started', async () => {
      const err = await expectError(
        () => Supervisor.start([...specs('a'), { id: 'db', start: initWorker, args: ['db', 'fail'], ready: true }, ...specs('never')], { scheduler: sched }),
        ChildStartError,
      );
      expect(err.childId).to.equal('db');
      expect((err.cause as Error).message).to.equal('db could not open its database');
      expect(ends).to.deep.equal(['a']);
      expect(starts.has('never')).to.equal(false);
      await until(() => sched.stats.live === 0);
      expect(sched.stats.deadLetters).to.equal(0);
    });

    it('a child that returns before ready(), or never calls it within readyTimeout, does not start', async () => {
      const ended = await expectError(() => Supervisor.start([{ id: 'r', start: initWorker, args: ['r', 'return'], ready: true }], { scheduler: sched }), ChildStartError);
      expect(ended.message).to.match(/ended before it was ready/);
      const slow = await expectError(() => Supervisor.start([{ id: 's', start: initWorker, args: ['s', 'never'], ready: true, readyTimeout: 30 }], { scheduler: sched }), ChildStartError);
      expect(slow.cause).to.be.instanceOf(TimeoutError);
      await until(() => sched.stats.live === 0);
    });

    it('rejects bad specs and options with InvalidArgumentError and starts nothing', async () => {
      const bad: unknown[] = [
        [[{ id: 'a', start: worker }, { id: 'a', start: worker }]],
        [[{ id: '', start: worker }]],
        [[{ id: 'a', start: 5 }]],
        [[{ id: 'a', start: worker, restart: 'sometimes' }]],
        [[{ id: 'a', start: worker, args: 'x' }]],
        [[{ id: 'a', start: worker, readyTimeout: -1 }]],
        [[null]],
        [specs('a'), { strategy: 'all-for-none' }],
        [specs('a'), { maxRestarts: -1 }],
        [specs('a'), { withinMs: 0 }],
        [specs('a'), { backoff: { initialMs: -5, maxMs: 10 } }],
        [specs('a'), { backoff: { initialMs: 5, maxMs: 10, resetAfterMs: -1 } }],
        ['not an array'],
      ];
      for (const args of bad) {
        await expectError(() => (Supervisor.start as (...a: unknown[]) => Promise<unknown>)(...(args as unknown[])), InvalidArgumentError);
      }
      expect(sched.stats.spawned).to.equal(0);
    });
  });

  describe('restarts', () => {
    it('one-for-one restarts only the child that failed; the new incarnation serves', async () => {
      const sup = await Supervisor.start(specs('a', 'b'), { scheduler: sched });
      const firstA = sup.child('a')!;
      const b = sup.child('b')!;
      firstA.send({ cmd: 'crash' });
      await until(() => sup.child('a') !== undefined && sup.child('a') !== firstA);
      expect(sup.child('b')).to.equal(b);
      expect(sup.restarts).to.equal(1);
      expect(await ping(sup, 'a')).to.equal('a#2');
      expect(log.lines.filter((l) => l.msg === 'supervised child failed').map((l) => l.child)).to.deep.equal(['a']);
      await sup.stop();
      expect(b.isAlive).to.equal(false);
    });

    it('restart policies: transient restarts only after a failure, temporary never (and is forgotten)', async () => {
      const sup = await Supervisor.start([
        { id: 't', start: worker, args: ['t'], restart: 'transient' },
        { id: 'tmp', start: worker, args: ['tmp'], restart: 'temporary' },
      ], { scheduler: sched });
      sup.child('t')!.send({ cmd: 'done' });
      sup.child('tmp')!.send({ cmd: 'crash' });
      await until(() => sup.children().length === 0);
      await expectError(() => sup.terminateChild('tmp'), UnknownChildError);
      expect(await sup.terminateChild('t'), 't is known, not running').to.equal(false);
      expect(sup.restarts).to.equal(0);
      expect(starts.get('t')).to.equal(1);
      expect(starts.get('tmp')).to.equal(1);
      await sup.stop();
    });

    it('one-for-all restarts every child; rest-for-one those started after the failed one', async () => {
      const all = await Supervisor.start(specs('a', 'b', 'c'), { scheduler: sched, strategy: 'one-for-all' });
      all.child('b')!.send({ cmd: 'crash' });
      await until(() => starts.get('a') === 2 && starts.get('b') === 2 && starts.get('c') === 2);
      expect(ends, 'the others stopped last started first').to.deep.equal(['b', 'c', 'a']);
      await all.stop();
      starts.clear();
      const rest = await Supervisor.start(specs('a', 'b', 'c'), { scheduler: sched, strategy: 'rest-for-one' });
      rest.child('b')!.send({ cmd: 'crash' });
      await until(() => starts.get('b') === 2 && starts.get('c') === 2);
      expect(starts.get('a')).to.equal(1);
      await rest.stop();
    });

    it('gives up past the restart intensity: children terminated, finish() rejects with SupervisorGaveUpError', async () => {
      const sup = await Supervisor.start(specs('flaky', 'steady'), { scheduler: sched, maxRestarts: 2, withinMs: 5000 });
      const steady = sup.child('steady')!;
      for (let i = 0; i < 3; i++) {
        await until(() => sup.child('flaky') !== undefined || !sup.coro!.isAlive);
        const current = sup.child('flaky')!;
        current.send({ cmd: 'crash' });
        await until(() => sup.child('flaky') !== current);
      }
      const err = await sup.finish().catch((e) => e);
      expect(SupervisorGaveUpError.is(err)).to.equal(true);
      expect(steady.isAlive).to.equal(false);
      expect(sup.coro!.isAlive).to.equal(false);
      await expectError(() => sup.startChild(specs('late')[0]!), CoroFinishedError);
    });

    it('a restart whose start fails counts as another failure, up to giving up', async () => {
      let attempt = 0;
      const flaky = async (coro: Coro<Cmd>, ready: () => void): Promise<void> => {
        if (attempt++ > 0) throw new Error('cannot come back');
        ready();
        await coro.receive();
        throw new Error('first crash');
      };
      const sup = await Supervisor.start([{ id: 'f', start: flaky, ready: true }], { scheduler: sched, maxRestarts: 3, withinMs: 5000 });
      sup.child('f')!.send({ cmd: 'crash' });
      expect(SupervisorGaveUpError.is(await sup.finish().catch((e) => e))).to.equal(true);
      expect(attempt).to.equal(4);
      expect(log.lines.filter((l) => l.msg === 'supervised child did not restart')).to.have.length(3);
    });

    it('waits the backoff delay before a restart, serving commands and stop() meanwhile', async () => {
      const sup = await Supervisor.start(specs('slow'), { scheduler: sched, backoff: { initialMs: 300, maxMs: 1000 } });
      const first = sup.child('slow')!;
      const crashedAt = performance.now();
      first.send({ cmd: 'crash' });
      await until(() => !first.isAlive);
      const added = await sup.startChild(specs('other')[0]!); // not held up by the pending restart
      expect(added.isAlive).to.equal(true);
      expect(sup.child('slow')).to.equal(undefined);
      await until(() => sup.child('slow') !== undefined, 5000);
      expect(performance.now() - crashedAt).to.be.at.least(290);
      sup.child('slow')!.send({ cmd: 'crash' });
      await until(() => sup.child('slow') === undefined);
      const t0 = performance.now();
      expect(await sup.stop({ timeout: 5000 })).to.equal(true);
      expect(performance.now() - t0, 'stop does not wait for the pending restart').to.be.below(500);
      expect(starts.get('slow')).to.equal(2);
    });
    it('the backoff grows with a child\'s failures soon after its start, and starts over once it ran resetAfterMs', async () => {
      const restartGaps = async (backoff: { initialMs: number; maxMs: number; factor: number; resetAfterMs: number }, runFor: number): Promise<number[]> => {
        const sup = await Supervisor.start(specs('w'), { scheduler: sched, maxRestarts: 10, backoff });
        const gaps: number[] = [];
        for (let k = 0; k < 3; k++) {
          const child = sup.child('w')!;
          if (runFor > 0) await sched.spawn(async (c) => c.sleep(runFor)).finish();
          child.send({ cmd: 'crash' });
          await until(() => !child.isAlive);
          const crashed = performance.now();
          await until(() => sup.child('w') !== undefined, 10_000);
          gaps.push(performance.now() - crashed);
        }
        await sup.stop();
        return gaps;
      };
      // Crashing at once: 40, 400, 4000 ms would follow; the third is capped at maxMs.
      const quick = await restartGaps({ initialMs: 40, maxMs: 1000, factor: 10, resetAfterMs: 60_000 }, 0);
      expect(quick[0]).to.be.at.least(35);
      expect(quick[1]).to.be.at.least(390);
      expect(quick[2]).to.be.at.least(990);
      // Running 150 ms before each crash, longer than resetAfterMs: every restart waits initialMs only
      // (the grown delays would be 400 and 1000 ms).
      starts.clear();
      const stable = await restartGaps({ initialMs: 40, maxMs: 1000, factor: 10, resetAfterMs: 100 }, 150);
      expect(stable[0]).to.be.at.least(35);
      expect(stable[1] + stable[2], 'no growth').to.be.below(1400);
    });
  });

  describe('children added and removed at run time', () => {
    it('startChild, terminateChild, restartChild and deleteChild', async () => {
      const sup = await Supervisor.start([], { scheduler: sched });
      const w = await sup.startChild({ id: 'w', start: worker, args: ['w'] });
      expect(sup.child('w')).to.equal(w);
      expect(await ping(sup, 'w')).to.equal('w#1');
      expect(await sup.terminateChild('w')).to.equal(true);
      expect(w.isAlive).to.equal(false);
      expect(sup.child('w')).to.equal(undefined);
      const again = await sup.restartChild('w');
      expect(again).to.not.equal(w);
      expect(await ping(sup, 'w')).to.equal('w#2');
      const third = await sup.restartChild('w'); // a running child is stopped first
      expect(again.isAlive).to.equal(false);
      expect(third.isAlive).to.equal(true);
      expect(sup.restarts, 'explicit restarts do not count').to.equal(0);
      expect(await sup.deleteChild('w')).to.equal(true);
      expect(third.isAlive).to.equal(false);
      await expectError(() => sup.restartChild('w'), UnknownChildError);
      await sup.stop();
      expect(sched.stats.deadLetters).to.equal(0);
    });

    it('dynamic children are supervised like the others: restarted, and counted against the intensity', async () => {
      const sup = await Supervisor.start(specs('static'), { scheduler: sched, maxRestarts: 1, withinMs: 5000 });
      const d = await sup.startChild({ id: 'd', start: worker, args: ['d'], restart: 'transient' });
      d.send({ cmd: 'crash' });
      await until(() => sup.child('d') !== undefined && sup.child('d') !== d);
      sup.child('d')!.send({ cmd: 'crash' });
      expect(SupervisorGaveUpError.is(await sup.finish().catch((e) => e))).to.equal(true);
    });

    it('a child that does not start is not added; bad input is refused and changes nothing', async () => {
      const sup = await Supervisor.start(specs('a'), { scheduler: sched });
      const err = await expectError(() => sup.startChild({ id: 'db', start: initWorker, args: ['db', 'fail'], ready: true }), ChildStartError);
      expect((err.cause as Error).message).to.match(/could not open/);
      await expectError(() => sup.terminateChild('db'), UnknownChildError);
      await expectError(() => sup.startChild({ id: 'a', start: worker, args: ['a'] }), InvalidArgumentError); // taken
      await expectError(() => sup.startChild({ id: 'x', start: 'nope' } as never), InvalidArgumentError);
      await expectError(() => sup.terminateChild(42 as never), InvalidArgumentError);
      await expectError(() => sup.deleteChild('nobody'), UnknownChildError);
      await expectError(() => sup.startChild(specs('t')[0]!, { timeout: -1 }), InvalidArgumentError);
      expect(sup.children().map((c) => c.id)).to.deep.equal(['a']);
      expect(await ping(sup, 'a')).to.equal('a#1');
      await sup.stop();
    });

    it('a supervisor per computation under a node supervisor: started, grown and stopped dynamically', async () => {
      const node = await Supervisor.start([], { scheduler: sched, name: 'node' });
      const computation = new Supervisor([], { maxRestarts: 20, withinMs: 60_000, backoff: { initialMs: 5, maxMs: 100 } });
      const spec = computation.childSpec('computation-7', { restart: 'temporary' });
      const compCoro = await node.startChild(spec);
      expect(computation.coro).to.equal(compCoro);
      const s1 = await computation.startChild({ id: 'server-1', start: initWorker, args: ['server-1', 'ok'], ready: true, restart: 'transient' });
      await computation.startChild({ id: 'server-2', start: worker, args: ['server-2'], restart: 'transient' });
      s1.terminate(); // a server process lost: restarted transiently? no: terminated is not a failure
      await until(() => !s1.isAlive);
      computation.child('server-2')!.send({ cmd: 'crash' });
      await until(() => starts.get('server-2') === 2);
      expect(await node.terminateChild('computation-7')).to.equal(true); // the computation closes
      expect(computation.coro!.isAlive).to.equal(false);
      expect(computation.children()).to.deep.equal([]);
      expect(ends).to.include('server-2');
      await expectError(() => node.restartChild('computation-7'), UnknownChildError); // temporary: forgotten
      await node.stop();
      expect(sched.stats.deadLetters).to.equal(0);
    });

    it('a nested supervisor that gives up fails as a child: its parent restarts it with its initial children', async () => {
      const inner = new Supervisor(specs('leaf'), { maxRestarts: 0, withinMs: 5000 });
      const outer = await Supervisor.start([inner.childSpec('inner')], { scheduler: sched, maxRestarts: 5, withinMs: 5000 });
      const first = inner.coro!;
      inner.child('leaf')!.send({ cmd: 'crash' });
      await until(() => inner.coro !== first && inner.child('leaf') !== undefined);
      expect(outer.restarts).to.equal(1);
      expect(starts.get('leaf')).to.equal(2);
      expect(log.lines.some((l) => l.msg === 'supervised child failed' && l.child === 'inner')).to.equal(true);
      await outer.stop();
      expect(inner.coro!.isAlive).to.equal(false);
    });
  });

  describe('stop', () => {
    it('a nested supervisor stopped by its parent waits for its children to end first (their cleanup included)', async () => {
      let cleaned = false;
      const slowCleanup = async (coro: Coro<Cmd>): Promise<void> => {
        try {
          for (;;) await coro.receive();
        } finally {
          // Cleanup after termination cannot wait as the coroutine: it waits on its own (a process exit, a file).
          await new Promise((r) => setTimeout(r, 50));
          cleaned = true;
        }
      };
      const inner = new Supervisor([{ id: 'owner', start: slowCleanup }], { name: 'inner' });
      const outer = await Supervisor.start([inner.childSpec('inner')], { scheduler: sched, name: 'outer' });
      expect(await outer.stop()).to.equal(true);
      expect(cleaned).to.equal(true);
      expect(inner.coro!.isAlive).to.equal(false);
    });

    it('terminates the children last started first, waits for them, and reports no dead letters or crashes', async () => {
      const sup = await Supervisor.start(specs('a', 'b', 'c'), { scheduler: sched });
      expect(await sup.stop()).to.equal(true);
      expect(ends).to.deep.equal(['c', 'b', 'a']);
      expect(sched.stats.deadLetters).to.equal(0);
      expect(log.lines.filter((l) => l.level >= 40), JSON.stringify(log.lines)).to.deep.equal([]);
      expect(await sup.stop(), 'idempotent').to.equal(true);
    });

    it('a command pending when the supervisor stops fails with CoroFinishedError', async () => {
      const sup = await Supervisor.start([], { scheduler: sched });
      const pending = sup.startChild({ id: 'slow', start: initWorker, args: ['slow', 'never'], ready: true, readyTimeout: 60_000 });
      await until(() => starts.get('slow') === 1);
      await sup.stop();
      await expectError(() => pending, CoroFinishedError);
      expect(sched.stats.live).to.equal(0);
    });
  });
});
