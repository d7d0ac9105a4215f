/** A network on several addresses, and seeds by name that resolve to several nodes: real TCP on loopback. */
import { expect } from 'chai';
import net from 'node:net';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { Location } from '../../../transports/net/Location.js';
import { InsecureNetworkError } from '../../../transports/net/netErrors.js';
import { PeerNetwork } from '../../../transports/net/PeerNetwork.js';
import { resolveOptions, type NetworkOptions } from '../../../transports/net/peerOptions.js';
import { listenAll } from '../../../transports/net/peerDialer.js';
import { until } from '../../helpers.js';

class BareNetwork extends PeerNetwork {
  static async open(sched: Scheduler, options: NetworkOptions): Promise<BareNetwork> {
    const n = new BareNetwork(sched, resolveOptions({ discover: false, secret: 'hosts', ...options }), []);
    await n.open();
    return n;
  }
}

/** Resolves when a TCP connection to `host:port` opens (true) or is refused (false). */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('PeerNetwork on several hosts; seeds by name', function () {
  this.timeout(20_000);
  const scheds: Scheduler[] = [];
  const nets: PeerNetwork[] = [];
  const open = async (options: NetworkOptions): Promise<PeerNetwork> => {
    const sched = new Scheduler();
    scheds.push(sched);
    const n = await BareNetwork.open(sched, options);
    nets.push(n);
    return n;
  };
  afterEach(async () => {
    for (const n of nets.splice(0)) await n.stop();
    for (const s of scheds.splice(0)) await s.terminate();
  });

  it('listens on every given address at one port and advertises the first; peers get in through each; other addresses are refused', async () => {
    const a = await open({ host: ['127.0.0.1', '127.0.0.2'], name: 'a' });
    const port = a.location.port;
    expect(String(a.location)).to.equal(`127.0.0.1:${port}`);
    expect(a.addresses.map(String)).to.deep.equal([`127.0.0.1:${port}`, `127.0.0.2:${port}`]);
    const viaFirst = await open({ name: 'b' });
    const viaSecond = await open({ name: 'c' });
    expect((await viaFirst.peer(`127.0.0.1:${port}`, { timeout: 5000 })).name).to.equal('a');
    expect((await viaSecond.peer(`127.0.0.2:${port}`, { timeout: 5000 })).name).to.equal('a');
    await until(() => a.peers().length === 2, 5000, 'both peers at a');
    expect(await connects('127.0.0.3', port)).to.equal(false); // a listener per address, not a wildcard
    await a.stop();
    expect([await connects('127.0.0.1', port), await connects('127.0.0.2', port)]).to.deep.equal([false, false]);
  });

  it('every host must be loopback unless there is a secret (or insecure); hosts must be non-empty strings', () => {
    expect(() => resolveOptions({ host: ['127.0.0.1', '192.0.2.7'] })).to.throw(InsecureNetworkError, /192\.0\.2\.7/);
    expect(resolveOptions({ host: ['127.0.0.1', '192.0.2.7'], secret: 'a-secret-of-16-bytes' })).to.deep.include({ host: '127.0.0.1', hosts: ['127.0.0.1', '192.0.2.7'], loopbackOnly: false });
    expect(resolveOptions({ host: ['127.0.0.1', '::1', '127.0.0.1'] })).to.deep.include({ hosts: ['127.0.0.1', '::1'], loopbackOnly: true });
    for (const bad of [[], [''], [7]]) expect(() => resolveOptions({ host: bad as string[] }), JSON.stringify(bad)).to.throw(/host must/);
  });

  it('listenAll: a port taken at a later address rejects (EADDRINUSE) and closes what it opened', async () => {
    const blocker = await listenAll(['127.0.0.2'], 0, (s) => s.destroy());
    const port = (blocker[0]!.address() as net.AddressInfo).port;
    try {
      const err = await listenAll(['127.0.0.1', '127.0.0.2'], port, (s) => s.destroy()).catch((e: Error & { code?: string }) => e);
      expect((err as { code?: string }).code).to.equal('EADDRINUSE');
      expect(await connects('127.0.0.1', port)).to.equal(false);
    } finally {
      blocker[0]!.close();
    }
  });

  it('a seed whose name resolves to several addresses dials each (a headless service): both nodes come online, without peer exchange', async () => {
    const first = await open({ host: '127.0.0.1', name: 'pod-1', meshPeers: false });
    const second = await open({ host: '127.0.0.2', port: first.location.port, name: 'pod-2', meshPeers: false });
    const asked: string[] = [];
    const client = await open({
      name: 'client', meshPeers: false, seeds: [`nodes.cluster.test:${first.location.port}`],
      lookup: async (host) => (asked.push(host), ['127.0.0.1', '127.0.0.2']),
    });
    await until(() => client.peers().length === 2, 10_000, 'both pods online at the client');
    expect(client.onlinePeers().map((p) => p.name).sort()).to.deep.equal(['pod-1', 'pod-2']);
    expect(asked).to.deep.equal(['nodes.cluster.test']);
    // Each pod knows only the client: the client found both through the name, not through one another.
    expect([first.peers().map(String), second.peers().map(String)]).to.deep.equal([[String(client.location)], [String(client.location)]]);
  });

  it('a seed name that does not resolve is dialled as it is; address seeds are not looked up', async () => {
    const node = await open({ name: 'n' });
    const asked: string[] = [];
    const client = await open({ name: 'c2', seeds: [`localhost:${node.location.port}`, new Location('127.0.0.1', node.location.port)], lookup: async (host) => (asked.push(host), []) });
    await until(() => client.peers().length === 1, 10_000, 'the node online at the client');
    expect(asked).to.deep.equal(['localhost']);
  });
});
