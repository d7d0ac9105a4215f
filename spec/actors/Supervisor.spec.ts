import { expect } from 'chai';
import { Supervisor, type ChildSpec } from '../../actors/Supervisor.js';
import type { Coro } from '../../runtime/Coro.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { SupervisorGaveUpError } from '../../actors/actorErrors.js';
import { until } from '../helpers.js';

/** A child that answers 'ping' with its start count, and fails on 'crash' or returns on 'done'. */
const starts = new Map<string, number>();
async function worker(coro: Coro<{ cmd: string; reply?: Coro<unknown> }>, id: string): Promise<string> {
  starts.set(id, (starts.get(id) ?? 0) + 1);
  for (;;) {
    const { cmd, reply } = await coro.receive();
    if (cmd === 'crash') throw new Error(`${id} crashed`);
    if (cmd === 'done') return 'done';
    reply?.send(`${id}#${starts.get(id)}`);
  }
}

describe('Supervisor', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
    starts.clear();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  const specs = (...ids: string[]): ChildSpec[] => ids.map((id) => ({ id, start: worker, args: [id] }));

  it('one-for-one restarts only the child that failed; the new incarnation serves', async () => {
    const sup = Supervisor.start(specs('a', 'b'), { scheduler: sched });
    await until(() => sup.children().length === 2);
    const firstA = sup.child('a')!;
    const b = sup.child('b')!;
    firstA.send({ cmd: 'crash' });
    await until(() => sup.child('a') !== undefined && sup.child('a') !== firstA);
    expect(sup.child('b')).to.equal(b);
    expect(sup.restarts).to.equal(1);
    const reply = await sched.spawn(async (coro: Coro<unknown>) => {
      sup.child('a')!.send({ cmd: 'ping', reply: coro });
      return coro.receive({ timeout: 1000 });
    }).value();
    expect(reply).to.equal('a#2');
    await sup.stop();
    expect(b.isAlive).to.equal(false);
  });

  it('restart policies: transient restarts only after a failure, temporary never', async () => {
    const sup = Supervisor.start([
      { id: 't', start: worker, args: ['t'], restart: 'transient' },
      { id: 'tmp', start: worker, args: ['tmp'], restart: 'temporary' },
    ], { scheduler: sched });
    await until(() => sup.children().length === 2);
    sup.child('t')!.send({ cmd: 'done' });
    sup.child('tmp')!.send({ cmd: 'crash' });
    // A restart would start the child in the same step that forgot it: no child ever means none restarted.
    await until(() => sup.children().length === 0);
    await sup.stop();
    expect(sup.restarts).to.equal(0);
    expect(starts.get('t')).to.equal(1);
    expect(starts.get('tmp')).to.equal(1);
  });

  it('one-for-all restarts every child; rest-for-one those started after the failed one', async () => {
    const all = Supervisor.start(specs('a', 'b', 'c'), { scheduler: sched, strategy: 'one-for-all' });
    await until(() => all.children().length === 3);
    all.child('b')!.send({ cmd: 'crash' });
    await until(() => starts.get('a') === 2 && starts.get('b') === 2 && starts.get('c') === 2);
    await all.stop();
    starts.clear();
    const rest = Supervisor.start(specs('a', 'b', 'c'), { scheduler: sched, strategy: 'rest-for-one' });
    await until(() => rest.children().length === 3);
    rest.child('b')!.send({ cmd: 'crash' });
    await until(() => starts.get('b') === 2 && starts.get('c') === 2);
    expect(starts.get('a')).to.equal(1);
    await rest.stop();
  });

  it('gives up past the restart intensity: children terminated, finish() rejects with SupervisorGaveUpError', async () => {
    const sup = Supervisor.start(specs('flaky', 'steady'), { scheduler: sched, maxRestarts: 2, withinMs: 5000 });
    const steady = await (async () => {
      await until(() => sup.children().length === 2);
      return sup.child('steady')!;
    })();
    for (let i = 0; i < 3; i++) {
      await until(() => sup.child('flaky') !== undefined);
      const current = sup.child('flaky')!;
      current.send({ cmd: 'crash' });
      await until(() => sup.child('flaky') !== current);
    }
    const err = await sup.finish().catch((e) => e);
    expect(SupervisorGaveUpError.is(err)).to.equal(true);
    expect(steady.isAlive).to.equal(false);
    expect(sup.coro.isAlive).to.equal(false);
  });

  it('waits the backoff delay before a restart', async () => {
    const sup = Supervisor.start(specs('slow'), { scheduler: sched, backoff: { initialMs: 60, maxMs: 1000 } });
    await until(() => sup.child('slow') !== undefined);
    const first = sup.child('slow')!;
    const crashedAt = Date.now();
    first.send({ cmd: 'crash' });
    await until(() => sup.child('slow') !== undefined && sup.child('slow') !== first);
    expect(Date.now() - crashedAt).to.be.at.least(50);
    await sup.stop();
  });

  it('rejects bad specs and options with InvalidArgumentError', () => {
    const bad: unknown[] = [
      [[{ id: 'a', start: worker }, { id: 'a', start: worker }]],
      [[{ id: '', start: worker }]],
      [[{ id: 'a', start: 5 }]],
      [[{ id: 'a', start: worker, restart: 'sometimes' }]],
      [[{ id: 'a', start: worker, args: 'x' }]],
      [specs('a'), { strategy: 'all-for-none' }],
      [specs('a'), { maxRestarts: -1 }],
      [specs('a'), { withinMs: 0 }],
      ['not an array'],
    ];
    for (const args of bad) {
      expect(() => (Supervisor.start as (...a: unknown[]) => unknown)(...(args as unknown[])), JSON.stringify(args)).to.throw(InvalidArgumentError);
    }
    expect(sched.stats.live).to.equal(0);
  });
});
