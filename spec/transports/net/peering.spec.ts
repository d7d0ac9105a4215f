import { expect } from 'chai';
import { dialsPinger, follows, isListed, peeringCode, peeringOf, PEERINGS, shares } from '../../../transports/net/peering.js';

describe('peering', () => {
  it('each peering has its byte, and an unknown byte none', () => {
    for (const p of PEERINGS) expect(peeringOf(peeringCode(p))).to.equal(p);
    expect(PEERINGS.map(peeringCode)).to.deep.equal([0, 1, 2, 3]);
    expect(peeringOf(4)).to.equal(undefined);
  });

  it('who is told of, who tells, who follows', () => {
    expect(PEERINGS.filter(isListed)).to.deep.equal(['mesh', 'leaf', 'hub']);
    expect(PEERINGS.filter(shares)).to.deep.equal(['mesh', 'hub']);
    expect(PEERINGS.filter(follows)).to.deep.equal(['mesh']);
  });

  it('who dials a pinger: hubs do not dial hubs, nobody dials a hidden node, a hidden node dials nobody', () => {
    const table = PEERINGS.map((self) => PEERINGS.filter((pinger) => dialsPinger(self, pinger)));
    expect(table).to.deep.equal([
      ['mesh', 'leaf', 'hub'], // mesh
      ['mesh', 'leaf', 'hub'], // leaf
      ['mesh', 'leaf'], // hub
      [], // hidden
    ]);
  });
});
