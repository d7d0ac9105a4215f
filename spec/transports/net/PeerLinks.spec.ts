import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { Codec } from '../../../transports/net/Codec.js';
import { Location } from '../../../transports/net/Location.js';
import { NetworkStoppedError, PeerBusyError, PeerLostError, PeerUnreachableError } from '../../../transports/net/netErrors.js';
import type { Peer } from '../../../transports/net/Peer.js';
import { PeerLinks, type PeerLinksHost } from '../../../transports/net/PeerLinks.js';
import { PeerStatus } from '../../../transports/net/PeerStatus.js';
import { resolveOptions, type NetworkOptions } from '../../../transports/net/peerOptions.js';
import { networkFixture } from '../../fixtures/index.js';
import { captureLogger, settle, until } from '../../helpers.js';
import { refusingProxy, type RefusingProxy, type Treatment } from './refusingProxy.js';

const SECRET = 'links-spec';
/** The real nodes: no heartbeats expected from the links under test for a minute. */
const NODE_OPTIONS: NetworkOptions = { secret: SECRET, heartbeatInterval: 1000, peerTimeout: 60_000, connectTimeout: 2000 };

/**
 * The smallest host a PeerLinks runs in: a listener that hands every connection to `accept`,
 * the request handlers it serves, and a record of the peers it was told about.
 */
async function linksNode(sched: Scheduler, options: NetworkOptions = {}) {
  const cap = captureLogger('debug');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const location = new Location('127.0.0.1', (server.address() as net.AddressInfo).port);
  const handlers = new Map<string, (body: unknown, peer: Peer) => unknown>();
  const host = {
    incarnation: randomBytes(16).toString('hex'),
    location,
    name: 'links-under-test',
    options: resolveOptions({ ...NODE_OPTIONS, discover: false, ...options }),
    isStopped: false,
    scheduler: sched,
    codec: undefined as unknown as Codec,
    referenceSent: () => undefined,
    logger: cap.logger,
    handler: (type: string) => handlers.get(type),
    cameOnline: [] as Peer[],
    closed: [] as Array<{ peer: Peer; wasOnline: boolean }>,
    peerOnline(peer: Peer) {
      host.cameOnline.push(peer);
    },
    peerClosed(peer: Peer, wasOnline: boolean) {
      host.closed.push({ peer, wasOnline });
      links.forget(peer);
    },
  };
  host.codec = new Codec(host);
  const links = new PeerLinks(host as PeerLinksHost);
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    links.accept(socket);
  });
  const stop = (): void => {
    host.isStopped = true;
    links.closeAll(new NetworkStoppedError('stopped'));
    server.close();
  };
  return { host, links, location, handlers, lines: cap.lines, sockets, stop };
}

