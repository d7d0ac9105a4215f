import { expect } from 'chai';
import dgram from 'node:dgram';
import { Network, PeerStatus, Scheduler } from '../../../index.js';
import { encodePing, parsePing } from '../../../transports/net/Discovery.js';
import { newNodeId } from '../../../transports/net/handshake.js';
import { killAllPeerProcesses, PeerProcess } from '../../fixtures/index.js';
import { until } from '../../helpers.js';

describe('Discovery', function () {
  this.timeout(20_000);
  const nets: Network[] = [];
  const scheds: Scheduler[] = [];
  async function node(options: object): Promise<Network> {
    const sched = new Scheduler();
    scheds.push(sched);
    const n = await Network.start(sched, { udpPort: 0, udpHost: '127.0.0.1', ...options });
    nets.push(n);
    return n;
  }
  afterEach(async () => {
    for (const n of nets.splice(0)) await n.stop();
    for (const s of scheds.splice(0)) await s.terminate();
  });
  after(killAllPeerProcesses);

  it('pings round-trip; anything else is ignored', () => {
    const info = { nodeId: newNodeId(), host: '127.0.0.1', port: 9705, name: 'n1', version: { major: 1, minor: 2 } };
    expect(parsePing(encodePing(info))).to.deep.equal(info);
    expect(parsePing(Buffer.from('ping:{"location": "evil"}'))).to.equal(undefined);
    const truncated = encodePing(info).subarray(0, 30);
    expect(parsePing(truncated)).to.equal(undefined);
    expect(parsePing(Buffer.alloc(2000))).to.equal(undefined);
  });

  it('a unicast ping makes two nodes peers; both see each other online', async () => {
    const a = await node({ discoveryTargets: [] });
    const statuses: PeerStatus[] = [];
    a.peerStatus({ send: (s: unknown) => (statuses.push(s as PeerStatus), true) });
    const b = await node({ name: 'node-b', discoveryTargets: [`127.0.0.1:${a.udpPort}`] });
    const found = await a.locatePeer('node-b', { timeout: 5000 });
    expect(found?.equals(b.location)).to.equal(true);
    expect(b.peers().map(String)).to.deep.equal([String(a.location)]);
    expect(statuses.map((s) => [s.name, s.status])).to.deep.equal([['node-b', 'online']]);
    await b.stop();
    await until(() => statuses.length === 2, 5000, 'node-b to go offline');
    expect(statuses.map((s) => s.status)).to.deep.equal(['online', 'offline']);
  });

  it('discover() re-announces on demand, to extra targets too', async () => {
    const a = await node({ discoveryTargets: [], discoveryInterval: 0 });
    const b = await node({ name: 'late', discoveryTargets: [], discoveryInterval: 0 });
    expect(await a.locatePeer('late', { timeout: 200 })).to.equal(undefined);
    b.discover([`127.0.0.1:${a.udpPort}`]);
    expect(String(await a.locatePeer('late', { timeout: 5000 }))).to.equal(String(b.location));
  });

  it('discover: false opens no UDP socket and ignores nothing but finds nobody', async () => {
    const a = await node({ discover: false });
    expect(a.udpPort).to.equal(undefined);
    await node({ discoveryTargets: ['127.0.0.1:9'] });
    expect(await a.locatePeer('anyone', { timeout: 100 })).to.equal(undefined);
  });

  it('a loopback node ignores pings that advertise a non-loopback address', async () => {
    const a = await node({ discoveryTargets: [] });
    const sock = dgram.createSocket('udp4');
    const ping = encodePing({ nodeId: newNodeId(), host: '203.0.113.7', port: 9705, name: 'stranger', version: { major: 1, minor: 0 } });
    await new Promise<void>((r) => sock.send(ping, a.udpPort!, '127.0.0.1', () => r()));
    sock.close();
    expect(await a.locatePeer('stranger', { timeout: 200 })).to.equal(undefined);
  });

  it('a separate process announcing to our UDP port becomes a peer (and a wrong secret never does)', async () => {
    const a = await node({ secret: 'disc', discoveryTargets: [] });
    const good = await PeerProcess.start({ secret: 'disc', discover: true, udpPort: 0, udpHost: '127.0.0.1', name: 'good-one', discoveryTargets: [`127.0.0.1:${a.udpPort}`] });
    const bad = await PeerProcess.start({ secret: 'nope', discover: true, udpPort: 0, udpHost: '127.0.0.1', name: 'bad-one', discoveryTargets: [`127.0.0.1:${a.udpPort}`] });
    try {
      expect(String(await a.locatePeer('good-one', { timeout: 5000 }))).to.equal(good.ready.location);
      expect(await a.locatePeer('bad-one', { timeout: 500 })).to.equal(undefined);
      expect(a.peers().map(String)).to.deep.equal([good.ready.location]);
    } finally {
      await good.kill();
      await bad.kill();
    }
  });
});
