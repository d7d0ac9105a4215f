import { expect } from 'chai';
import { Network } from '../../../actors/remote/Network.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { until } from '../../helpers.js';

describe('peer exchange: one seed is enough to join a full mesh', () => {
  const scheds: Scheduler[] = [];
  const nets: Network[] = [];
  afterEach(async () => {
    await Promise.all(nets.splice(0).map((n) => n.stop()));
    await Promise.all(scheds.splice(0).map((s) => s.terminate()));
  });
  async function node(options: Parameters<typeof Network.start>[1]): Promise<Network> {
    const s = new Scheduler();
    scheds.push(s);
    const net = await Network.start(s, options);
    nets.push(net);
    return net;
  }

  it('with discovery off, nodes that each know only the first one all end up connected to each other', async () => {
    const probe = await node({ discover: false });
    const seed = await node({ discover: false, name: 'seed' });
    const others = [];
    for (let i = 1; i <= 5; i++) others.push(await node({ discover: false, name: `n${i}`, seeds: [seed.location] }));
    const all = [seed, ...others];
    expect(await probe.request(seed.location, 'peers', [['not a host', -1], 'junk'], { timeout: 5000 }), 'bad entries are ignored').to.equal(undefined);
    await until(() => probe.peers().length >= 1);
    all.push(probe);
    await until(() => all.every((n) => n.peers().length === all.length - 1), 10_000, 'a full mesh');
    for (const n of all) expect(n.peers().map(String).sort()).to.deep.equal(all.filter((m) => m !== n).map((m) => String(m.location)).sort());
  });

  it('meshPeers: false keeps only the connections a node makes or accepts (a star around the seed)', async () => {
    const seed = await node({ discover: false, name: 'seed', meshPeers: false });
    const a = await node({ discover: false, seeds: [seed.location], meshPeers: false });
    const b = await node({ discover: false, seeds: [seed.location], meshPeers: false });
    await until(() => seed.peers().length === 2);
    // Without the exchange the seed does not even serve the request type.
    const refused = await a.request(seed.location, 'peers', [], { timeout: 5000 }).catch((e: unknown) => e);
    expect((refused as { code?: string }).code).to.equal('ERR_UNKNOWN_REQUEST');
    expect(a.peers().map(String)).to.deep.equal([String(seed.location)]);
    expect(b.peers().map(String)).to.deep.equal([String(seed.location)]);
  });
});
