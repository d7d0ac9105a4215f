import { expect } from 'chai';
import { StartQueue } from '../../runtime/StartQueue.js';
import { TurnBudget } from '../../runtime/TurnBudget.js';
import { turn } from '../helpers.js';

describe('StartQueue (first steps of new coroutines)', () => {
  it('starts in creation order from one microtask, after the code that queued them', async () => {
    const started: number[] = [];
    const starts = new StartQueue(new TurnBudget(1024));
    for (let i = 0; i < 5; i++) starts.push({ start: () => started.push(i) });
    expect(started).to.deep.equal([]);
    await Promise.resolve();
    expect(started).to.deep.equal([0, 1, 2, 3, 4]);
    starts.push({ start: () => started.push(5) }); // a later push starts too
    await Promise.resolve();
    expect(started).to.deep.equal([0, 1, 2, 3, 4, 5]);
  });

  it('counts first steps against the budget: the rest start on later turns, in order', async () => {
    const started: number[] = [];
    const starts = new StartQueue(new TurnBudget(3));
    for (let i = 0; i < 7; i++) starts.push({ start: () => started.push(i) });
    await Promise.resolve();
    expect(started).to.deep.equal([0, 1, 2]);
    await turn();
    await turn();
    await turn();
    expect(started).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
  });
});
