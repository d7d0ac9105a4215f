import { expect } from 'chai';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';

describe('WaiterQueue', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });
  const wait = (data: string): Wait<unknown> => Object.assign(new Wait<unknown>(sched, undefined, WaitKind.Other), { data });
  const names = (q: WaiterQueue): unknown[] => [...q].map((w) => w.data);

  it('is FIFO: push, peek and shift keep arrival order; empty gives undefined', () => {
    const q = new WaiterQueue();
    expect(q.shift()).to.equal(undefined);
    expect(q.peek()).to.equal(undefined);
    for (const n of ['a', 'b', 'c']) q.push(wait(n));
    expect(q.length).to.equal(3);
    expect(q.peek()!.data).to.equal('a');
    expect(q.shift()!.data).to.equal('a');
    expect(names(q)).to.deep.equal(['b', 'c']);
    q.push(wait('d'));
    expect(names(q)).to.deep.equal(['b', 'c', 'd']);
  });

  it('removes from the head, the middle and the tail, and ignores a wait it does not hold', () => {
    const q = new WaiterQueue();
    const other = new WaiterQueue();
    const ws = ['a', 'b', 'c', 'd', 'e'].map(wait);
    for (const w of ws) q.push(w);
    const stranger = wait('x');
    other.push(stranger);
    q.remove(stranger);
    expect(other.length).to.equal(1);
    q.remove(ws[2]);
    q.remove(ws[0]);
    q.remove(ws[4]);
    q.remove(ws[2]); // twice: no-op
    expect(q.length).to.equal(2);
    expect(names(q)).to.deep.equal(['b', 'd']);
    expect(ws[2].queue).to.equal(undefined);
    expect([ws[2].prev, ws[2].next]).to.deep.equal([undefined, undefined]);
    q.push(ws[2]); // a removed wait can be queued again, at the end
    expect(names(q)).to.deep.equal(['b', 'd', 'c']);
  });

  it('drain() empties it, oldest first', () => {
    const q = new WaiterQueue();
    for (const n of ['a', 'b', 'c']) q.push(wait(n));
    expect(q.drain().map((w) => w.data)).to.deep.equal(['a', 'b', 'c']);
    expect(q.length).to.equal(0);
    expect(q.drain()).to.deep.equal([]);
  });

  it('a queued wait that times out or is aborted leaves the queue by itself', async () => {
    const q = new WaiterQueue();
    const timed = wait('timed');
    const ac = new AbortController();
    const aborted = wait('aborted');
    const stays = wait('stays');
    for (const w of [timed, aborted, stays]) q.push(w);
    const pt = timed.start(1, undefined);
    const pa = aborted.start(Infinity, ac.signal);
    const ps = stays.start(Infinity, undefined);
    ac.abort(new Error('x'));
    await pa.catch(() => undefined);
    await pt;
    expect(names(q)).to.deep.equal(['stays']);
    q.shift()!.wake('woken');
    expect(await ps).to.equal('woken');
  });

  it('keeps its links consistent through 1,000 random pushes and removals', () => {
    const q = new WaiterQueue();
    const model: Wait<unknown>[] = [];
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 1000; i++) {
      if (model.length === 0 || rnd() < 0.55) {
        const w = wait(`w${i}`);
        q.push(w);
        model.push(w);
      } else {
        const at = Math.floor(rnd() * model.length);
        q.remove(model[at]);
        model.splice(at, 1);
      }
      expect(q.length).to.equal(model.length);
    }
    expect([...q]).to.deep.equal(model);
  });
});
