import { expect } from 'chai';
import { CHECK_EVERY, TurnBudget } from '../../runtime/TurnBudget.js';

/** One turn of the event loop. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Holds the thread for `ms` (a continuation that takes time). */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('TurnBudget', () => {
  it('with a count: runs that many in one turn, defers the rest to the next turns in order', async () => {
    const budget = new TurnBudget(Infinity, 3);
    const ran: number[] = [];
    for (let i = 0; i < 7; i++) budget.dispatch((v: number) => ran.push(v), i);
    expect(ran, 'this turn').to.deep.equal([0, 1, 2]);
    await turn();
    expect(ran, 'next turn').to.deep.equal([0, 1, 2, 3, 4, 5]);
    await turn();
    expect(ran).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
  });

  it('with a time: runs continuations until the turn has run them for turnMs, then defers the rest', async () => {
    const budget = new TurnBudget(20);
    const times: number[] = [];
    const total = 20 * CHECK_EVERY;
    for (let i = 0; i < total; i++) {
      budget.dispatch(() => {
        times.push(performance.now());
        spin(0.05);
      }, i);
    }
    const first = times.length;
    expect(first, 'some ran this turn').to.be.above(0);
    expect(first, 'not all: the rest wait for the next turn').to.be.below(total);
    expect(first % CHECK_EVERY, 'the clock is read every CHECK_EVERY continuations').to.equal(0);
    // The turn ended only once it had run for its time (a lower bound: load only lengthens it).
    expect(times[first - 1]! + 0.05 - times[0]!).to.be.at.least(20 - 0.05 * CHECK_EVERY);
    for (let k = 0; k < 1000 && times.length < total; k++) await turn();
    expect(times.length, 'everything ran, over later turns').to.equal(total);
  });

  it('with turnMs 0: yields at every look at the clock, CHECK_EVERY continuations a turn', async () => {
    const budget = new TurnBudget(0);
    let ran = 0;
    for (let i = 0; i < 3 * CHECK_EVERY; i++) budget.dispatch(() => ran++, i);
    expect(ran).to.equal(CHECK_EVERY);
    await turn();
    expect(ran).to.equal(2 * CHECK_EVERY);
  });

  it('a deadline of its scheduler that falls due ends the turn at the next look at the clock', async () => {
    let deadline = Infinity;
    const budget = new TurnBudget(60_000, Infinity, () => deadline);
    let ran = 0;
    for (let i = 0; i < 4 * CHECK_EVERY; i++) budget.dispatch(() => ran++, i);
    expect(ran, 'no deadline: one turn runs them all').to.equal(4 * CHECK_EVERY);
    await turn();
    ran = 0;
    deadline = performance.now(); // due now
    for (let i = 0; i < 4 * CHECK_EVERY; i++) budget.dispatch(() => ran++, i);
    expect(ran, 'the turn ended at the first look at the clock').to.equal(CHECK_EVERY);
    deadline = Infinity;
    await turn();
    expect(ran).to.equal(4 * CHECK_EVERY);
  });

  it('take() refuses once the turn is spent, ready() resolves later then', async () => {
    const budget = new TurnBudget(Infinity, 1);
    expect(budget.take()).to.equal(true);
    expect(budget.take()).to.equal(false);
    let resolved = false;
    const later = budget.ready('v').then((v) => ((resolved = true), v));
    await Promise.resolve();
    expect(resolved).to.equal(false);
    expect(await later).to.equal('v');
  });

  it('behind: true once the turn is spent and while deferred continuations wait, false again once they ran', async () => {
    const budget = new TurnBudget(Infinity, 2);
    expect(budget.behind).to.equal(false);
    for (let i = 0; i < 5; i++) budget.dispatch(() => undefined, i);
    expect(budget.behind).to.equal(true);
    await turn(); // two more ran, one still waits
    expect(budget.behind).to.equal(true);
    await turn();
    await turn();
    expect(budget.behind).to.equal(false);
  });
});
