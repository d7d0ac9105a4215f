import { expect } from 'chai';
import { MessageChannel } from 'node:worker_threads';
import { Network } from '../../../actors/remote/Network.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { newNodeId } from '../../../transports/net/hellos.js';
import { PeerNetwork } from '../../../transports/net/PeerNetwork.js';
import { resolveOptions, type NetworkOptions } from '../../../transports/net/peerOptions.js';
import { PortLink } from '../../../transports/net/PortLink.js';
import { settle, until } from '../../helpers.js';
import type { PeerStatus } from '../../../transports/net/PeerStatus.js';

/** A node that records the peer lists it is told instead of acting on them. */
class Recorder extends PeerNetwork {
  readonly told: unknown[] = [];
  static async open(sched: Scheduler, options: NetworkOptions): Promise<Recorder> {
    const net = new Recorder(sched, resolveOptions({ discover: false, ...options }), [{ install: (n) => n.handle('peers', (body) => void (n as Recorder).told.push(body)) }]);
    await net.open();
    return net;
  }
}

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

  it('hubs seeded at one hub make a star; a mesh node seeded at any hub finds them all, and a hub that joins later at once; a leaf keeps to its seed', async () => {
    const hub = (name: string, seeds: Network[] = []) => node({ discover: false, name, peering: 'hub', seeds: seeds.map((n) => n.location) });
    const sorted = (nets: Network[]) => nets.map((n) => String(n.location)).sort();
    const seed = await hub('seed');
    const hubs = [await hub('h1', [seed]), await hub('h2', [seed]), await hub('h3', [seed])];
    await until(() => seed.peers().length === 3 && hubs.every((h) => h.peers().length === 1), 10_000, 'every hub at the seed');
    for (const h of hubs) expect(h.peers().map(String), `${h.name} knows the seed only`).to.deep.equal([String(seed.location)]);
    // A mesh node that knows one hub: that hub tells it of the seed, the seed of the others.
    const mesh = await node({ discover: false, name: 'mesh', seeds: [hubs[1]!.location] });
    await until(() => mesh.peers().length === 4 && hubs.every((h) => h.peers().length === 2), 10_000, 'the mesh node to reach every hub');
    expect(mesh.peers().map(String).sort()).to.deep.equal(sorted([seed, ...hubs]));
    expect(hubs[0]!.peers().map(String).sort(), 'the hubs still do not know one another').to.deep.equal(sorted([seed, mesh]));
    // A hub that joins later: the seed tells the mesh node of it (a hub dials nobody it is told of).
    const late = await hub('late', [seed]);
    await until(() => mesh.peers().some((l) => l.equals(late.location)) && late.peers().length === 2, 10_000, 'the late hub to be told to the mesh node');
    expect(late.peers().map(String).sort()).to.deep.equal(sorted([seed, mesh]));
    // A leaf seeded at a hub: the hub tells it nothing (it would not dial what it is told of).
    const leaf = await node({ discover: false, name: 'leaf', peering: 'leaf', seeds: [hubs[0]!.location] });
    await until(() => leaf.peers().length === 1);
    // A reply follows on the link whatever the hub sent before it: after this round trip, nothing more comes.
    expect((await settle(leaf.request(hubs[0]!.location, 'peers', [], { timeout: 5000 }))).error?.code, 'a hub serves no peer list').to.equal('ERR_UNKNOWN_REQUEST');
    expect(leaf.links.byLocation.size).to.equal(1);
    expect(leaf.peers().map(String)).to.deep.equal([String(hubs[0]!.location)]);
  });

  it('a hidden node is told of to nobody, follows no list, and tells none', async () => {
    const mesh = await node({ discover: false, name: 'mesh' });
    const other = await node({ discover: false, name: 'other' });
    await other.peer(mesh.location, { timeout: 5000 });
    const hidden = await node({ discover: false, name: 'hidden', peering: 'hidden' });
    const statuses: PeerStatus[] = [];
    hidden.peerStatus({ send: (st: unknown) => (statuses.push(st as PeerStatus), true) });
    await hidden.peer(mesh.location, { timeout: 5000 });
    expect(mesh.peerByIncarnation(hidden.incarnation)!.peering).to.equal('hidden');
    expect(hidden.peerByIncarnation(mesh.incarnation)!.peering).to.equal('mesh');
    // A newcomer at the mesh node is told of `other`, never of the hidden node.
    const s = new Scheduler();
    scheds.push(s);
    const newcomer = await Recorder.open(s, { name: 'newcomer' });
    nets.push(newcomer as unknown as Network);
    await newcomer.peer(mesh.location, { timeout: 5000 });
    await until(() => newcomer.told.length > 0, 5000, 'the newcomer to be told of the others');
    expect(newcomer.told).to.deep.equal([[[other.location.host, other.location.port]]]);
    // The mesh node did not tell the hidden one of `other` (it would not follow), nor does it serve lists.
    expect((await settle(mesh.request(hidden.location, 'peers', [], { timeout: 5000 }))).error?.code).to.equal('ERR_UNKNOWN_REQUEST');
    expect(hidden.peers().map(String)).to.deep.equal([String(mesh.location)]);
    expect(statuses.map((st) => st.name)).to.deep.equal(['mesh']);
  });

  it('nodes at port 0 (threads that do not listen) are never told of; a thread of this process is told of other hosts, not of its siblings', async () => {
    const owner = await node({ discover: false, name: 'owner' });
    const recorders: Recorder[] = [];
    const recorder = async (options: NetworkOptions): Promise<Recorder> => {
      const s = new Scheduler();
      scheds.push(s);
      const r = await Recorder.open(s, options);
      nets.push(r as unknown as Network);
      recorders.push(r);
      return r;
    };
    const linkToOwner = (thread: PeerNetwork): void => {
      const { port1, port2 } = new MessageChannel();
      owner.links.join({ nodeId: thread.incarnation, name: thread.name, location: thread.location }, (events) => new PortLink(port1, { initiator: true, judgesSilence: true }, events));
      thread.links.join({ nodeId: owner.incarnation, name: owner.name, location: owner.location }, (events) => new PortLink(port2, { initiator: false, judgesSilence: false }, events));
    };
    const remote = await recorder({ name: 'remote' });
    await remote.peer(owner.location, { timeout: 5000 });
    const sibling = await recorder({ name: 'sibling.t', inProcess: { incarnation: newNodeId(), listen: false } });
    linkToOwner(sibling);
    const thread = await recorder({ name: 'thread.t', inProcess: { incarnation: newNodeId(), listen: false } });
    linkToOwner(thread);
    await until(() => thread.told.length > 0, 5000, 'the thread to be told of the owner\'s peers');
    expect(thread.told).to.deep.equal([[[remote.location.host, remote.location.port]]]);
    const third = await recorder({ name: 'third' });
    await third.peer(owner.location, { timeout: 5000 });
    await until(() => third.told.length > 0, 5000, 'the new remote node to be told of the others');
    expect(third.told).to.deep.equal([[[remote.location.host, remote.location.port]]]);
  });
});
