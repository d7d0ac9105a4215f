/** The network's handshake with real processes: secrets that differ, protocol versions, closed ports. */
import { expect } from 'chai';
import { AuthenticationError, Network, PeerUnreachableError, ProtocolVersionError, Scheduler } from '../../../index.js';
import { killAllPeerProcesses, PeerProcess } from '../../fixtures/index.js';
import { captureLogger, settle } from '../../helpers.js';

describe('Network: authentication and versions (real processes on 127.0.0.1)', function () {
  this.timeout(30_000);
  let sched: Scheduler;
  let net: Network | undefined;

  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await net?.stop();
    net = undefined;
    await sched.terminate();
  });
  after(killAllPeerProcesses);

  describe('authentication and versions', () => {
    it('a peer with the wrong secret never becomes a peer, is logged once, and the log holds no secret', async () => {
      const cap = captureLogger('debug');
      sched = new Scheduler({ logger: cap.logger });
      net = await Network.start(sched, { discover: false, secret: 'right-secret-123' });
      const bad = await PeerProcess.start({ secret: 'wrong-secret-456', seeds: [String(net.location)], heartbeatInterval: 100 });
      try {
        const r1 = await settle(net.peer(bad.ready.location, { timeout: 3000 }));
        expect(AuthenticationError.is(r1.error)).to.equal(true);
        // Again: refused by TLS, or, within the delay our failure earned this address there, before the handshake.
        const r2 = await settle(net.peer(bad.ready.location, { timeout: 3000 }));
        expect((r2.error as { code?: string }).code).to.be.oneOf(['ERR_AUTHENTICATION', 'ERR_PEER_UNREACHABLE']);
        // The bad node dials us too (its seed, then twice more): refused each time, by TLS or, within
        // the delay its failures earned its address, before the handshake; and still logged only once.
        for (let i = 0; i < 2; i++) {
          const dialled = await bad.command({ cmd: 'peer', location: String(net.location), timeout: 3000 });
          expect(dialled.code).to.be.oneOf(['ERR_AUTHENTICATION', 'ERR_PEER_UNREACHABLE']);
        }
        expect(net.peers()).to.deep.equal([]);
        // Refused by TLS-PSK, before any hello: once for the location we dialled, once for the
        // address it dials from (its location is unknown without a hello), however often it tries.
        const refusals = cap.lines.filter((l) => l.msg === 'peer refused');
        expect(refusals.map((l) => l.remote).sort()).to.deep.equal(['127.0.0.1', bad.ready.location].sort());
        expect(refusals.map((l) => l.code)).to.deep.equal(['ERR_AUTHENTICATION', 'ERR_AUTHENTICATION']);
        expect(cap.raw.join('')).to.not.include('right-secret-123');
        expect(cap.raw.join('')).to.not.include('wrong-secret-456');
        expect(bad.stderr.join('')).to.not.include('wrong-secret-456');
      } finally {
        await bad.kill();
      }
    });

    it('a 1.x peer is refused with ProtocolVersionError naming both versions, either side dialling; a compatible minor works, a 2.0 one too (as a mesh node)', async () => {
      net = await Network.start(sched, { discover: false, secret: 'versions', peering: 'hub' });
      const v1 = await PeerProcess.start({ secret: 'versions', protocolVersion: { major: 1, minor: 0 } });
      const v2x = await PeerProcess.start({ secret: 'versions', protocolVersion: { major: 2, minor: 7 } });
      const v20 = await PeerProcess.start({ secret: 'versions', protocolVersion: { major: 2, minor: 0 }, peering: 'hidden' });
      try {
        const r = await settle(net.peer(v1.ready.location, { timeout: 3000 }));
        expect(ProtocolVersionError.is(r.error), String(r.error)).to.equal(true);
        expect(r.error.message).to.include('peer speaks 1.0').and.include('this node 2.1');
        const back = await v1.command({ cmd: 'peer', location: String(net.location), timeout: 3000 });
        expect(back.code, JSON.stringify(back)).to.equal('ERR_PROTOCOL_VERSION');
        expect(back.error).to.include('peer speaks 2.1').and.include('this node 1.0');
        const ok = await net.peer(v2x.ready.location, { timeout: 3000 });
        expect(ok.isOnline).to.equal(true);
        expect(net.peers().map(String)).to.deep.equal([v2x.ready.location]);
        // A 2.0 node says no peering (whatever it runs with): it is taken as a mesh node.
        const old = await net.peer(v20.ready.location, { timeout: 3000 });
        expect(old.peering).to.equal('mesh');
      } finally {
        await v1.kill();
        await v2x.kill();
        await v20.kill();
      }
    });

    it('connecting to a closed port fails with PeerUnreachableError', async () => {
      net = await Network.start(sched, { discover: false, connectTimeout: 1000 });
      const r = await settle(net.peer('127.0.0.1:1', { timeout: 3000 }));
      expect(PeerUnreachableError.is(r.error)).to.equal(true);
    });
  });
});
