import { expect } from 'chai';
import { pino } from 'pino';
import { Coro, FrameTooLargeError, Network, PeerLostError, PeerStatus, RemoteCoro, Scheduler } from '../../../index.js';

describe('Peer connections', function () {
  this.timeout(20_000);
  const nets: Network[] = [];
  const scheds: Scheduler[] = [];
  async function node(options: object = {}, sched = new Scheduler()): Promise<Network> {
    scheds.push(sched);
    const n = await Network.start(sched, { discover: false, ...options });
    nets.push(n);
    return n;
  }
  afterEach(async () => {
    for (const n of nets.splice(0)) await n.stop();
    for (const s of scheds.splice(0)) await s.terminate();
  });

  it('simultaneous connects in both directions end with exactly one connection per pair', async () => {
    for (let round = 0; round < 15; round++) {
      const a = await node(), b = await node();
      const seen: string[] = [];
      a.peerStatus({ send: (s: unknown) => (seen.push((s as PeerStatus).status), true) });
      const [pa, pb] = await Promise.all([a.peer(b.location, { timeout: 5000 }), b.peer(a.location, { timeout: 5000 })]);
      expect(pa.incarnation).to.equal(b.incarnation);
      expect(pb.incarnation).to.equal(a.incarnation);
      await new Promise((r) => setTimeout(r, 20));
      expect(a.peers().length).to.equal(1);
      expect(b.peers().length).to.equal(1);
      expect(seen).to.deep.equal(['online']);
      // both sides kept the same connection: the one the lower node id initiated
      expect(pa.connection!.initiator).to.equal(!pb.connection!.initiator);
      expect(pa.connection!.initiator).to.equal(a.incarnation < b.incarnation);
      // and the surviving connection carries requests both ways
      const c = b.scheduler.spawnWith({ name: 'x', daemon: true }, async (coro) => void (await coro.suspend()));
      c.register('x');
      const remote = (await a.locateCoro('x', { location: b.location, timeout: 2000 })) as RemoteCoro;
      expect(await remote.deliver('hi', { timeout: 2000 })).to.equal(true);
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
    const lines: any[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
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
    const socket = peer.connection!.socket;
    let writes = 0;
    const write = socket.write.bind(socket);
    (socket as any).write = (...args: any[]) => (writes++, (write as any)(...args));
    for (let i = 0; i < 1000; i++) remote.send(i);
    const deadline = performance.now() + 5000;
    while (received < 1000 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(received).to.equal(1000);
    expect(writes).to.be.at.most(3);
  });
});
