import { expect } from 'chai';
import { Registry } from '../../../runtime/Registry.js';
import { InvalidArgumentError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import type { ReferenceType } from '../../../transports/net/Codec.js';
import { Location } from '../../../transports/net/Location.js';
import { NetworkStoppedError, PeerUnreachableError, RemoteError } from '../../../transports/net/netErrors.js';
import { PeerNetwork, type NetworkLayer } from '../../../transports/net/PeerNetwork.js';
import { PeerStatus } from '../../../transports/net/PeerStatus.js';
import { resolveOptions, type NetworkOptions } from '../../../transports/net/peerOptions.js';
import { MessageChannel } from 'node:worker_threads';
import { PortLink } from '../../../transports/net/PortLink.js';
import { PeerLostError } from '../../../transports/net/netErrors.js';
import { newNodeId } from '../../../transports/net/hellos.js';
import { caught, deferred, expectError, settle, until } from '../../helpers.js';

/** The error `fn` fails with, checked to be a RemoteError (which keeps the remote error's own code). */
async function remoteError(fn: () => unknown): Promise<RemoteError> {
  const err = await caught(fn);
  expect(err).to.be.instanceOf(RemoteError);
  return err;
}

/** A live object of the test layer, sent by reference as its name. */
class Box {
  constructor(readonly name: string) {}
}

/** The peer network alone, with the layers a test gives it (no remote layer). */
class BareNetwork extends PeerNetwork {
  static async open(sched: Scheduler, options: NetworkOptions, layers: NetworkLayer[]): Promise<BareNetwork> {
    const net = new BareNetwork(sched, resolveOptions({ discover: false, secret: 'bare', ...options }), layers);
    await net.open();
    return net;
  }
}

describe('PeerNetwork', function () {
  this.timeout(20_000);
  const scheds: Scheduler[] = [];
  const nets: PeerNetwork[] = [];
  const installed: PeerNetwork[] = [];
  const sentLive: object[] = [];
  /** Each scheduler's registry of boxes (its node's). */
  const boxRegistries = new WeakMap<Scheduler, Registry<Box>>();
  const boxesOf = (sched: Scheduler): Registry<Box> => {
    let r = boxRegistries.get(sched);
    if (r === undefined) boxRegistries.set(sched, (r = new Registry<Box>('box', () => true)));
    return r;
  };
  const BOX_REFERENCE: ReferenceType<Box> = { tag: 41900, classes: [Box], encode: (b, _ctx, sent) => (sent(b), b.name), decode: (d) => new Box(String(d)) };
  const TEST_LAYER: NetworkLayer = {
    references: [BOX_REFERENCE],
    locates: [{ request: 'box-locate', registry: boxesOf, isFound: (v) => v instanceof Box }],
    install: (net) => {
      installed.push(net);
      net.handle('echo', (body) => body);
      net.handle('fail', () => {
        throw new Error('handler failed');
      });
      net.handle('slow', () => new Promise(() => undefined));
    },
    referenceSent: (live) => void sentLive.push(live),
  };
  async function open(options: NetworkOptions = {}, layers = [TEST_LAYER]): Promise<BareNetwork> {
    const sched = new Scheduler();
    scheds.push(sched);
    const net = await BareNetwork.open(sched, options, layers);
    nets.push(net);
    return net;
  }
  afterEach(async () => {
    for (const n of nets.splice(0)) await n.stop();
    for (const s of scheds.splice(0)) await s.terminate();
    installed.length = 0;
    sentLive.length = 0;
  });

  it('opens on an ephemeral loopback port; installs each layer once; named by its location unless given a name', async () => {
    const a = await open();
    const b = await open({ name: 'node-b' });
    expect(a.location.host).to.equal('127.0.0.1');
    expect(a.location.port).to.be.above(0);
    expect(a.name).to.equal(String(a.location));
    expect(b.name).to.equal('node-b');
    expect(installed).to.deep.equal([a, b]);
    expect(a.incarnation).to.not.equal(b.incarnation);
    expect(a.udpPort).to.equal(undefined); // no discovery
  });

  it('request(): the handler\'s value is the reply; a failing handler and an unknown type are RemoteErrors', async () => {
    const a = await open(), b = await open();
    expect(await a.request(b.location, 'echo', { n: [1, 'two'] })).to.deep.equal({ n: [1, 'two'] });
    const failed = await remoteError(() => a.request(b.location, 'fail', null));
    expect(failed.remoteMessage).to.equal('handler failed');
    const unknown = await remoteError(() => a.request(String(b.location), 'no-such-type', null));
    expect(unknown.code).to.equal('ERR_UNKNOWN_REQUEST');
  });

  it('request(): TimeoutError on timeout (or the alarm), and its signal cancels it', async () => {
    const a = await open(), b = await open();
    await expectError(() => a.request(b.location, 'slow', null, { timeout: 20 }), TimeoutError);
    expect(await a.request(b.location, 'slow', null, { timeout: 20, alarm: 'late' })).to.equal('late');
    const ac = new AbortController();
    const pending = a.request(b.location, 'slow', null, { signal: ac.signal });
    ac.abort(new Error('stop asking'));
    expect((await settle(pending)).error?.message).to.equal('stop asking');
  });

  it('post() is one-way: the handler runs at the peer; false when the node cannot be reached', async () => {
    const a = await open(), b = await open();
    const got = deferred<unknown>();
    b.handle('note', (body) => got.resolve(body));
    expect(a.post(b.location, 'note', 'hello')).to.equal(true);
    expect(await got.promise).to.equal('hello');
    expect(a.post(a.location, 'note', 'to myself')).to.equal(false);
  });

  it('handle(): one handler per type (InvalidArgumentError for a second); the returned function removes it', async () => {
    const a = await open(), b = await open();
    const off = b.handle('mine', () => 'first');
    expect(() => b.handle('mine', () => 'second')).to.throw(InvalidArgumentError);
    expect(() => b.handle('', () => 1)).to.throw(InvalidArgumentError);
    expect(() => b.handle('x', 5 as never)).to.throw(InvalidArgumentError);
    expect(await a.request(b.location, 'mine', null)).to.equal('first');
    off();
    expect((await remoteError(() => a.request(b.location, 'mine', null))).code).to.equal('ERR_UNKNOWN_REQUEST');
  });

  it('a layer\'s references cross by its own type, and it is told of each live object sent', async () => {
    const a = await open(), b = await open();
    const box = new Box('parcel');
    const back = await a.request(b.location, 'echo', { box });
    expect(back).to.deep.equal({ box: new Box('parcel') });
    expect((back as { box: Box }).box).to.be.instanceOf(Box);
    expect(sentLive).to.include(box);
  });

  it('locate(): a layer\'s locatable registry is searched at the peers; any other registry only here', async () => {
    const a = await open(), b = await open({ seeds: [] });
    await a.peer(b.location, { timeout: 5000 });
    const atA = new Box('at a');
    boxesOf(a.scheduler).add('there', atA);
    const found = await b.locate(boxesOf(b.scheduler), 'there', { timeout: 3000 });
    expect(found).to.deep.equal(new Box('at a'));
    expect(found).to.not.equal(atA); // it crossed the wire
    const local = new Registry<Box>('other', () => true);
    local.add('there', atA);
    expect(await a.locate(local, 'there', { timeout: 0 })).to.equal(atA);
    expect(await b.locate(local, 'nowhere', { timeout: 0 })).to.equal(undefined);
  });

  it('peer(): resolves once authenticated; this node itself is InvalidArgumentError; a closed port PeerUnreachableError', async () => {
    const a = await open({ connectTimeout: 2000 }), b = await open();
    const p = await a.peer(b.location, { timeout: 5000 });
    expect([p.isOnline, p.incarnation]).to.deep.equal([true, b.incarnation]);
    expect(a.peerByIncarnation(b.incarnation)).to.equal(p);
    expect(a.peers().map(String)).to.deep.equal([String(b.location)]);
    await expectError(() => a.peer(a.location), InvalidArgumentError);
    await expectError(() => a.peer('127.0.0.1:1', { timeout: 5000 }), PeerUnreachableError);
    await expectError(() => a.peer('not a location'), InvalidArgumentError);
  });

  it('peerStatus(): current peers at once, then changes; the returned function ends it; a bad target is InvalidArgumentError', async () => {
    const a = await open(), b = await open({ name: 'b' });
    await a.peer(b.location, { timeout: 5000 });
    const first: PeerStatus[] = [], second: PeerStatus[] = [];
    a.peerStatus({ send: (s: unknown) => (first.push(s as PeerStatus), true) });
    const off = a.peerStatus({ send: (s: unknown) => (second.push(s as PeerStatus), true) });
    expect(first.map((s) => [s.name, s.status])).to.deep.equal([['b', 'online']]);
    off();
    const c = await open({ name: 'c', seeds: [a.location] });
    await until(() => first.length === 2);
    expect(first[1].name).to.equal('c');
    expect(second.length).to.equal(1);
    await c.stop();
    await until(() => first.length === 3);
    expect([first[2].name, first[2].status, first[2].incarnation]).to.deep.equal(['c', 'offline', c.incarnation]);
    // a target that refuses a status is dropped
    let refused = 0;
    a.peerStatus({ send: () => (refused++, false) });
    expect(refused).to.equal(1); // told of the current peer b at once
    await b.stop();
    await until(() => first.length === 4);
    expect(refused).to.equal(2); // b offline: refused, so dropped
    await open({ name: 'd', seeds: [a.location] });
    await until(() => first.length === 5);
    expect(refused).to.equal(2);
    expect(() => a.peerStatus({} as never)).to.throw(InvalidArgumentError);
  });

  it('locatePeer(): finds a peer by name, waiting for it; undefined on timeout; its signal cancels it', async () => {
    const a = await open();
    expect(await a.locatePeer('later', { timeout: 0 })).to.equal(undefined);
    expect(await a.locatePeer('later', { timeout: 20 })).to.equal(undefined);
    const found = a.locatePeer('later', { timeout: 5000 });
    const later = await open({ name: 'later', seeds: [a.location] });
    expect(String(await found)).to.equal(String(later.location));
    const ac = new AbortController();
    const pending = a.locatePeer('never', { signal: ac.signal });
    ac.abort(new Error('gave up'));
    expect((await settle(pending)).error?.message).to.equal('gave up');
    await expectError(() => a.locatePeer(''), InvalidArgumentError);
  });

  it('stop() is idempotent: pending name lookups end with undefined, later calls fail with NetworkStoppedError, the port is free', async () => {
    const a = await open();
    const b = await open();
    await a.peer(b.location, { timeout: 5000 });
    const waiting = a.locatePeer('nobody', {});
    await a.stop();
    await a.stop();
    expect(a.isStopped).to.equal(true);
    expect(await waiting).to.equal(undefined);
    await expectError(() => a.peer(b.location), NetworkStoppedError);
    await expectError(() => a.request(b.location, 'echo', 1), PeerUnreachableError);
    expect(a.post(b.location, 'echo', 1)).to.equal(false);
    await until(() => b.peers().length === 0, 5000, 'the peer to see it leave');
    const again = await open({ port: a.location.port });
    expect(again.location.port).to.equal(a.location.port);
  });

  it('await using: disposal stops it', async () => {
    let kept: BareNetwork | undefined;
    {
      const sched = new Scheduler();
      scheds.push(sched);
      await using net = await BareNetwork.open(sched, {}, []);
      kept = net;
    }
    expect(kept!.isStopped).to.equal(true);
  });

  // Once a bug (fixed in 6434d3d): the connection's 'closed' callback lost the peer with a
  // PeerLostError before Peer.close() could fail the requests with NetworkStoppedError.
  it('stop() fails the requests pending on its peers with NetworkStoppedError', async () => {
    const a = await open(), b = await open();
    await a.peer(b.location, { timeout: 5000 });
    const pending = settle(a.request(b.location, 'slow', null, { timeout: 10_000 }));
    await a.stop();
    const { error } = await pending;
    expect(NetworkStoppedError.is(error), String(error)).to.equal(true);
  });

  it('the location is a Location of the advertised host', async () => {
    const a = await open({ extHost: 'node-a.example' });
    expect(a.location).to.be.instanceOf(Location);
    expect(a.location.host).to.equal('node-a.example');
  });

  describe('nodes of one process (no listener, linked by a MessagePort)', () => {
    /** Two listen-less nodes linked as a thread owner links them: each told who the other is. */
    async function linkedPair(options: NetworkOptions = {}): Promise<{ a: BareNetwork; b: BareNetwork; link(): void }> {
      const a = await open({ ...options, name: 'node-a.t', inProcess: { incarnation: newNodeId(), listen: false } });
      const b = await open({ ...options, name: 'node-b.t', inProcess: { incarnation: newNodeId(), listen: false } });
      const link = (): void => {
        const { port1, port2 } = new MessageChannel();
        a.links.join({ nodeId: b.incarnation, name: b.name, location: b.location }, (events) => new PortLink(port1, { initiator: true, judgesSilence: true }, events));
        b.links.join({ nodeId: a.incarnation, name: a.name, location: a.location }, (events) => new PortLink(port2, { initiator: false, judgesSilence: false }, events));
      };
      return { a, b, link };
    }

    it('a node that does not listen is at name:0, with the incarnation its owner gave it; it opens no port and discovers nothing', async () => {
      const incarnation = newNodeId();
      const n = await open({ name: 'quiet.t', inProcess: { incarnation, listen: false } });
      expect(String(n.location)).to.equal('quiet.t:0');
      expect(n.incarnation).to.equal(incarnation);
      expect(n.addresses).to.deep.equal([]);
      expect(n.udpPort).to.equal(undefined);
    });

    it('link(): the peers are online at once; requests, one-way posts and references work as over TCP', async () => {
      const { a, b, link } = await linkedPair();
      link();
      expect(a.peers().map(String)).to.deep.equal(['node-b.t:0']);
      expect(await a.request(b.location, 'echo', { n: 1, box: new Box('boxed') }, { timeout: 5000 })).to.deep.equal({ n: 1, box: new Box('boxed') });
      expect(sentLive.map((x) => (x as Box).name)).to.include('boxed');
      expect(await remoteError(() => b.request(a.location, 'fail', null, { timeout: 5000 }))).to.have.property('remoteMessage', 'handler failed');
      expect(a.post(b.location, 'echo', 'one-way')).to.equal(true);
    });

    it('a node at port 0 is never dialled: without its link it cannot be reached', async () => {
      const { a, b } = await linkedPair();
      expect(a.post(b.location, 'echo', 1)).to.equal(false);
      await expectError(() => a.request(b.location, 'echo', 1, { timeout: 1000 }), PeerUnreachableError);
    });

    it('linking a node again replaces its peer (the old one is lost); a link that closes loses the peer at once, failing its requests', async () => {
      const { a, b, link } = await linkedPair();
      link();
      const first = await a.peer(b.location, { timeout: 1000 });
      link();
      expect(first.state).to.equal('closed');
      expect(first.error).to.be.instanceOf(PeerLostError);
      const pending = settle(a.request(b.location, 'slow', null, { timeout: 10_000 }));
      (await a.peer(b.location, { timeout: 1000 })).connection!.close(new Error('gone'), false);
      expect((await pending).error).to.be.instanceOf(PeerLostError);
      await until(() => b.peers().length === 0, 5000, 'the other end to lose it too');
    });

    it('link() after stop is NetworkStoppedError', async () => {
      const { a, b } = await linkedPair();
      await a.stop();
      const { port1 } = new MessageChannel();
      expect(() => a.links.join({ nodeId: b.incarnation, name: b.name, location: b.location }, (events) => new PortLink(port1, { initiator: true, judgesSilence: true }, events))).to.throw(NetworkStoppedError);
      port1.close();
    });

    it('inProcess options are checked: an incarnation of 32 hex digits, listen a boolean, a name when not listening', () => {
      for (const inProcess of [{ incarnation: 'xyz', listen: false }, { incarnation: newNodeId(), listen: 'no' }, null]) {
        expect(() => resolveOptions({ name: 'n', inProcess: inProcess as never })).to.throw(InvalidArgumentError);
      }
      expect(() => resolveOptions({ inProcess: { incarnation: newNodeId(), listen: false } })).to.throw(InvalidArgumentError);
      expect(resolveOptions({ name: 'n', inProcess: { incarnation: newNodeId(), listen: false } }).discover).to.equal(false);
    });

    it('a node whose own loop was blocked longer than half the peer timeout does not blame its peers on the late tick', async () => {
      // Short heartbeats keep the spec quick; the late-tick rule is relative to them.
      const { a, b, link } = await linkedPair({ heartbeatInterval: 200, peerTimeout: 1000 });
      link();
      void b;
      const peer = await a.peer(b.location, { timeout: 1000 });
      // Block this thread (both nodes) for longer than peerTimeout: the first tick after is late.
      const spinUntil = performance.now() + a.options.peerTimeout + 200;
      while (performance.now() < spinUntil);
      for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, a.options.heartbeatInterval / 4));
      expect(peer.state).to.equal('online');
    });
  });
});
