import { expect } from 'chai';
import { PendingRequests } from '../../../transports/net/PendingRequests.js';

describe('PendingRequests', () => {
  it('takes back what was set by its id, once, whether it was the latest or an older one', () => {
    const pending = new PendingRequests<string>();
    expect(pending.size).to.equal(0);
    pending.set(1, 'one');
    pending.set(2, 'two');
    pending.set(3, 'three');
    expect(pending.size).to.equal(3);
    expect(pending.take(2)).to.equal('two');
    expect(pending.take(2)).to.equal(undefined);
    expect(pending.take(3)).to.equal('three');
    expect(pending.take(3)).to.equal(undefined);
    expect(pending.size).to.equal(1);
    pending.set(4, 'four');
    expect(pending.take(1)).to.equal('one');
    expect(pending.take(4)).to.equal('four');
    expect(pending.size).to.equal(0);
    expect(pending.take(7)).to.equal(undefined);
  });

  it('one request at a time: set and taken again and again, the count back to 0 each time', () => {
    const pending = new PendingRequests<number>();
    for (let id = 1; id <= 1000; id++) {
      pending.set(id, id * 10);
      expect(pending.size).to.equal(1);
      expect(pending.take(id)).to.equal(id * 10);
      expect(pending.size).to.equal(0);
    }
  });

  it('drain() returns every pending one, oldest first, and leaves none', () => {
    const pending = new PendingRequests<string>();
    for (const [id, w] of [[5, 'a'], [6, 'b'], [7, 'c']] as const) pending.set(id, w);
    pending.take(6);
    expect(pending.drain()).to.deep.equal(['a', 'c']);
    expect(pending.size).to.equal(0);
    expect(pending.take(7)).to.equal(undefined);
    expect(pending.drain()).to.deep.equal([]);
  });
});
