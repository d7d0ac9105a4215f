import { expect } from 'chai';
import net from 'node:net';
import { encodeFrame } from '../../../extend.js';
import { AuthenticationError, PeerUnreachableError, ProtocolError, ProtocolVersionError } from '../../../index.js';
import {  handshake, MAX_HANDSHAKE_FRAME, newNodeId, type HandshakeParams } from '../../../transports/net/handshake.js';
import { DuplicateConnectionError } from '../../../transports/net/netErrors.js';

/** A connected pair of real loopback sockets. */
async function socketPair(): Promise<{ client: net.Socket; server: net.Socket; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const port = (listener.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
  const client = net.connect(port, '127.0.0.1');
  const server = await accepted;
  await new Promise((r) => (client.readyState === 'open' ? r(undefined) : client.once('connect', r)));
  return {
    client,
    server,
    close() {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

function params(secret: string, name: string, extra: Partial<HandshakeParams> = {}): HandshakeParams {
  return { self: { nodeId: newNodeId(), host: '127.0.0.1', port: 1000, name }, secret: Buffer.from(secret), timeout: 2000, ...extra };
}

async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: any }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error };
  }
}

describe('Handshake', () => {
  let pair: Awaited<ReturnType<typeof socketPair>>;
  beforeEach(async () => {
    pair = await socketPair();
  });
  afterEach(() => pair.close());

  it('authenticates both sides with the same secret and returns each identity', async () => {
    const [c, s] = await Promise.all([
      handshake(pair.client, 'initiator', params('s3', 'client')),
      handshake(pair.server, 'responder', params('s3', 'server')),
    ]);
    expect(c.peer.name).to.equal('server');
    expect(s.peer.name).to.equal('client');
    expect(c.peer.nodeId).to.match(/^[0-9a-f]{32}$/);
    expect(c.leftover.length).to.equal(0);
  });

  it('refuses a different secret on both sides with AuthenticationError', async () => {
    const [c, s] = await Promise.all([
      settle(handshake(pair.client, 'initiator', params('one', 'client'))),
      settle(handshake(pair.server, 'responder', params('two', 'server'))),
    ]);
    expect(AuthenticationError.is(c.error)).to.equal(true);
    expect(AuthenticationError.is(s.error)).to.equal(true);
  });

  it('a recorded exchange cannot be replayed: the responder challenges with a fresh nonce', async () => {
    // Record what an honest initiator sends.
    const recorded: Buffer[] = [];
    const origWrite = pair.client.write.bind(pair.client);
    (pair.client as any).write = (chunk: Buffer, ...rest: any[]) => (recorded.push(Buffer.from(chunk)), origWrite(chunk, ...rest));
    await Promise.all([handshake(pair.client, 'initiator', params('k', 'client')), handshake(pair.server, 'responder', params('k', 'server'))]);
    expect(recorded.length).to.equal(1);
    // Replay it on a new connection to a responder that knows the secret.
    const second = await socketPair();
    try {
      const serving = settle(handshake(second.server, 'responder', params('k', 'server')));
      second.client.on('data', () => {});
      second.client.write(recorded[0]);
      const r = await serving;
      expect(AuthenticationError.is(r.error)).to.equal(true);
    } finally {
      second.close();
    }
  });

  it('an incompatible major version is refused on both sides; a different minor is accepted', async () => {
    const [c, s] = await Promise.all([
      settle(handshake(pair.client, 'initiator', params('k', 'client', { version: { major: 1, minor: 0 } }))),
      settle(handshake(pair.server, 'responder', params('k', 'server', { version: { major: 3, minor: 1 } }))),
    ]);
    expect(ProtocolVersionError.is(c.error)).to.equal(true);
    expect(c.error.message).to.include('3.1');
    expect(ProtocolVersionError.is(s.error)).to.equal(true);
    const other = await socketPair();
    try {
      const [c2] = await Promise.all([
        handshake(other.client, 'initiator', params('k', 'client', { version: { major: 1, minor: 9 } })),
        handshake(other.server, 'responder', params('k', 'server', { version: { major: 1, minor: 0 } })),
      ]);
      expect(c2.peer.version).to.deep.equal({ major: 1, minor: 0 });
    } finally {
      other.close();
    }
  });

  it('a responder that keeps its own connection answers DuplicateConnectionError', async () => {
    const [c] = await Promise.all([
      settle(handshake(pair.client, 'initiator', params('k', 'client'))),
      settle(handshake(pair.server, 'responder', params('k', 'server', { decide: () => 'duplicate' }))),
    ]);
    expect(c.error).to.be.instanceOf(DuplicateConnectionError);
  });

  it('malformed, oversized and silent initiators fail with typed errors and nothing is decoded', async () => {
    const serving = settle(handshake(pair.server, 'responder', params('k', 'server')));
    pair.client.on('data', () => {});
    pair.client.write(encodeFrame(Buffer.from('definitely not a hello')));
    expect(ProtocolError.is((await serving).error)).to.equal(true);

    const p2 = await socketPair();
    try {
      const big = settle(handshake(p2.server, 'responder', params('k', 'server')));
      const header = Buffer.alloc(4);
      header.writeUInt32BE(MAX_HANDSHAKE_FRAME + 1);
      p2.client.on('data', () => {});
      p2.client.write(header);
      expect(ProtocolError.is((await big).error)).to.equal(true);
    } finally {
      p2.close();
    }

    const p3 = await socketPair();
    try {
      const silent = await settle(handshake(p3.server, 'responder', params('k', 'server', { timeout: 100 })));
      expect(PeerUnreachableError.is(silent.error)).to.equal(true);
      expect(silent.error.message).to.match(/timed out/);
    } finally {
      p3.close();
    }
  });

  it('bytes that follow the handshake are handed back untouched', async () => {
    const serverSide = handshake(pair.server, 'responder', params('k', 'server'));
    const clientSide = handshake(pair.client, 'initiator', params('k', 'client'));
    const s = await serverSide;
    pair.server.write(encodeFrame(Buffer.from('after')));
    const c = await clientSide;
    const extra = c.leftover.length > 0 ? c.leftover : await new Promise<Buffer>((r) => (pair.client.once('data', r), pair.client.resume()));
    expect(extra.subarray(4).toString()).to.equal('after');
    expect(s.leftover.length).to.equal(0);
  });
});
