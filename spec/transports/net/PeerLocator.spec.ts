import { expect } from 'chai';
import { Registry } from '../../../runtime/Registry.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { Location } from '../../../transports/net/Location.js';
import { PeerLostError, PeerUnreachableError } from '../../../transports/net/netErrors.js';
import type { Peer } from '../../../transports/net/Peer.js';
import { MAX_REMOTE_LOCATE_WAIT, PeerLocator, serveLocate, type LocateKind, type LocatorHost } from '../../../transports/net/PeerLocator.js';
import { CORO_LOCATE } from '../../../actors/remote/coroRequests.js';
import { RemoteCoro } from '../../../actors/remote/RemoteCoro.js';
import { networkFixture } from '../../fixtures/index.js';
import { deferred, expectError, rejection, turn, until } from '../../helpers.js';

type Thing = { thing: string };
type Ask = { peer: FakePeer; type: string; body: unknown; options: any; answer: ReturnType<typeof deferred<unknown>> };

/** A peer whose requests the test answers. */
class FakePeer {
  isOnline = true;
  readonly asks: Ask[] = [];
  constructor(readonly name: string, private readonly log: Ask[]) {}
  request(type: string, body: unknown, options: unknown): Promise<unknown> {
    const ask: Ask = { peer: this, type, body, options, answer: deferred<unknown>() };
    this.asks.push(ask);
    this.log.push(ask);
    return ask.answer.promise;
  }
  readonly posts: Array<{ type: string; body: unknown }> = [];
  post(type: string, body: unknown): boolean {
    this.posts.push({ type, body });
    return true;
  }
}

