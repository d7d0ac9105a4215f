import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Coro, Network, RemoteCoro, Scheduler } from '../../../index.js';
import { killAllPeerProcesses, PeerProcess } from '../../fixtures/index.js';
import { captureLogger, settle } from '../../helpers.js';
import type { Logger } from '../../../runtime/logging.js';

const fixtures = new URL('../../../../spec/fixtures/tls/', import.meta.url);
const cert = readFileSync(new URL('cert.pem', fixtures), 'utf8');
const key = readFileSync(new URL('key.pem', fixtures), 'utf8');
const otherCert = readFileSync(new URL('other-cert.pem', fixtures), 'utf8');
const SECRET = 'tls-spec';
const BASE = { discover: false, secret: SECRET, heartbeatInterval: 200, peerTimeout: 3000, connectTimeout: 2000 } as const;


/** Connects a raw client (plain TCP or TLS) and collects what the server sends for `ms` milliseconds. */
function collect(socket: net.Socket, ms: number, write?: Buffer): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let closed = false;
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', () => (closed = true));
    if (write) socket.write(write);
    setTimeout(() => {
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    }, ms);
  });
}

describe('Network over TLS', function () {
  this.timeout(30_000);
  const scheds: Scheduler[] = [];
  const nets: Network[] = [];
  const start = async (options: object, logger?: Logger): Promise<Network> => {
    const sched = new Scheduler(logger ? { logger } : {});
    scheds.push(sched);
    const n = await Network.start(sched, { ...BASE, ...options });
    nets.push(n);
    return n;
  };
  afterEach(async () => {
    for (const n of nets.splice(0)) await n.stop();
    for (const s of scheds.splice(0)) await s.terminate();
  });
  after(killAllPeerProcesses);

  it('two processes with mutual TLS (same CA) peer, locate and exchange messages', async () => {
    const peer = await PeerProcess.start({ ...BASE, tls: { cert, key, ca: cert } });
    try {
      const here = await start({ tls: { cert, key, ca: cert } });
      const p = await here.peer(peer.ready.location, { timeout: 5000 });
      expect(p.incarnation).to.equal(peer.ready.incarnation);
      expect((p.connection!.socket as tls.TLSSocket).encrypted).to.equal(true);
      expect((p.connection!.socket as tls.TLSSocket).getProtocol()).to.match(/^TLSv1\.[23]$/);
      const echo = await Coro.locate('echo', { scheduler: here.scheduler, timeout: 5000 });
      expect(echo).to.be.instanceOf(RemoteCoro);
      const me = here.scheduler.spawn(async (coro: Coro<any>) => {
        echo!.send({ reply: coro, body: 'over tls' });
        return coro.receive({ timeout: 5000 });
      });
      expect(await me.finish()).to.equal('over tls');
      expect(await peer.command({ cmd: 'peers' })).to.deep.equal({ peers: [String(here.location)] });
    } finally {
      await peer.kill();
    }
  });

  it('a peer whose certificate the other side\'s CA did not sign never becomes a peer (typed error, logged)', async () => {
    const peer = await PeerProcess.start({ ...BASE, tls: { cert, key, ca: otherCert } });
    try {
      const { logger, lines } = captureLogger('debug');
      // We trust its certificate, it does not trust ours: it ends the handshake.
      const here = await start({ tls: { cert, key, ca: cert } }, logger);
      const r = await settle(here.peer(peer.ready.location, { timeout: 5000 }));
      expect(r.error?.code, String(r.error)).to.match(/^ERR_(PEER_UNREACHABLE|PEER_LOST)$/);
      expect(here.peers()).to.deep.equal([]);
      expect(await peer.command({ cmd: 'peers' })).to.deep.equal({ peers: [] });
      // We do not trust its certificate: our dial fails.
      const strict = await start({ tls: { cert, key, ca: otherCert } }, logger);
      const r2 = await settle(strict.peer(peer.ready.location, { timeout: 5000 }));
      expect(r2.error?.code, String(r2.error)).to.equal('ERR_PEER_UNREACHABLE');
      expect(String(r2.error?.message)).to.match(/certificate|self.signed|verify/i);
      expect(strict.peers()).to.deep.equal([]);
      expect(lines.some((l) => l.msg === 'connection attempt failed'), JSON.stringify(lines.map((l) => l.msg))).to.equal(true);
      // And the peer process cannot reach us either.
      const back = await peer.command({ cmd: 'peer', location: String(here.location), timeout: 3000 });
      expect(back.code, JSON.stringify(back)).to.match(/^ERR_(PEER_UNREACHABLE|PEER_LOST)$/);
    } finally {
      await peer.kill();
    }
  });

  it('TLS without a CA encrypts but checks no certificates; a plain node cannot peer with a TLS node', async () => {
    const a = await start({ tls: { cert, key } });
    const b = await start({ tls: { cert, key } });
    const p = await b.peer(a.location, { timeout: 5000 });
    expect((p.connection!.socket as tls.TLSSocket).encrypted).to.equal(true);
    const plain = await start({});
    const r = await settle(plain.peer(a.location, { timeout: 3000 }));
    expect(r.error?.code, String(r.error)).to.match(/^ERR_(PEER_UNREACHABLE|PEER_LOST|TIMEOUT|PROTOCOL)$/);
    expect(plain.peers()).to.deep.equal([]);
    const r2 = await settle(a.peer(plain.location, { timeout: 3000 }));
    expect(r2.error?.code, String(r2.error)).to.match(/^ERR_(PEER_UNREACHABLE|PEER_LOST|TIMEOUT|PROTOCOL)$/);
    expect(a.peers().map(String)).to.deep.equal([String(b.location)]);
  });

  it('the listener speaks TLS only: a plaintext client gets no handshake, a TLS client gets the hello inside TLS', async () => {
    const plainNode = await start({});
    const tlsNode = await start({ tls: { cert, key, ca: cert } });
    // A plain node greets a plain TCP client at once with its SERVER_HELLO (magic 'ACRO').
    const greeting = await collect(net.connect(plainNode.location.port, '127.0.0.1'), 300);
    expect(greeting.data.subarray(4, 8).toString('latin1')).to.equal('ACRO');
    // A TLS node says nothing in plaintext; plaintext bytes get at most a TLS alert, never 'ACRO'.
    const silent = await collect(net.connect(tlsNode.location.port, '127.0.0.1'), 300);
    expect(silent.data.length).to.equal(0);
    const refused = await collect(net.connect(tlsNode.location.port, '127.0.0.1'), 500, Buffer.from('\x00\x00\x00\x10ACRO hello there'));
    expect(refused.data.includes(Buffer.from('ACRO'))).to.equal(false);
    if (refused.data.length > 0) expect(refused.data[0]).to.equal(0x15); // TLS alert record
    // A party that never completes the TLS handshake is dropped after connectTimeout (not node's 120 s).
    const idle = await collect(net.connect(tlsNode.location.port, '127.0.0.1'), BASE.connectTimeout + 1000);
    expect(idle.closed).to.equal(true);
    // A TLS client with an accepted certificate gets the SERVER_HELLO, encrypted on the wire.
    const secure = tls.connect({ host: '127.0.0.1', port: tlsNode.location.port, cert, key, ca: cert, checkServerIdentity: () => undefined });
    await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    expect(secure.getProtocol()).to.match(/^TLSv1\.[23]$/);
    const hello = await collect(secure, 300);
    expect(hello.data.subarray(4, 8).toString('latin1')).to.equal('ACRO');
  });
});
