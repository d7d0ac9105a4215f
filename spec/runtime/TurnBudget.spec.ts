import { expect } from 'chai';
import { TurnBudget } from '../../runtime/TurnBudget.js';

describe('TurnBudget', () => {
  it('runs up to its size in one turn, defers the rest to the next turns in order', async () => {
    const budget = new TurnBudget(3);
    const ran: number[] = [];
    for (let i = 0; i < 7; i++) budget.dispatch((v: number) => ran.push(v), i);
    expect(ran, 'this turn').to.deep.equal([0, 1, 2]);
    await new Promise((r) => setImmediate(r));
    expect(ran, 'next turn').to.deep.equal([0, 1, 2, 3, 4, 5]);
    await new Promise((r) => setImmediate(r));
    expect(ran).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
  });

  it('take() refuses once the turn is spent, ready() resolves later then', async () => {
    const budget = new TurnBudget(1);
    expect(budget.take()).to.equal(true);
    expect(budget.take()).to.equal(false);
    let resolved = false;
    const later = budget.ready('v').then((v) => ((resolved = true), v));
    await Promise.resolve();
    expect(resolved).to.equal(false);
    expect(await later).to.equal('v');
  });

  it('behind: true once the turn is spent and while deferred continuations wait, false again once they ran', async () => {
    const budget = new TurnBudget(2);
    expect(budget.behind).to.equal(false);
    for (let i = 0; i < 5; i++) budget.dispatch(() => undefined, i);
    expect(budget.behind).to.equal(true);
    await new Promise((r) => setImmediate(r)); // two more ran, one still waits
    expect(budget.behind).to.equal(true);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(budget.behind).to.equal(false);
  });
});
