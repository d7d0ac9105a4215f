import { expect } from 'chai';
import { Network } from '../../../actors/remote/Network.js';
import type { RemoteCoro } from '../../../actors/remote/RemoteCoro.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { Peer } from '../../../transports/net/Peer.js';
import { until } from '../../helpers.js';

describe('Network: a network-wide locate leaves nothing behind, and a located name is cached', () => {
  const scheds: Scheduler[] = [];
  const nets: Network[] = [];
  afterEach(async () => {
    await Promise.all(nets.splice(0).map((n) => n.stop()));
    await Promise.all(scheds.splice(0).map((s) => s.terminate()));
  });

  async function mesh(count: number): Promise<Network[]> {
    for (let i = 0; i < count; i++) {
      const s = new Scheduler();
      scheds.push(s);
      nets.push(await Network.start(s, { discover: false, name: `n${i}` }));
    }
    for (const a of nets) for (const b of nets) if (a !== b) await a.peer(b.location, { timeout: 5000 });
    return nets;
  }

  it('once an answer arrives, the other peers stop waiting; a second locate of the name asks nobody', async () => {
    const [a, b, c, d] = await mesh(4);
    const x = c!.scheduler.spawnWith({ daemon: true, name: 'x' }, async (coro) => void (await coro.suspend()));
    x.register('x');
    const requests: string[] = [];
    const original = Peer.prototype.request;
    Peer.prototype.request = function (this: Peer, type: string, ...rest: [unknown, never]) {
      requests.push(type);
      return original.call(this, type, ...rest);
    } as typeof original;
    try {
      const found = (await a!.locateCoro('x', { timeout: 20_000 })) as RemoteCoro; // far longer than the wait below
      expect(found.location.equals(c!.location)).to.equal(true);
      // b and d were asked too: once c answered they were told to stop, and wait for nothing.
      await until(() => b!.scheduler.coroNames.waiting === 0 && d!.scheduler.coroNames.waiting === 0);
      requests.length = 0;
      const again = (await a!.locateCoro('x', { timeout: 5000 })) as RemoteCoro;
      expect(again.equals(found)).to.equal(true);
      expect(requests, 'requests caused by the second locate').to.deep.equal([]);
      expect(await a!.locateCoro('x', { timeout: 0 }), 'the cache answers a poll too').to.not.equal(undefined);
    } finally {
      Peer.prototype.request = original;
    }
    // The coroutine ends: its cached location is forgotten.
    x.terminate();
    let forgotten = false;
    for (let i = 0; i < 200 && !forgotten; i++) {
      forgotten = (await a!.locateCoro('x', { timeout: 0 })) === undefined;
      if (!forgotten) await new Promise((r) => setTimeout(r, 10));
    }
    expect(forgotten, 'the ended coroutine is no longer found in the cache').to.equal(true);
  });

  it('a hidden node\'s network-wide locate is relayed one hop by the node it asks (and no further); nothing is left waiting', async () => {
    const open = async (name: string, peering: 'mesh' | 'leaf' | 'hidden'): Promise<Network> => {
      const s = new Scheduler();
      scheds.push(s);
      const n = await Network.start(s, { discover: false, name, peering });
      nets.push(n);
      return n;
    };
    // hidden → relay ↔ x-node, y-node; y-node ↔ far (two hops from the hidden node)
    const [hidden, relay, xNode, yNode, far] = [await open('hidden', 'hidden'), await open('relay', 'leaf'), await open('x-node', 'leaf'), await open('y-node', 'leaf'), await open('far', 'leaf')];
    for (const n of [xNode, yNode]) await relay.peer(n.location, { timeout: 5000 });
    await yNode.peer(far.location, { timeout: 5000 });
    await hidden.peer(relay.location, { timeout: 5000 });
    const daemon = (net: Network, name: string) => net.scheduler.spawnWith({ daemon: true, name }, async (coro) => void (await coro.suspend())).register(name);
    daemon(xNode, 'x');
    daemon(far, 'z');
    const x = (await hidden.locateCoro('x', { timeout: 10_000 })) as RemoteCoro;
    expect(x?.location.equals(xNode.location), 'found at a peer of the node it asked').to.equal(true);
    await until(() => [relay, yNode].every((n) => n.scheduler.coroNames.waiting === 0), 5000, 'the relayed asks to end');
    // Using it connects the hidden node to where it lives (connect on first use).
    await until(() => hidden.peers().some((l) => l.equals(xNode.location)), 5000, 'the hidden node to reach x-node');
    // Two hops away is not found; a locate that times out leaves nothing waiting anywhere.
    expect(await hidden.locateCoro('z', { timeout: 400 })).to.equal(undefined);
    await until(() => [hidden, relay, xNode, yNode, far].every((n) => n.scheduler.coroNames.waiting === 0), 5000, 'nothing left waiting');
    // A node that is not hidden gets no relay: the relay's own locate asks its peers only.
    expect(await relay.locateCoro('z', { timeout: 400 })).to.equal(undefined);
    expect(await yNode.locateCoro('z', { timeout: 5000 }), 'z is there, at a peer of y-node').to.not.equal(undefined);
  });

  it('a located name whose node goes away is forgotten', async () => {
    const [a, b] = await mesh(2);
    b!.scheduler.spawnWith({ daemon: true, name: 'y' }, async (coro) => void (await coro.suspend())).register('y');
    expect(await a!.locateCoro('y', { timeout: 5000 })).to.not.equal(undefined);
    await b!.stop();
    await until(() => a!.peers().length === 0);
    expect(await a!.locateCoro('y', { timeout: 0 })).to.equal(undefined);
  });
});
