import { expect } from 'chai';
import { Coro, FrameTooLargeError, PeerLostError, PeerStatus, RemoteCoro, Scheduler } from '../../../index.js';
import { networkFixture, socketOf } from '../../fixtures/index.js';
import { captureLogger, until } from '../../helpers.js';

describe('Peer connections', function () {
  this.timeout(20_000);
  const { node, nets } = networkFixture();

  it('simultaneous connects in both directions end with exactly one connection per pair', async () => {
    for (let round = 0; round < 15; round++) {
      const a = await node(), b = await node();
      const seenA: string[] = [], seenB: string[] = [];
      a.peerStatus({ send: (s: unknown) => (seenA.push((s as PeerStatus).status), true) });
      b.peerStatus({ send: (s: unknown) => (seenB.push((s as PeerStatus).status), true) });
      const [pa, pb] = await Promise.all([a.peer(b.location, { timeout: 5000 }), b.peer(a.location, { timeout: 5000 })]);
      expect(pa.incarnation).to.equal(b.incarnation);
      expect(pb.incarnation).to.equal(a.incarnation);
      // Both ends keep the same TCP connection (one end's local port is the other's remote port).
      await until(() => socketOf(pa)?.localPort === socketOf(pb)?.remotePort && socketOf(pb)?.localPort === socketOf(pa)?.remotePort, 5000, 'both ends to keep the same connection');
      // both sides kept the same connection: the one the lower node id initiated
      expect(pa.connection!.initiator).to.equal(!pb.connection!.initiator);
      expect(pa.connection!.initiator).to.equal(a.incarnation < b.incarnation);
      // and the surviving connection carries requests both ways
      const c = b.scheduler.spawnWith({ name: 'x', daemon: true }, async (coro) => void (await coro.suspend()));
      c.register('x');
      const remote = (await a.locateCoro('x', { location: b.location, timeout: 2000 })) as RemoteCoro;
      expect(await remote.deliver('hi', { timeout: 2000 })).to.equal(true);
      // After that round trip each node still has the peer object it was given, online, and saw it come online once.
      expect(a.peerByIncarnation(b.incarnation)).to.equal(pa);
      expect(b.peerByIncarnation(a.incarnation)).to.equal(pb);
      expect(a.peers().map(String)).to.deep.equal([String(b.location)]);
      expect(b.peers().map(String)).to.deep.equal([String(a.location)]);
      expect(seenA).to.deep.equal(['online']);
      expect(seenB).to.deep.equal(['online']);
      for (const n of nets.splice(0)) await n.stop();
    }
  });

  it('a message larger than maxFrame throws FrameTooLargeError; the connection stays up', async () => {
    const a = await node({ maxFrame: 4096 }), b = await node({ maxFrame: 4096 });
    const c = b.scheduler.spawnWith({ name: 'big', daemon: true }, async (coro: Coro<any>) => {
      for (;;) await coro.receive();
    });
    c.register('big');
    const remote = (await a.locateCoro('big', { location: b.location, timeout: 2000 })) as RemoteCoro;
    expect(() => remote.send('x'.repeat(10_000))).to.throw(FrameTooLargeError);
    expect(await remote.deliver('small', { timeout: 2000 })).to.equal(true);
  });

  it('an oversized frame from a peer drops the connection (logged) and fails what waits on it', async () => {
    const { logger, lines } = captureLogger('warn');
    const small = await node({ maxFrame: 4096 }, new Scheduler({ logger }));
    const large = await node({ maxFrame: 1 << 20 });
    const c = small.scheduler.spawnWith({ name: 'target', daemon: true }, async (coro: Coro<any>) => void (await coro.suspend()));
    c.register('target');
    const remote = (await large.locateCoro('target', { location: small.location, timeout: 2000 })) as RemoteCoro;
    const pending = remote.finish().catch((e) => e);
    remote.send('y'.repeat(100_000));
    const err = await pending;
    expect(PeerLostError.is(err)).to.equal(true);
    expect(lines.some((l) => l.msg === 'peer connection dropped' && /exceeds the limit/.test(l.err?.message))).to.equal(true);
  });

  it('writes are coalesced: a burst of sends leaves in few writes', async () => {
    const a = await node(), b = await node();
    let received = 0;
    const sink = b.scheduler.spawnWith({ name: 'sink', daemon: true }, async (coro: Coro<any>) => {
      for (;;) {
        await coro.receive();
        received++;
      }
    });
    sink.register('sink');
    const remote = (await a.locateCoro('sink', { location: b.location, timeout: 2000 })) as RemoteCoro;
    const peer = (await a.peer(b.location))!;
    const socket = socketOf(peer)!;
    let writes = 0;
    const write = socket.write.bind(socket);
    (socket as any).write = (...args: any[]) => (writes++, (write as any)(...args));
    for (let i = 0; i < 1000; i++) remote.send(i);
    await until(() => received === 1000, 5000, 'every message to arrive');
    expect(writes).to.be.at.most(3);
  });
});

