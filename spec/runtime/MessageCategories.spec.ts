import { expect } from 'chai';
import type { Coro } from '../../runtime/Coro.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { MessageCategories } from '../../runtime/MessageCategories.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { until } from '../helpers.js';

describe('MessageCategories', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  const parity = (m: unknown): string | undefined => (typeof m === 'number' ? (m % 2 === 0 ? 'even' : 'odd') : undefined);

  it('receives the oldest message of a category; without a category, the oldest uncategorized one', async () => {
    const c = sched.spawn(async (coro: Coro<unknown>) => {
      const cats = new MessageCategories(coro);
      cats.add(parity);
      const even = await cats.receive({ category: 'even' });
      const plain = await cats.receive();
      const odd = [await cats.receive({ category: 'odd' }), await cats.receive({ category: 'odd' })];
      const none = await cats.receive({ category: 'even', timeout: 0, alarm: 'no even' });
      return [even, plain, odd, none, coro.pending];
    });
    for (const m of [1, 'text', 3, 4, 'more']) c.send(m);
    expect(await c.value()).to.deep.equal([4, 'text', [1, 3], 'no even', 1]);
  });

  it('asks the most recently added categorizer first; remove() uncategorizes its messages', async () => {
    const c = sched.spawn(async (coro: Coro<unknown>) => {
      const cats = new MessageCategories(coro);
      const special = (m: unknown): string | undefined => (m === 2 ? 'special' : undefined);
      cats.add(parity);
      cats.add(special);
      const categories = [cats.categorize(2), cats.categorize(4), cats.categorize('x')];
      const removed = [cats.remove(special), cats.remove(special)];
      return [categories, removed, cats.categorize(2)];
    });
    expect(await c.value()).to.deep.equal([['special', 'even', undefined], [true, false], 'even']);
  });

  it('waits for a message of the category, with timeout (alarm) and cancellation', async () => {
    const ac = new AbortController();
    let phase = 0;
    const c = sched.spawn(async (coro: Coro<unknown>) => {
      const cats = new MessageCategories(coro);
      cats.add(parity);
      const timedOut = await cats.receive({ category: 'odd', timeout: 2, alarm: 'late' });
      phase = 1;
      const aborted = await cats.receive({ category: 'odd', signal: ac.signal }).catch((e: Error) => e.message);
      phase = 2;
      const got = await cats.receive({ category: 'odd', timeout: 5000 });
      return [timedOut, aborted, got];
    });
    c.send(2);
    await until(() => phase === 1);
    ac.abort(new Error('cancelled'));
    await until(() => phase === 2);
    c.send(5);
    expect(await c.value()).to.deep.equal(['late', 'cancelled', 5]);
  });

  it('bad input throws InvalidArgumentError', async () => {
    const c = sched.spawn(async (coro: Coro<unknown>) => {
      const cats = new MessageCategories(coro);
      const errs = [];
      errs.push(await (async () => cats.add('x' as any))().catch((e) => e));
      errs.push(await (async () => cats.receive('opts' as any))().catch((e) => e));
      errs.push(await (async () => cats.receive({ timeout: -1 }))().catch((e) => e));
      return errs;
    });
    for (const e of (await c.value()) as unknown[]) expect(e).to.be.instanceOf(InvalidArgumentError);
  });
});
