import { expect } from 'chai';
import { KeepAlive } from '../../runtime/KeepAlive.js';
import { turn } from '../helpers.js';


describe('KeepAlive', () => {
  it('holds the process (one interval)  while coroutines need it, and not once stopped', () => {
    const alive = new KeepAlive();
    alive.update(true);
    alive.update(true);
    expect(alive.holding).to.equal(true);
    alive.update(false);
    expect(alive.holding).to.equal(false);
    alive.update(true);
    alive.stop();
    expect(alive.holding).to.equal(false);
    alive.update(true);
    expect(alive.holding, 'stopped for good').to.equal(false);
  });

  it('a hold released within its turn arms nothing; one still pending at the next check arms it until released', async () => {
    const alive = new KeepAlive();
    alive.hold();
    alive.release();
    await turn();
    expect(alive.holding).to.equal(false);
    alive.hold();
    alive.hold();
    await turn();
    expect(alive.holding).to.equal(true);
    alive.release();
    expect(alive.holding, 'one hold is still pending').to.equal(true);
    alive.release();
    expect(alive.holding, 'the last hold lets go at the end of the turn').to.equal(true);
    alive.hold(); // calls awaited one after another: the interval stays as it is
    alive.release();
    await turn();
    expect(alive.holding).to.equal(false);
  });

  it('holdUntil holds until the promise settles, fulfilled or rejected, and returns it', async () => {
    const alive = new KeepAlive();
    let settle!: (v: number) => void;
    const p = new Promise<number>((resolve) => (settle = resolve));
    expect(alive.holdUntil(p)).to.equal(p);
    await turn();
    expect(alive.holding).to.equal(true);
    settle(1);
    await p;
    await turn();
    expect(alive.holding).to.equal(false);
    const failing = Promise.reject(new Error('no'));
    alive.holdUntil(failing);
    await failing.catch(() => undefined);
    await turn();
    expect(alive.holding).to.equal(false);
  });
});
