import { expect } from 'chai';
import type { PeerLink } from '../../../transports/net/PeerLink.js';
import { PeerLiveness } from '../../../transports/net/PeerLiveness.js';

/** A link that last received at `lastReceived` and last sent at `lastSent` (performance.now()). */
function link(lastReceived: number, lastSent: number, judgesSilence = true): PeerLink {
  return { lastReceived, lastSent, judgesSilence } as PeerLink;
}

describe('PeerLiveness', () => {
  it('by default: a heartbeat when nothing was sent for an interval, the peer lost after the timeout of silence', () => {
    const l = new PeerLiveness();
    expect([l.heartbeats, l.judges]).to.deep.equal([true, true]);
    expect(l.check(link(0, 0), 500, 1000, 5000)).to.equal(undefined);
    expect(l.check(link(0, 0), 1000, 1000, 5000)).to.equal('beat');
    expect(l.check(link(0, 900), 1000, 1000, 5000)).to.equal(undefined);
    expect(l.check(link(0, 900), 5001, 1000, 5000)).to.equal('lost');
    expect(l.check(link(0, 900, false), 5001, 1000, 5000), 'a link that does not judge silence (a thread\'s)').to.equal('beat');
  });

  it('quiet: no heartbeat and no judgement; judged again, the silence counts from then', () => {
    const l = new PeerLiveness();
    l.set({ heartbeats: false, judge: false });
    expect(l.check(link(0, 0), 60_000, 1000, 5000)).to.equal(undefined);
    l.set({ judge: true });
    const since = performance.now();
    expect(l.check(link(0, 0), since + 4000, 1000, 5000), 'silent for a minute, but judged only since now').to.equal(undefined);
    expect(l.check(link(0, 0), since + 5001, 1000, 5000)).to.equal('lost');
    expect(l.check(link(since + 3000, 0), since + 5001, 1000, 5000), 'heard from since').to.equal(undefined);
    l.set({ heartbeats: true });
    expect([l.heartbeats, l.judges]).to.deep.equal([true, true]);
    l.set({ judge: true }); // judging already: the clock is not reset
    expect(l.check(link(0, since + 4000), since + 5001, 1000, 5000)).to.equal('lost');
  });
});
