import { expect } from 'chai';
import { ask } from '../../actors/ask.js';
import { Pool } from '../../actors/Pool.js';
import { SupervisorGaveUpError } from '../../actors/actorErrors.js';
import type { Address } from '../../runtime/address.js';
import type { Coro } from '../../runtime/Coro.js';
import { CoroFinishedError, InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { captureLogger, expectError, until } from '../helpers.js';

type Job = { op: 'square' | 'crash' | 'hold'; x: number; replyTo: Address<string> };

/** Squares, answering with its own name; crashes on 'crash'; 'hold' waits for a 'go' first. */
async function worker(coro: Coro<Job | 'go'>): Promise<void> {
  for (;;) {
    const job = await coro.receive({ filter: (m) => m !== 'go' });
    if (job === 'go') continue;
    if (job.op === 'crash') throw new Error(`${coro.name} crashed`);
    if (job.op === 'hold') await coro.receive({ filter: (m) => m === 'go' });
    job.replyTo.send(`${coro.name}:${job.x * job.x}`);
  }
}

describe('Pool', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler({ logger: captureLogger('warn').logger });
  });
  afterEach(async () => {
    await sched.terminate();
  });
  const square = (pool: Pool<Job | 'go'>, x: number, timeout = 5000): Promise<string> => ask(pool, (replyTo) => ({ op: 'square', x, replyTo }), { timeout });

  it('starts size workers, routes round-robin, and answers ask', async () => {
    const pool = await Pool.start(worker, { size: 3, scheduler: sched });
    expect(pool.size).to.equal(3);
    expect(pool.workers().map(String).map((s) => s.split('/')[0])).to.deep.equal(['worker-0', 'worker-1', 'worker-2']);
    const answers = [];
    for (let x = 1; x <= 6; x++) answers.push(await square(pool, x));
    expect(answers).to.deep.equal(['worker-0:1', 'worker-1:4', 'worker-2:9', 'worker-0:16', 'worker-1:25', 'worker-2:36']);
    await pool.stop();
    expect(sched.stats.deadLetters).to.equal(0);
    expect(sched.stats.live).to.equal(0);
  });

  it('shortest-mailbox routes around a worker whose mailbox is backed up', async () => {
    const pool = await Pool.start(worker, { size: 2, routing: 'shortest-mailbox', scheduler: sched, name: 'w' });
    const [w0] = pool.workers();
    const held = ask(w0!, (replyTo: Address<string>) => ({ op: 'hold', x: 0, replyTo }), { timeout: 5000 });
    for (let i = 0; i < 3; i++) w0!.send({ op: 'square', x: 100 + i, replyTo: { send: () => true } });
    const answers = await Promise.all([1, 2, 3, 4].map((x) => square(pool, x)));
    expect(answers.every((a) => a.startsWith('w-1:')), answers.join()).to.equal(true);
    w0!.send('go');
    expect(await held).to.equal('w-0:0');
    await pool.stop();
  });

  it('a worker that crashes mid-request fails that ask at once; the pool restores its size', async () => {
    const pool = await Pool.start(worker, { size: 2, scheduler: sched });
    const [w0, w1] = pool.workers();
    const crashing = ask(pool, (replyTo) => ({ op: 'crash', x: 0, replyTo }), { timeout: 600_000 }); // to w0
    const err = await expectError(() => crashing, CoroFinishedError);
    expect(err.reason).to.equal('failed');
    expect((err.cause as Error).message).to.equal('worker-0 crashed');
    await until(() => pool.workers().length === 2 && !pool.workers().includes(w0!));
    expect(pool.workers()).to.include(w1);
    expect(pool.supervisor.restarts).to.equal(1);
    expect((await Promise.all([1, 2, 3].map((x) => square(pool, x)))).length).to.equal(3);
    await pool.stop();
  });

  it('under load with crashes, every ask settles with its answer or CoroFinishedError, and the pool stays whole', async () => {
    const pool = await Pool.start(worker, { size: 4, scheduler: sched, maxRestarts: 1000, withinMs: 60_000 });
    const outcomes = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        ask(pool, (replyTo) => ({ op: i % 37 === 5 ? 'crash' : 'square', x: i, replyTo }), { timeout: 30_000 }).then(
          (answer) => ({ i, answer }),
          (error: unknown) => ({ i, error }),
        ),
      ),
    );
    const failed = outcomes.filter((o) => 'error' in o);
    expect(failed.every((o) => CoroFinishedError.is((o as { error: unknown }).error)), 'only CoroFinishedError, no timeout').to.equal(true);
    // A crash fails its own ask and those queued behind it on the same worker (some of them crash orders never run).
    const crashOrders = outcomes.filter((o) => o.i % 37 === 5);
    expect(crashOrders.every((o) => 'error' in o)).to.equal(true);
    for (const o of outcomes) if ('answer' in o) expect(o.answer.split(':')[1]).to.equal(String(o.i * o.i));
    await until(() => pool.workers().length === 4);
    const restarts = pool.supervisor.restarts;
    expect(restarts).to.be.within(1, crashOrders.length);
    expect(failed.length).to.be.at.least(restarts);
    expect(await square(pool, 9)).to.match(/:81$/);
    await pool.stop();
  });

  it('beyond its restart intensity the pool gives up: send is false, ask fails at once', async () => {
    const pool = await Pool.start(worker, { size: 1, scheduler: sched, maxRestarts: 1, withinMs: 5000 });
    for (let i = 0; i < 2; i++) {
      await until(() => pool.workers().length === 1);
      await expectError(() => ask(pool, (replyTo) => ({ op: 'crash', x: 0, replyTo })), CoroFinishedError);
    }
    expect(SupervisorGaveUpError.is(await pool.finish().catch((e: unknown) => e))).to.equal(true);
    expect(pool.send({ op: 'square', x: 1, replyTo: { send: () => true } })).to.equal(false);
    await expectError(() => square(pool, 2), CoroFinishedError);
  });

  it('bad input is InvalidArgumentError and starts nothing', async () => {
    for (const options of [{ size: 0 }, { size: -1 }, { size: 1.5 }, { size: '2' }, {}, { size: 2, routing: 'random' }, { size: 2, name: '' }, { size: 2, maxRestarts: -1 }]) {
      await expectError(() => Pool.start(worker, { ...(options as { size: number }), scheduler: sched }), InvalidArgumentError);
    }
    await expectError(() => Pool.start('worker' as never, { size: 2, scheduler: sched }), InvalidArgumentError);
    await expectError(() => Pool.start(worker, null as never), InvalidArgumentError);
    expect(sched.stats.spawned).to.equal(0);
  });
});
