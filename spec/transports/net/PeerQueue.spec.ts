import { expect } from 'chai';
import { PeerQueue } from '../../../transports/net/PeerQueue.js';

describe('PeerQueue (frames waiting for a connecting peer)', () => {
  it('hands its frames over oldest first, and is empty after', () => {
    const q = new PeerQueue();
    expect([q.length, q.oldestAt]).to.deep.equal([0, 0]);
    for (const b of [1, 2, 3]) expect(q.push(Buffer.from([b]))).to.equal(true);
    expect(q.length).to.equal(3);
    expect(q.drain().map((f) => f[0])).to.deep.equal([1, 2, 3]);
    expect([q.length, q.oldestAt, q.drain().length]).to.deep.equal([0, 0, 0]);
  });

  it('dates its oldest frame: later pushes keep the date, a push after a drain starts a new one', () => {
    const q = new PeerQueue();
    const before = performance.now();
    q.push(Buffer.from([1]));
    const first = q.oldestAt;
    expect(first).to.be.at.least(before).and.at.most(performance.now());
    while (performance.now() === first); // the clock moves on (no sleep: a busy instant)
    q.push(Buffer.from([2]));
    expect(q.oldestAt).to.equal(first);
    q.drain();
    q.push(Buffer.from([3]));
    expect(q.oldestAt).to.be.above(first);
  });

  it('refuses a frame that would pass 64 MiB, queueing nothing of it; room made by a drain takes it', () => {
    const q = new PeerQueue();
    const big = Buffer.allocUnsafe(48 * 1024 * 1024);
    expect(q.push(big)).to.equal(true);
    expect(q.push(Buffer.allocUnsafe(16 * 1024 * 1024 + 1))).to.equal(false);
    expect(q.length).to.equal(1);
    expect(q.push(Buffer.allocUnsafe(16 * 1024 * 1024))).to.equal(true);
    expect(q.push(Buffer.from([0]))).to.equal(false);
    expect(q.drain()).to.have.length(2);
    expect(q.push(big)).to.equal(true);
  });
});
