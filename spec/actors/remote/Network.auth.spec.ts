/** The network's handshake with real processes: secrets that differ, protocol versions, closed ports. */
import { expect } from 'chai';
import { AuthenticationError, PeerUnreachableError, ProtocolVersionError, Scheduler } from '../../../index.js';
import { killAllPeerProcesses, networkFixture, PeerProcess } from '../../fixtures/index.js';
import { captureLogger, settle } from '../../helpers.js';

describe('Network: authentication and versions (real processes on 127.0.0.1)', function () {
  this.timeout(30_000);
  const fx = networkFixture();
  after(killAllPeerProcesses);

  describe('authentication and versions', () => {
    it('a peer with the wrong secret never becomes a peer, is logged once, and the log holds no secret', async () => {
      const cap = captureLogger('debug');
      const net = await fx.node({ secret: 'right-secret-123' }, new Scheduler({ logger: cap.logger }));
      const bad = await PeerProcess.start({ secret: 'wrong-secret-456', seeds: [String(net.location)], heartbeatInterval: 100 });
      try {
        const r1 = await settle(net.peer(bad.ready.location, { timeout: 3000 }));
        expect(AuthenticationError.is(r1.error)).to.equal(true);
        // Again: refused at its first sealed record, or, within the delay our failure earned this address there, before the handshake.
        const r2 = await settle(net.peer(bad.ready.location, { timeout: 3000 }));
        expect((r2.error as { code?: string }).code).to.be.oneOf(['ERR_AUTHENTICATION', 'ERR_PEER_UNREACHABLE']);
        // The bad node dials us too (its seed, then twice more): refused each time, at its first sealed record or, within
        // the delay its failures earned its address, before the handshake; and still logged only once.
        for (let i = 0; i < 2; i++) {
          const dialled = await bad.command({ cmd: 'peer', location: String(net.location), timeout: 3000 });
          expect(dialled.code).to.be.oneOf(['ERR_AUTHENTICATION', 'ERR_PEER_UNREACHABLE']);
        }
        expect(net.peers()).to.deep.equal([]);
        // Refused at the first sealed record, before any hello: once for the location we dialled, once for the
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

    it('1.x, 2.x and 3.0 peers are refused with ProtocolVersionError naming both versions, either side dialling; a compatible minor works', async () => {
      const net = await fx.node({ secret: 'versions', peering: 'hub' });
      const v1 = await PeerProcess.start({ secret: 'versions', protocolVersion: { major: 1, minor: 0 } });
      // 2.1: the build before sealed records (its links ran TLS-PSK); 3.0: sealed records without
      // the X25519 exchange (its NONCE frame has no key share). Each refuses us, and we them, in the greeting.
      const v21 = await PeerProcess.start({ secret: 'versions', protocolVersion: { major: 2, minor: 1 } });
      const v30 = await PeerProcess.start({ secret: 'versions', protocolVersion: { major: 3, minor: 0 } });
      const v4x = await PeerProcess.start({ secret: 'versions', protocolVersion: { major: 4, minor: 7 }, peering: 'hidden' });
      try {
        for (const [old, name] of [[v1, '1.0'], [v21, '2.1'], [v30, '3.0']] as const) {
          const r = await settle(net.peer(old.ready.location, { timeout: 3000 }));
          expect(ProtocolVersionError.is(r.error), String(r.error)).to.equal(true);
          expect(r.error.message).to.include(`peer speaks ${name}`).and.include('this node 4.0');
          const back = await old.command({ cmd: 'peer', location: String(net.location), timeout: 3000 });
          expect(back.code, JSON.stringify(back)).to.equal('ERR_PROTOCOL_VERSION');
          expect(back.error).to.include('peer speaks 4.0').and.include(`this node ${name}`);
        }
        const ok = await net.peer(v4x.ready.location, { timeout: 3000 });
        expect(ok.isOnline).to.equal(true);
        expect(ok.peering).to.equal('hidden');
        expect(net.peers().map(String)).to.deep.equal([v4x.ready.location]);
      } finally {
        await v1.kill();
        await v21.kill();
        await v30.kill();
        await v4x.kill();
      }
    });

    it('connecting to a closed port fails with PeerUnreachableError', async () => {
      const net = await fx.node({ connectTimeout: 1000 });
      const r = await settle(net.peer('127.0.0.1:1', { timeout: 3000 }));
      expect(PeerUnreachableError.is(r.error)).to.equal(true);
    });
  });
});