describe('PeerLinks', function () {
  this.timeout(20_000);
  const { node } = networkFixture();
  let sched: Scheduler;
  let stops: Array<() => void>;
  beforeEach(() => {
    sched = new Scheduler();
    stops = [];
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await sched.terminate();
  });
  const start = async (options: NetworkOptions = {}) => {
    const n = await linksNode(sched, options);
    stops.push(n.stop);
    return n;
  };

  it('route() dials once per location: the same connecting peer, then online with the node\'s identity', async () => {
    const { host, links } = await start();
    const remote = await node({ ...NODE_OPTIONS, name: 'remote-node' });
    const peer = links.route(remote.location)!;
    expect(peer.state).to.equal('connecting');
    expect(links.route(remote.location)).to.equal(peer);
    await peer.whenOnline({ timeout: 5000 });
    expect([peer.incarnation, peer.name, peer.location.equals(remote.location)]).to.deep.equal([remote.incarnation, 'remote-node', true]);
    expect(links.route(remote.location)).to.equal(peer);
    expect(links.onlinePeers()).to.deep.equal([peer]);
    expect(links.online.get(remote.incarnation)).to.equal(peer);
    expect(host.cameOnline).to.deep.equal([peer]);
    // and the node sees us, under our name and incarnation
    await until(() => remote.peerByIncarnation(host.incarnation) !== undefined);
    expect(remote.peerByIncarnation(host.incarnation)!.name).to.equal('links-under-test');
  });

  it('route() to this node itself, or once stopped, is undefined', async () => {
    const n = await start();
    expect(n.links.route(n.location)).to.equal(undefined);
    n.host.isStopped = true;
    expect(n.links.route(new Location('127.0.0.1', 1))).to.equal(undefined);
  });

  it('a failed dial loses the peer with PeerUnreachableError and backs off until clearRetry()', async () => {
    const { host, links } = await start();
    const closed = new Location('127.0.0.1', 1);
    const peer = links.route(closed)!;
    const r = await settle(peer.whenOnline({ timeout: 5000 }));
    expect(PeerUnreachableError.is(r.error), String(r.error)).to.equal(true);
    expect(peer.state).to.equal('closed');
    expect(host.closed).to.deep.equal([{ peer, wasOnline: false }]);
    expect(links.route(closed)).to.equal(undefined); // backing off
    links.clearRetry(closed);
    const again = links.route(closed)!;
    expect(again).to.not.equal(peer);
    expect(again.state).to.equal('connecting');
    await settle(again.whenOnline({ timeout: 5000 }));
  });

  it('accept(): a node that dials in is authenticated and online on both sides', async () => {
    const { host, links, location } = await start();
    const remote = await node(NODE_OPTIONS);
    const theirs = await remote.peer(location, { timeout: 5000 });
    expect(theirs.incarnation).to.equal(host.incarnation);
    await until(() => host.cameOnline.length === 1);
    const ours = host.cameOnline[0];
    expect(ours.incarnation).to.equal(remote.incarnation);
    expect(ours.connection!.initiator).to.equal(false);
    expect(links.byLocation.get(String(remote.location))).to.equal(ours);
    expect(links.route(remote.location)).to.equal(ours); // no second connection for an accepted peer
  });

  it('a node with another secret never comes online, and is logged as refused once however often it tries', async () => {
    const { host, links, location, lines } = await start();
    const intruder = await node({ ...NODE_OPTIONS, secret: 'not-the-secret' });
    for (let i = 0; i < 3; i++) {
      const r = await settle(intruder.peer(location, { timeout: 3000 }));
      expect(r.error?.code, String(r.error)).to.match(/^ERR_(AUTHENTICATION|PEER_LOST|PEER_UNREACHABLE)$/);
    }
    const dialled = links.route(intruder.location)!;
    expect((await settle(dialled.whenOnline({ timeout: 3000 }))).error?.code).to.equal('ERR_AUTHENTICATION');
    expect(host.cameOnline).to.deep.equal([]);
    expect(links.onlinePeers()).to.deep.equal([]);
    await until(() => lines.some((l) => l.msg === 'peer refused'));
    const refusals = lines.filter((l) => l.msg === 'peer refused');
    // Once per cause and claimed location (the dialled one, and where it dials from).
    expect(new Set(refusals.map((l) => l.remote)).size).to.equal(refusals.length);
    expect(refusals.length).to.be.within(1, 2);
    expect(JSON.stringify(lines)).to.not.include(SECRET).and.not.include('not-the-secret');
  });

  it('accept() once stopped closes the connection at once', async () => {
    const n = await start();
    n.host.isStopped = true;
    const client = net.connect(n.location.port, '127.0.0.1');
    client.resume();
    client.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await closed;
    expect(n.links.onlinePeers()).to.deep.equal([]);
  });

  it('closeAll(): online peers are told (they see us go offline at once) and connections in their handshake are dropped', async () => {
    const { host, links, location, sockets } = await start();
    const remote = await node(NODE_OPTIONS);
    const statuses: PeerStatus[] = [];
    remote.peerStatus({ send: (s: unknown) => (statuses.push(s as PeerStatus), true) });
    await links.route(remote.location)!.whenOnline({ timeout: 5000 });
    await until(() => statuses.length === 1);
    const silent = net.connect(location.port, '127.0.0.1'); // connects, never says hello
    silent.resume(); // read, to see the end
    silent.on('error', () => undefined);
    const silentClosed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
    await until(() => sockets.size === 1, 5000, 'the listener to accept the silent connection');
    const t0 = performance.now();
    links.closeAll(new NetworkStoppedError('bye'));
    await silentClosed;
    await until(() => statuses.length === 2, 5000, 'the node to see us offline');
    expect(statuses.map((s) => s.status)).to.deep.equal(['online', 'offline']);
    expect(performance.now() - t0).to.be.below(NODE_OPTIONS.peerTimeout!); // told, not timed out
    expect(host.closed.map((c) => c.wasOnline)).to.deep.equal([true]);
    expect(host.closed[0].peer.state).to.equal('closed');
    expect(links.onlinePeers()).to.deep.equal([]);
  });

  it('a node restarted at the same location is a new incarnation: the old peer is lost, the next route reaches the new one', async () => {
    const { host, links } = await start();
    const first = await node(NODE_OPTIONS);
    const location = first.location;
    const old = links.route(location)!;
    await old.whenOnline({ timeout: 5000 });
    await first.stop();
    await until(() => old.state === 'closed', 5000, 'the first incarnation to leave');
    expect(PeerLostError.is(old.error)).to.equal(true);
    const second = await node({ ...NODE_OPTIONS, port: location.port });
    links.clearRetry(location);
    const fresh = links.route(location)!;
    expect(fresh).to.not.equal(old);
    await fresh.whenOnline({ timeout: 5000 });
    expect(fresh.incarnation).to.equal(second.incarnation).and.not.equal(old.incarnation);
    expect(links.online.get(old.incarnation)).to.equal(undefined);
    expect(host.cameOnline).to.deep.equal([old, fresh]);
  });

  describe('a peer that refuses for now is dialled again, with backoff, while it is wanted', () => {
    let proxies: RefusingProxy[];
    beforeEach(() => {
      proxies = [];
    });
    afterEach(() => {
      for (const p of proxies) p.close();
    });
    const refusing = async (script: Treatment[]): Promise<{ proxy: RefusingProxy; remote: Awaited<ReturnType<typeof node>> }> => {
      const remote = await node({ ...NODE_OPTIONS, name: 'behind-the-proxy' });
      const proxy = await refusingProxy(String(remote.location), script);
      proxies.push(proxy);
      return { proxy, remote };
    };
    const redials = (lines: Array<Record<string, any>>): number => lines.filter((l) => l.msg === 'connection refused; dialling again').length;

    it('refused as busy while a call waits: dialled again until it gets in', async () => {
      const { links, lines } = await start();
      const { proxy, remote } = await refusing(['busy', 'busy', 'busy', 'pass']);
      const peer = links.route(Location.parse(proxy.location))!;
      await peer.whenOnline({ timeout: 10_000 });
      expect(peer.incarnation).to.equal(remote.incarnation);
      expect(proxy.seen).to.deep.equal(['busy', 'busy', 'busy', 'pass']);
      expect(redials(lines)).to.equal(3);
    });

    it('nothing waits for it: the refusal ends the attempt (PeerBusyError), and the location backs off', async () => {
      const { links } = await start();
      const { proxy } = await refusing(['busy', 'pass']);
      const at = Location.parse(proxy.location);
      const peer = links.route(at)!;
      await until(() => peer.state === 'closed', 5000, 'the attempt to end');
      expect(peer.error).to.be.instanceOf(PeerBusyError);
      expect(PeerUnreachableError.is(peer.error), 'its code is ERR_PEER_UNREACHABLE').to.equal(true);
      expect(links.route(at), 'backing off').to.equal(undefined);
      expect(proxy.seen).to.deep.equal(['busy']);
    });

    it('a message queued for it is delivered once it gets in; a location heard of is dialled again too', async () => {
      const { links } = await start();
      const { proxy, remote } = await refusing(['busy', 'busy', 'pass']);
      const heard: unknown[] = [];
      remote.handle('note', (body) => void heard.push(body));
      expect(links.route(Location.parse(proxy.location))!.post('note', 'queued while refused')).to.equal(true);
      await until(() => heard.length === 1, 10_000, 'the note to arrive');
      expect(heard).to.deep.equal(['queued while refused']);
      const other = await refusing(['busy', 'busy', 'pass']);
      links.heardOf(Location.parse(other.proxy.location));
      await until(() => links.online.has(other.remote.incarnation), 10_000, 'the peer heard of to come online');
      expect(other.proxy.seen).to.deep.equal(['busy', 'busy', 'pass']);
    });

    it('closed before it answered past its greeting (its table made room for another): as busy, dialled again', async () => {
      const { links } = await start();
      const { proxy, remote } = await refusing(['room', 'room', 'room', 'pass']);
      const peer = links.route(Location.parse(proxy.location))!;
      await peer.whenOnline({ timeout: 10_000 });
      expect(peer.incarnation).to.equal(remote.incarnation);
      expect(proxy.seen).to.deep.equal(['room', 'room', 'room', 'pass']);
    });

    it('cut short otherwise: dialled twice more at most, then the call fails; a busy refusal after a cut is not waited out', async () => {
      const { links } = await start();
      const { proxy } = await refusing(['cut']);
      const r = await settle(links.route(Location.parse(proxy.location))!.whenOnline({ timeout: 10_000 }));
      expect(PeerUnreachableError.is(r.error), String(r.error)).to.equal(true);
      expect(r.error).to.not.be.instanceOf(PeerBusyError);
      expect(proxy.seen).to.deep.equal(['cut', 'cut', 'cut']);
      const mixed = await refusing(['cut', 'busy', 'pass']);
      const m = await settle(links.route(Location.parse(mixed.proxy.location))!.whenOnline({ timeout: 10_000 }));
      expect(m.error).to.be.instanceOf(PeerBusyError);
      expect(mixed.proxy.seen).to.deep.equal(['cut', 'busy']);
    });

    it('a call that gives up ends the attempt at its next dial; the network stopping ends it at once', async () => {
      const { links } = await start();
      const { proxy } = await refusing(['busy']);
      const peer = links.route(Location.parse(proxy.location))!;
      const r = await settle(peer.whenOnline({ timeout: 300 }));
      expect(r.error?.code).to.equal('ERR_TIMEOUT');
      await until(() => peer.state === 'closed', 10_000, 'the attempt to end once nothing waits');
      expect(peer.error).to.be.instanceOf(PeerBusyError);
      expect(proxy.seen.length).to.be.at.least(2);
      const other = await refusing(['busy']);
      const waiting = links.route(Location.parse(other.proxy.location))!.whenOnline({ timeout: 60_000 });
      await until(() => other.proxy.seen.length >= 2, 5000, 'refusals to wait out');
      links.closeAll(new NetworkStoppedError('stopped'));
      expect((await settle(waiting)).error?.code).to.equal('ERR_NETWORK_STOPPED');
    });
  });

  it('forget() removes a closed peer from both tables', async () => {
    const { links } = await start();
    const remote = await node(NODE_OPTIONS);
    const peer = links.route(remote.location)!;
    await peer.whenOnline({ timeout: 5000 });
    links.forget(peer);
    expect(links.online.size).to.equal(0);
    expect(links.byLocation.size).to.equal(0);
  });
});
