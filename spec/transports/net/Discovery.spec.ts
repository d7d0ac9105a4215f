import { expect } from 'chai';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { Network, PeerStatus, Scheduler } from '../../../index.js';
import { encodePing, parsePing } from '../../../transports/net/Discovery.js';
import { newNodeId, PROTOCOL_VERSION } from '../../../transports/net/handshake.js';
import type { Peering } from '../../../transports/net/peering.js';
import { killAllPeerProcesses, PeerProcess, networkFixture } from '../../fixtures/index.js';
import { until } from '../../helpers.js';

describe('Discovery', function () {
  this.timeout(20_000);
  const fx = networkFixture();
  const node = (options: object): Promise<Network> => fx.node({ discover: true, udpPort: 0, udpHost: '127.0.0.1', ...options });
  after(killAllPeerProcesses);

  it('pings round-trip; anything else is ignored', () => {
    const info = { nodeId: newNodeId(), host: '127.0.0.1', port: 9705, name: 'n1', version: { major: 1, minor: 2 }, peering: 'mesh' as const };
    expect(parsePing(encodePing(info))).to.deep.equal(info);
    for (const peering of ['hub', 'hidden'] as const) {
      const said = encodePing({ ...info, peering });
      expect(said.length, 'a hub or hidden node says so in one more byte').to.equal(encodePing(info).length + 1);
      expect(parsePing(said)).to.deep.equal({ ...info, peering });
    }
    expect(parsePing(encodePing({ ...info, peering: 'leaf' })), 'a leaf pings as a mesh node does (the 2.0 layout)').to.deep.equal(info);
    const unknown = encodePing({ ...info, peering: 'hub' });
    unknown[unknown.length - 1] = 9;
    expect(parsePing(unknown), 'an unknown peering byte').to.equal(undefined);
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

  /** A TCP listener that counts who connects (stands in for the node a ping names). */
  async function listener(host = '127.0.0.1'): Promise<{ port: number; connected: Promise<string>; close(): void }> {
    let connected!: (from: string) => void;
    const p = new Promise<string>((r) => (connected = r));
    const server = net.createServer((s) => (connected(String(s.remoteAddress)), s.destroy()));
    await new Promise<void>((r) => server.listen(0, host, r));
    return { port: (server.address() as net.AddressInfo).port, connected: p, close: () => server.close() };
  }

  async function ping(toHost: string, toPort: number, announce: { host: string; port: number }, fromHost = '127.0.0.1', peering: Peering = 'mesh'): Promise<void> {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, fromHost, r));
    sock.setBroadcast(true);
    const datagram = encodePing({ nodeId: newNodeId(), ...announce, name: 'pinger', version: PROTOCOL_VERSION, peering });
    await new Promise<void>((r) => sock.send(datagram, toPort, toHost, () => r()));
    sock.close();
  }

  function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
    return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
  }

  const external = Object.values(os.networkInterfaces()).flat().find((i) => i?.family === 'IPv4' && !i.internal)?.address;

  it('a ping makes a node dial the datagram\'s source address, never the host the ping announces', async () => {
    const a = await node({ discoveryTargets: [] });
    const target = await listener();
    try {
      await ping('127.0.0.1', a.udpPort!, { host: '203.0.113.7', port: target.port });
      expect(await within(target.connected, 5000)).to.equal('127.0.0.1');
    } finally {
      target.close();
    }
  });

  it('a hub dials a mesh or leaf pinger, never another hub or a hidden node; a hidden node dials no pinger', async () => {
    const hub = await node({ discoveryTargets: [], peering: 'hub' });
    const hidden = await node({ discoveryTargets: [], peering: 'hidden' });
    const targets = await Promise.all([listener(), listener(), listener(), listener()]);
    try {
      // Pings are handled in the order they arrive: once the last is dialled, the earlier ones were decided.
      await ping('127.0.0.1', hub.udpPort!, { host: '127.0.0.1', port: targets[0]!.port }, '127.0.0.1', 'hub');
      await ping('127.0.0.1', hub.udpPort!, { host: '127.0.0.1', port: targets[1]!.port }, '127.0.0.1', 'hidden');
      await ping('127.0.0.1', hidden.udpPort!, { host: '127.0.0.1', port: targets[2]!.port }, '127.0.0.1', 'mesh');
      await ping('127.0.0.1', hub.udpPort!, { host: '127.0.0.1', port: targets[3]!.port }, '127.0.0.1', 'mesh');
      expect(await within(targets[3]!.connected, 5000)).to.equal('127.0.0.1');
      for (const k of [0, 1, 2]) expect(await within(targets[k]!.connected, 200), `target ${k}`).to.equal('timeout');
    } finally {
      for (const t of targets) t.close();
    }
  });

  it('a loopback node binds discovery to loopback (broadcasts heard); with 0.0.0.0 it still ignores non-loopback senders', async function () {
    if (external === undefined) this.skip();
    // Default binding of a loopback node: the loopback broadcast address.
    const a = await node({ discoveryTargets: [], udpHost: undefined });
    const fromOutside = await listener(), fromLoopback = await listener();
    const b = await node({ discoveryTargets: [], udpHost: '0.0.0.0' });
    const outside2 = await listener(), loopback2 = await listener();
    try {
      await ping(external!, a.udpPort!, { host: '127.0.0.1', port: fromOutside.port }, external);
      await ping('127.255.255.255', a.udpPort!, { host: '127.0.0.1', port: fromLoopback.port });
      expect(await within(fromLoopback.connected, 5000)).to.equal('127.0.0.1');
      // Bound to 0.0.0.0 it receives the datagram from the other address, and ignores it.
      await ping(external!, b.udpPort!, { host: '127.0.0.1', port: outside2.port }, external);
      await ping('127.0.0.1', b.udpPort!, { host: '127.0.0.1', port: loopback2.port });
      expect(await within(loopback2.connected, 5000)).to.equal('127.0.0.1');
      // The pings from outside were sent first and handled first: neither node dialled for them.
      expect(await within(fromOutside.connected, 200)).to.equal('timeout');
      expect(await within(outside2.connected, 200)).to.equal('timeout');
    } finally {
      for (const l of [fromOutside, fromLoopback, outside2, loopback2]) l.close();
    }
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