describe('PeerLocator', () => {
  let sched: Scheduler;
  let registry: Registry<Thing>;
  let kind: LocateKind;
  let peers: FakePeer[];
  let routes: Map<string, FakePeer>;
  let asks: Ask[];
  let handlers: Map<string, (body: unknown, peer: Peer) => unknown>;
  let locator: PeerLocator;
  const here = new Location('127.0.0.1', 1000);
  const there = new Location('127.0.0.1', 2000);

  beforeEach(() => {
    sched = new Scheduler();
    registry = new Registry<Thing>('thing', () => true);
    kind = { request: 'thing-locate', registry: () => registry, isFound: (v) => typeof v === 'object' && v !== null && 'thing' in v };
    asks = [];
    peers = [new FakePeer('p1', asks), new FakePeer('p2', asks)];
    routes = new Map([[String(there), peers[0]]]);
    handlers = new Map();
    const host: LocatorHost = {
      scheduler: sched,
      location: here,
      requestTimeout: 1000,
      options: { peering: 'mesh' },
      get locator() {
        return locator;
      },
      route: (loc) => routes.get(String(loc)) as unknown as Peer | undefined,
      onlinePeers: () => peers.filter((p) => p.isOnline) as unknown as Peer[],
      peerByIncarnation: () => undefined,
      handle: (type, handler) => {
        handlers.set(type, handler);
        return () => handlers.delete(type);
      },
    };
    locator = new PeerLocator(host);
  });
  afterEach(async () => {
    locator.stop();
    await sched.terminate();
  });

  describe('through a host it is given', () => {
    it('a local name is found here first, without asking anyone', async () => {
      const t = { thing: 'local' };
      registry.add('x', t);
      expect(await locator.locate('x', { timeout: 1000 }, kind)).to.equal(t);
      expect(asks).to.deep.equal([]);
    });

    it('timeout 0 looks only here', async () => {
      expect(await locator.locate('x', { timeout: 0 }, kind)).to.equal(undefined);
      expect(asks).to.deep.equal([]);
    });

    it('asks every online peer with [name, waitMs]; the first answer that counts wins', async () => {
      const p = locator.locate('x', { timeout: 5000 }, kind);
      expect(asks.map((a) => [a.peer.name, a.type])).to.deep.equal([['p1', 'thing-locate'], ['p2', 'thing-locate']]);
      const [name, waitMs] = asks[0].body as [string, number];
      expect(name).to.equal('x');
      expect(waitMs).to.be.within(4000, 5000);
      expect(asks[0].options.alarm).to.equal(null);
      asks[0].answer.resolve(null); // not found there: does not count
      asks[1].answer.resolve({ thing: 'from p2' });
      expect(await p).to.deep.equal({ thing: 'from p2' });
    });

    it('one peer of many failing is not the caller\'s error', async () => {
      const p = locator.locate('x', { timeout: 5000 }, kind);
      asks[0].answer.reject(new PeerLostError('gone'));
      await turn();
      asks[1].answer.resolve({ thing: 'still found' });
      expect(await p).to.deep.equal({ thing: 'still found' });
    });

    it('a name registered here while it waits is found too', async () => {
      const p = locator.locate('x', { timeout: 5000 }, kind);
      const t = { thing: 'late local' };
      registry.add('x', t);
      expect(await p).to.equal(t);
    });

    it('a peer that comes online while it waits is asked too', async () => {
      const p = locator.locate('x', { timeout: 5000 }, kind);
      const late = new FakePeer('late', asks);
      locator.peerOnline(late as unknown as Peer);
      expect(late.asks.length).to.equal(1);
      late.asks[0].answer.resolve({ thing: 'late peer' });
      expect(await p).to.deep.equal({ thing: 'late peer' });
      locator.peerOnline(new FakePeer('after', asks) as unknown as Peer);
      expect(asks.filter((a) => a.peer.name === 'after')).to.deep.equal([]); // nothing pending any more
    });

    it('times out with undefined when nobody answers in time, leaving nothing pending', async () => {
      expect(await locator.locate('x', { timeout: 10 }, kind)).to.equal(undefined);
      locator.peerOnline(new FakePeer('after', asks) as unknown as Peer);
      expect(asks.filter((a) => a.peer.name === 'after')).to.deep.equal([]);
      expect(sched.timers.size).to.equal(0);
    });

    it('is cancelled by its signal (at once when already aborted)', async () => {
      const ac = new AbortController();
      const p = locator.locate('x', { signal: ac.signal }, kind);
      ac.abort(new Error('stop'));
      expect(((await rejection(p)) as Error).message).to.equal('stop');
      expect(((await rejection(locator.locate('x', { signal: ac.signal }, kind))) as Error).message).to.equal('stop');
      asks[0].answer.resolve({ thing: 'too late' }); // an answer after the cancel changes nothing
      await turn();
    });

    it('stop() ends every pending locate with undefined', async () => {
      const p = locator.locate('x', {}, kind);
      locator.stop();
      expect(await p).to.equal(undefined);
    });

    it('a specific location asks only that node; its failure is the caller\'s error', async () => {
      const p = locator.locate('x', { location: there, timeout: 5000 }, kind);
      expect(asks.map((a) => a.peer.name)).to.deep.equal(['p1']);
      asks[0].answer.reject(new PeerLostError('lost it'));
      expect(PeerLostError.is(await rejection(p))).to.equal(true);
      const q = locator.locate('x', { location: String(there), timeout: 5000 }, kind);
      asks[1].answer.resolve({ thing: 'there' });
      expect(await q).to.deep.equal({ thing: 'there' });
    });

    it('a location that cannot be routed is PeerUnreachableError; this node\'s own location looks here', async () => {
      await expectError(() => locator.locate('x', { location: '127.0.0.1:3000', timeout: 1000 }, kind), PeerUnreachableError);
      const t = { thing: 'home' };
      registry.add('x', t);
      expect(await locator.locate('x', { location: here, timeout: 1000 }, kind)).to.equal(t);
      expect(asks).to.deep.equal([]);
    });

    it('a wait longer than MAX_REMOTE_LOCATE_WAIT asks in slices, again while the caller waits', async () => {
      const p = locator.locate('x', { timeout: MAX_REMOTE_LOCATE_WAIT * 3 }, kind);
      expect((asks[0].body as [string, number])[1]).to.equal(MAX_REMOTE_LOCATE_WAIT);
      asks[0].answer.resolve(null);
      await until(() => peers[0].asks.length === 2);
      peers[0].asks[1].answer.resolve({ thing: 'second ask' });
      expect(await p).to.deep.equal({ thing: 'second ask' });
    });

    it('bad names and options are InvalidArgumentError', async () => {
      for (const bad of ['', 5, undefined]) await expectError(() => locator.locate(bad as never, {}, kind), InvalidArgumentError);
      for (const opts of [{ timeout: -1 }, { timeout: 'x' }, { location: 'nope' }]) await expectError(() => locator.locate('x', opts as never, kind), InvalidArgumentError);
      expect(asks).to.deep.equal([]);
    });

    it('serveLocate answers from this node\'s registry, waiting up to the asked time; malformed bodies are InvalidArgumentError', async () => {
      serveLocate({ scheduler: sched, location: here, requestTimeout: 1000, options: { peering: 'mesh' }, locator, route: () => undefined, onlinePeers: () => [], peerByIncarnation: () => undefined, handle: (t, h) => (handlers.set(t, h), () => undefined) }, kind);
      const serve = handlers.get('thing-locate')!;
      const peer = {} as Peer;
      expect(await serve(['x', 0, 1], peer)).to.equal(null);
      const later = serve(['x', 5000, 2], peer) as Promise<unknown>;
      const t = { thing: 'registered later' };
      registry.add('x', t);
      expect(await later).to.equal(t);
      for (const bad of ['x', ['x'], ['', 1, 1], [1, 1, 1], ['x', '1', 1], ['x', 1], ['x', 1, 'id'], ['x', 1, 2, 3]]) {
        await expectError(() => serve(bad, peer), InvalidArgumentError);
      }
    });
  });

  describe('between two nodes (Network.start, no discovery)', function () {
    this.timeout(20_000);
    const { node } = networkFixture();

    it('finds a coroutine registered at the other node, and one registered there later', async () => {
      const a = await node({ secret: 'loc' });
      const b = await node({ secret: 'loc', seeds: [a.location] });
      await until(() => a.peers().length === 1 && b.peers().length === 1, 5000, 'the nodes to peer');
      b.scheduler.spawnWith({ name: 'there', daemon: true }, async (c) => void (await c.suspend())).register();
      const found = await a.locator.locate('there', { timeout: 5000 }, CORO_LOCATE);
      expect(found).to.be.instanceOf(RemoteCoro);
      expect((found as RemoteCoro).location.equals(b.location)).to.equal(true);
      const later = a.locator.locate('later', { timeout: 5000 }, CORO_LOCATE);
      b.scheduler.spawnWith({ name: 'later', daemon: true }, async (c) => void (await c.suspend())).register();
      expect(String(await later)).to.match(/^later\/\d+@/);
      expect(await a.locator.locate('nobody', { location: b.location, timeout: 50 }, CORO_LOCATE)).to.equal(undefined);
    });
  });
});
