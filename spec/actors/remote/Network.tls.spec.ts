import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Coro, Network, RemoteCoro, Scheduler } from '../../../index.js';
import { killAllPeerProcesses, PeerProcess, networkFixture, socketOf } from '../../fixtures/index.js';
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

/** Resolves true once the other side closes `socket`, false if it is still open after `ms` (then destroys it). */
function closedWithin(socket: net.Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    socket.on('error', () => {});
    socket.resume(); // reads (and drops) the greeting, so that the end of the stream is seen
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, ms);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe('Network over TLS', function () {
  this.timeout(30_000);
  const fx = networkFixture();
  const start = (options: object, logger?: Logger): Promise<Network> => fx.node({ ...BASE, ...options }, new Scheduler(logger ? { logger } : {}));
  after(killAllPeerProcesses);

  it('two processes with mutual TLS (same CA) peer, locate and exchange messages', async () => {
    const peer = await PeerProcess.start({ ...BASE, tls: { cert, key, ca: cert } });
    try {
      const here = await start({ tls: { cert, key, ca: cert } });
      const p = await here.peer(peer.ready.location, { timeout: 5000 });
      expect(p.incarnation).to.equal(peer.ready.incarnation);
      expect((socketOf(p) as tls.TLSSocket).encrypted).to.equal(true);
      expect((socketOf(p) as tls.TLSSocket).getProtocol()).to.match(/^TLSv1\.[23]$/);
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

  it('tls without ca is refused (InsecureNetworkError) unless insecureSkipVerify: true; then it encrypts, and a plain node cannot peer with it', async () => {
    const refused = await settle(start({ tls: { cert, key } }));
    expect(refused.error?.code).to.equal('ERR_INSECURE_NETWORK');
    expect(String(refused.error?.message)).to.match(/insecureSkipVerify/);
    const a = await start({ tls: { cert, key, insecureSkipVerify: true } });
    const b = await start({ tls: { cert, key, insecureSkipVerify: true } });
    expect(JSON.stringify(a.options)).to.not.include('PRIVATE KEY');
    const p = await b.peer(a.location, { timeout: 5000 });
    expect((socketOf(p) as tls.TLSSocket).encrypted).to.equal(true);
    expect((socketOf(p) as tls.TLSSocket).getProtocol()).to.equal('TLSv1.3');
    const plain = await start({ secret: undefined });
    const r = await settle(plain.peer(a.location, { timeout: 3000 }));
    expect(r.error?.code, String(r.error)).to.match(/^ERR_(AUTHENTICATION|PEER_UNREACHABLE|PEER_LOST|TIMEOUT|PROTOCOL)$/);
    expect(plain.peers()).to.deep.equal([]);
    const r2 = await settle(a.peer(plain.location, { timeout: 3000 }));
    expect(r2.error?.code, String(r2.error)).to.match(/^ERR_(AUTHENTICATION|PEER_UNREACHABLE|PEER_LOST|TIMEOUT|PROTOCOL)$/);
    expect(a.peers().map(String)).to.deep.equal([String(b.location)]);
  });

  it('the listener greets in plaintext with its version and mode only; the hello travels inside TLS', async () => {
    const plainNode = await start({ secret: undefined });
    const tlsNode = await start({ tls: { cert, key, ca: cert } });
    // A plain node greets a TCP client with VERSION and MODE, then its SERVER_HELLO (type 1), in plaintext.
    const greeting = await collect(net.connect(plainNode.location.port, '127.0.0.1'), 300);
    expect(greeting.data.subarray(4, 8).toString('latin1')).to.equal('ACRO');
    expect([...greeting.data.subarray(8, 12)]).to.deep.equal([4, 1, 4, 0]); // VERSION: 4.0
    expect(greeting.data[21]).to.equal(0); // MODE 0: plain
    expect(greeting.data[30]).to.equal(1); // then SERVER_HELLO
    // A TLS node sends only the 22-byte greeting (MODE 2: certificate TLS) and waits for TLS.
    const silent = await collect(net.connect(tlsNode.location.port, '127.0.0.1'), 300);
    expect(silent.data.length).to.equal(22);
    expect(silent.data[21]).to.equal(2);
    const refused = await collect(net.connect(tlsNode.location.port, '127.0.0.1'), 500, Buffer.from('\x00\x00\x00\x10ACRO hello there'));
    expect(refused.data.length, 'the greeting, then at most a TLS alert').to.be.at.most(22 + 7);
    if (refused.data.length > 22) expect(refused.data[22]).to.equal(0x15); // TLS alert record
    // A party that never completes the TLS handshake is dropped after connectTimeout (500 ms on this node).
    const strictNode = await start({ tls: { cert, key, ca: cert }, connectTimeout: 500 });
    expect(await closedWithin(net.connect(strictNode.location.port, '127.0.0.1'), 500 + 1000)).to.equal(true);
    // A TLS client with an accepted certificate, after the greeting, gets the SERVER_HELLO encrypted on the wire.
    const raw = net.connect(tlsNode.location.port, '127.0.0.1');
    await new Promise<Buffer>((resolve) => raw.once('data', resolve));
    raw.pause();
    const secure = tls.connect({ socket: raw, cert, key, ca: cert, checkServerIdentity: () => undefined });
    await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    expect(secure.getProtocol()).to.equal('TLSv1.3');
    const hello = await collect(secure, 300);
    expect(hello.data.subarray(4, 8).toString('latin1')).to.equal('ACRO');
    expect(hello.data[8]).to.equal(1);
  });
});
