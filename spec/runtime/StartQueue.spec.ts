import { expect } from 'chai';
import { StartQueue } from '../../runtime/StartQueue.js';
import { TurnBudget } from '../../runtime/TurnBudget.js';
import { turn } from '../helpers.js';

describe('StartQueue (first steps of new coroutines)', () => {
  it('starts in creation order from one microtask, after the code that queued them', async () => {
    const started: number[] = [];
    const starts = new StartQueue(new TurnBudget(10));
    for (let i = 0; i < 5; i++) starts.push({ start: () => started.push(i) });
    expect(started).to.deep.equal([]);
    await Promise.resolve();
    expect(started).to.deep.equal([0, 1, 2, 3, 4]);
    starts.push({ start: () => started.push(5) }); // a later push starts too
    await Promise.resolve();
    expect(started).to.deep.equal([0, 1, 2, 3, 4, 5]);
  });

  it('starts in slices: what a slice queued (continuations) runs before the next slice starts', async () => {
    const order: string[] = [];
    const starts = new StartQueue(new TurnBudget(60_000));
    for (let i = 0; i < 200; i++) {
      starts.push({
        start: () => {
          order.push(`start ${i}`);
          queueMicrotask(() => order.push(`went on ${i}`));
        },
      });
    }
    await turn();
    expect(order.filter((e) => e.startsWith('start')).length, 'all started, within the turn').to.equal(200);
    expect(order.indexOf('went on 0'), 'the first went on before the last started').to.be.below(order.indexOf('start 199'));
    expect(order.filter((e) => e.startsWith('start'))).to.deep.equal(Array.from({ length: 200 }, (_, i) => `start ${i}`));
  });

  it('counts first steps against the budget: the rest start on later turns, in order', async () => {
    const started: number[] = [];
    const starts = new StartQueue(new TurnBudget(Infinity, 3));
    for (let i = 0; i < 7; i++) starts.push({ start: () => started.push(i) });
    await Promise.resolve();
    expect(started).to.deep.equal([0, 1, 2]);
    await turn();
    await turn();
    await turn();
    expect(started).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
  });

  it('a turn allowed 100 continuations starts exactly 100, across slices (a slice\'s end takes none)', async () => {
    let started = 0;
    const starts = new StartQueue(new TurnBudget(Infinity, 100));
    for (let i = 0; i < 250; i++) starts.push({ start: () => void started++ });
    for (let k = 0; k < 10; k++) await Promise.resolve(); // this turn's microtasks: every slice it allows
    expect(started).to.equal(100);
    for (let k = 0; k < 10 && started < 250; k++) await turn();
    expect(started).to.equal(250);
  });
  it('now(): a burst of spawns shares a clock reading for a slice at most; a new run reads the clock again', async () => {
    const starts = new StartQueue(new TurnBudget(10));
    starts.push({ start: () => undefined }); // begins a run: the clock is read afresh
    const first = starts.now();
    expect(first).to.equal(Math.floor(first)); // whole ms: stays a small integer
    // Until the clock moves on, then within the same run: still the burst's reading...
    while (Math.floor(performance.now()) === first) void 0;
    const same: number[] = [];
    for (let i = 1; i < 64; i++) same.push(starts.now());
    expect(new Set(same)).to.deep.equal(new Set([first]));
    // ...but never for more than a slice of spawns.
    expect(starts.now()).to.be.greaterThan(first);
    await Promise.resolve(); // the queue starts what it holds: the next spawn is a new run
    const before = Math.floor(performance.now());
    starts.push({ start: () => undefined });
    expect(starts.now()).to.be.at.least(before);
  });
});