describe('Peer: how a peer is named in errors and logs', () => {
  it('a node named after its location prints once; a named node prints name@location', async () => {
    const { Scheduler } = await import('../../../runtime/Scheduler.js');
    const { Network } = await import('../../../actors/remote/Network.js');
    const a = new Scheduler(), b = new Scheduler(), c = new Scheduler();
    const netA = await Network.start(a, { discover: false });
    const netB = await Network.start(b, { discover: false });
    const netC = await Network.start(c, { discover: false, name: 'named-node' });
    try {
      const unnamed = await netA.peer(netB.location, { timeout: 5000 });
      const named = await netA.peer(netC.location, { timeout: 5000 });
      expect(String(unnamed)).to.equal(String(netB.location));
      expect(String(named)).to.equal(`named-node@${netC.location}`);
    } finally {
      await Promise.all([netA.stop(), netB.stop(), netC.stop()]);
      await Promise.all([a.terminate(), b.terminate(), c.terminate()]);
    }
  });
});

describe('Peer: what a snapshot shows of peers', () => {
  it('sched.snapshot().peers: identity, traffic each way, the last round trip, and reconnects', async () => {
    const { Scheduler } = await import('../../../runtime/Scheduler.js');
    const { Network } = await import('../../../actors/remote/Network.js');
    const a = new Scheduler(), b = new Scheduler(), b2 = new Scheduler();
    const netA = await Network.start(a, { discover: false });
    let netB = await Network.start(b, { discover: false, name: 'bee' });
    try {
      netB.handle('echo', (body) => body);
      await netA.peer(netB.location, { timeout: 5000 });
      expect(await netA.request(netB.location, 'echo', 'x'.repeat(1000), { timeout: 5000 })).to.have.length(1000);
      const [p] = a.snapshot().peers;
      expect(p).to.include({ location: String(netB.location), name: 'bee', incarnation: netB.incarnation, state: 'online', reconnects: 0 });
      expect(p!.bytesOut).to.be.above(1000);
      expect(p!.bytesIn).to.be.above(1000);
      expect(p!.framesOut).to.be.at.least(1);
      expect(p!.framesIn).to.be.at.least(1);
      expect(p!.roundTripMs).to.be.a('number');
      expect(p!.lastHeardMs).to.be.at.least(0);
      // The same location again, a new incarnation: a reconnect.
      const port = netB.location.port;
      await netB.stop();
      netB = await Network.start(b2, { discover: false, name: 'bee', port });
      await netA.peer(netB.location, { timeout: 5000 });
      expect(a.snapshot().peers.map((q) => q.reconnects)).to.deep.equal([1]);
    } finally {
      await Promise.all([netA.stop(), netB.stop()]);
      await Promise.all([a.terminate(), b.terminate(), b2.terminate()]);
    }
  });
});
