/**
 * The peer protocol in one process, over an in-memory connection pair (spec/fixtures/duplexPair):
 * the plaintext handshake and the framed, write-coalescing connection, deterministically and with
 * no port. TLS (the secret's pre-shared key, certificates) needs real sockets: the responder hands
 * its socket to a tls.Server, which knows its parent only for a net.Socket, so those cases and the
 * relay attack run over loopback in handshake.spec.ts; the child-process specs stay the
 * integration tests.
 */
import { expect } from 'chai';
import type { Socket } from 'node:net';
import { encodeFrame } from '../../../transports/io/FrameDecoder.js';
import { FrameTooLargeError } from '../../../transports/io/ioErrors.js';
import { handshake, newNodeId, type HandshakeParams } from '../../../transports/net/handshake.js';
import { PeerConnection } from '../../../transports/net/PeerConnection.js';
import { BATCH, MAX_BATCHED_MESSAGE } from '../../../transports/net/frameBatch.js';
import { PeerKeys } from '../../../transports/net/PeerKeys.js';
import { Codec } from '../../../transports/net/Codec.js';
import { Location } from '../../../transports/net/Location.js';
import { PeerLostError, RemoteError } from '../../../transports/net/netErrors.js';
import { Peer, type PeerHost, type RequestHandler } from '../../../transports/net/Peer.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { silentLogger } from '../../../runtime/logging.js';
import { duplexPair, MemorySocket } from '../../fixtures/duplexPair.js';
import { until } from '../../helpers.js';

function params(secret: string, name: string): HandshakeParams {
  return { self: { nodeId: newNodeId(), host: '127.0.0.1', port: 1000, name }, keys: PeerKeys.from(secret, undefined), timeout: 3000 };
}

describe('the peer protocol over an in-memory connection pair', () => {
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.destroy();
  });
  const pair = (): [Socket, Socket] => {
    const p = duplexPair();
    sockets.push(...p);
    return p;
  };

  it('plain (no secret): both sides learn each other and the socket to use', async () => {
    const [a, b] = pair();
    const [ra, rb] = await Promise.all([handshake(a, 'initiator', params('', 'alice')), handshake(b, 'responder', params('', 'bob'))]);
    expect([ra.peer.name, rb.peer.name]).to.deep.equal(['bob', 'alice']);
    sockets.push(ra.socket, rb.socket);
  });

  it('a PeerConnection writes the messages of one turn in one write, small ones batched into one frame, and refuses an oversized frame', async () => {
    const [a, b] = pair();
    const codec = new Codec();
    const got: Buffer[] = [];
    const bClosed = new Promise<Error | undefined>((resolve) => {
      new PeerConnection(b, false, 4096, Buffer.alloc(0), { frame: (f) => void got.push(Buffer.from(f as Buffer)), closed: resolve });
    });
    const conn = new PeerConnection(a, true, 4096, Buffer.alloc(0), { frame: () => undefined, closed: () => undefined });
    const before = (a as unknown as MemorySocket).writes;
    const big = codec.encode(['big', 'x'.repeat(MAX_BATCHED_MESSAGE)]);
    for (let i = 0; i < 50; i++) conn.write(codec.encode(['m', i]));
    conn.write(big);
    conn.write(codec.encode(['after', 0]));
    await until(() => got.length === 3);
    expect((a as unknown as MemorySocket).writes - before, 'one write for the messages of one turn').to.equal(1);
    expect(codec.decode(got[0]!)).to.deep.equal([BATCH, ...Array.from({ length: 50 }, (_, i) => ['m', i])], 'the run of small ones, in order, in one batch');
    expect(got[1]!.equals(big)).to.equal(true, 'a large message travels alone, byte for byte');
    expect(codec.decode(got[2]!)).to.deep.equal(['after', 0], 'a run of one is a plain frame');
    expect(conn.framesOut).to.equal(3);
    a.write(encodeFrame(Buffer.alloc(8192))); // past the receiver's maxFrame
    expect(await bClosed).to.be.instanceOf(FrameTooLargeError);
  });

  it('two Peers over the pair: requests and replies, one-way posts, typed errors for unknown types and failing handlers, and loss fails what waits', async () => {
    const sched = new Scheduler();
    try {
      const [a, b] = pair();
      const closedPeers: string[] = [];
      const host = (name: string, handlers: Record<string, RequestHandler>): PeerHost => ({
        scheduler: sched,
        codec: new Codec(),
        referenceSent: () => undefined,
        logger: silentLogger(),
        handler: (type) => handlers[type],
        peerClosed: (peer) => void closedPeers.push(`${name} lost ${peer.name}`),
      });
      const posted: unknown[] = [];
      const alice = new Peer(host('alice', {}), new Location('127.0.0.1', 2));
      const bob = new Peer(host('bob', { double: (n) => (n as number) * 2, boom: () => { throw new Error('handler bug'); }, note: (m) => void posted.push(m) }), new Location('127.0.0.1', 1));
      const wire = (peer: Peer, socket: Socket, initiator: boolean): PeerConnection =>
        new PeerConnection(socket, initiator, 1 << 20, Buffer.alloc(0), { frame: (f) => peer.onFrame(f), closed: (err) => peer.lose(err ?? new PeerLostError('closed')) });
      alice.attach(wire(alice, a, true), { nodeId: newNodeId(), name: 'bob', location: new Location('127.0.0.1', 1) });
      bob.attach(wire(bob, b, false), { nodeId: newNodeId(), name: 'alice', location: new Location('127.0.0.1', 2) });
      expect(await alice.request('double', 21, { timeout: 1000 })).to.equal(42);
      expect(alice.post('note', 'one way')).to.equal(true);
      await until(() => posted.length === 1);
      expect(posted).to.deep.equal(['one way']);
      const unknown = await alice.request('nope', null, { timeout: 1000 }).catch((e: unknown) => e);
      expect((unknown as { code?: string }).code).to.equal('ERR_UNKNOWN_REQUEST');
      const failed = await alice.request('boom', null, { timeout: 1000 }).catch((e: unknown) => e);
      expect((failed as RemoteError).remoteMessage).to.equal('handler bug');
      const pending = alice.request('double', 1, { timeout: 5000 }).catch((e: unknown) => e);
      a.destroy(); // the connection drops before the turn ends, so the request never leaves
      expect(PeerLostError.is(await pending), String(await pending)).to.equal(true);
      await until(() => closedPeers.length === 2);
    } finally {
      await sched.terminate();
    }
  });
});
