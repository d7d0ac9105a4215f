import { expect } from 'chai';
import { Location } from '../../../transports/net/Location.js';
import { PeerStatus } from '../../../transports/net/PeerStatus.js';
import { networkFixture } from '../../fixtures/index.js';
import { until } from '../../helpers.js';

describe('PeerStatus', function () {
  this.timeout(20_000);
  const { node } = networkFixture();

  it('carries location, name, status and incarnation, and prints them', () => {
    const s = new PeerStatus(new Location('127.0.0.1', 9705), 'node-b', 'offline', 'abc');
    expect([String(s.location), s.name, s.status, s.incarnation]).to.deep.equal(['127.0.0.1:9705', 'node-b', 'offline', 'abc']);
    expect(String(s)).to.equal('PeerStatus(node-b@127.0.0.1:9705 offline)');
  });

  it('a subscriber gets online then offline statuses naming the peer and its incarnation', async () => {
    const a = await node({ secret: 's' });
    const seen: PeerStatus[] = [];
    a.peerStatus({ send: (s: unknown) => (seen.push(s as PeerStatus), true) });
    const b = await node({ secret: 's', name: 'node-b', seeds: [a.location] });
    await until(() => seen.length === 1);
    await b.stop();
    await until(() => seen.length === 2);
    for (const s of seen) {
      expect(s).to.be.instanceOf(PeerStatus);
      expect([s.name, s.incarnation, s.location.equals(b.location)]).to.deep.equal(['node-b', b.incarnation, true]);
    }
    expect(seen.map((s) => s.status)).to.deep.equal(['online', 'offline']);
  });
});
