import { expect } from 'chai';
import net from 'node:net';
import { encodeFrame } from '../../../extend.js';
import { AuthenticationError, PeerUnreachableError, ProtocolError, ProtocolVersionError } from '../../../index.js';
import { handshake, MAX_HANDSHAKE_FRAME, newNodeId, PROTOCOL_VERSION, type HandshakeParams } from '../../../transports/net/handshake.js';
import { PeerKeys } from '../../../transports/net/PeerKeys.js';
import { DuplicateConnectionError } from '../../../transports/net/netErrors.js';
import { relayProxy } from './relayProxy.js';
import { settle } from '../../helpers.js';

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

const keyCache = new Map<string, PeerKeys>();
function params(secret: string, name: string, extra: Partial<HandshakeParams> = {}): HandshakeParams {
  let keys = keyCache.get(secret);
  if (keys === undefined) keyCache.set(secret, (keys = PeerKeys.from(secret, undefined)));
  return { self: { nodeId: newNodeId(), host: '127.0.0.1', port: 1000, name }, keys, timeout: 2000, ...extra };
}



describe('Handshake', () => {
  let pair: Awaited<ReturnType<typeof socketPair>>;
  beforeEach(async () => {
    pair = await socketPair();
  });
  afterEach(() => pair.close());

  it('with a secret, seals every byte after the greeting in records keyed for this connection, and authenticates both sides inside them', async () => {
    const [c, s] = await Promise.all([
      handshake(pair.client, 'initiator', params('s3', 'client')),
      handshake(pair.server, 'responder', params('s3', 'server')),
    ]);
    expect(c.peer.name).to.equal('server');
    expect(s.peer.name).to.equal('client');
    expect(c.peer.nodeId).to.match(/^[0-9a-f]{32}$/);
    expect(c.peer.version).to.deep.equal(PROTOCOL_VERSION);
    expect(c.leftover.length).to.equal(0);
    expect(c.socket).to.equal(pair.client);
    expect(s.socket).to.equal(pair.server);
    expect(c.records, 'a record layer each side').to.not.equal(undefined);
    expect(s.records).to.not.equal(undefined);
    // Each direction has its own key: what one side seals, the other opens, and not itself.
    const sealed = c.records!.seal(Buffer.from('ping'));
    expect(s.records!.open(sealed).map(String)).to.deep.equal(['ping']);
    expect(() => c.records!.open(c.records!.seal(Buffer.from('reflected')))).to.throw(AuthenticationError);
  });

  it('without a secret stays plaintext, authenticated by the same hellos', async () => {
    const [c, s] = await Promise.all([handshake(pair.client, 'initiator', params('', 'client')), handshake(pair.server, 'responder', params('', 'server'))]);
    expect(c.socket).to.equal(pair.client);
    expect(s.socket).to.equal(pair.server);
    expect(c.peer.name).to.equal('server');
  });

  it('refuses a different secret at the first sealed record, on both sides, with AuthenticationError', async () => {
    const [c, s] = await Promise.all([
      settle(handshake(pair.client, 'initiator', params('one', 'client'))),
      settle(handshake(pair.server, 'responder', params('two', 'server'))),
    ]);
    expect(AuthenticationError.is(c.error), String(c.error)).to.equal(true);
    expect(AuthenticationError.is(s.error), String(s.error)).to.equal(true);
    expect(c.error.message).to.match(/rejected our authentication/);
    expect(s.error.message).to.match(/first sealed record failed authentication/); // no hello was exchanged
  });

  it('a party with a secret and one without refuse each other (typed errors, before any hello)', async () => {
    const [c, s] = await Promise.all([
      settle(handshake(pair.client, 'initiator', params('k', 'client'))),
      settle(handshake(pair.server, 'responder', params('', 'server', { timeout: 500 }))),
    ]);
    expect(AuthenticationError.is(c.error), String(c.error)).to.equal(true);
    expect(c.error.message).to.match(/sealed with a secret.*nothing|nothing.*sealed with a secret/);
    expect(s.error, 'the responder never authenticates it').to.not.equal(undefined);
    const other = await socketPair();
    try {
      const [c2, s2] = await Promise.all([
        settle(handshake(other.client, 'initiator', params('', 'client'))),
        settle(handshake(other.server, 'responder', params('k', 'server', { timeout: 500 }))),
      ]);
      expect(AuthenticationError.is(c2.error), String(c2.error)).to.equal(true);
      expect(s2.error).to.not.equal(undefined);
    } finally {
      other.close();
    }
  });

  it('a recorded exchange cannot be replayed to a responder that knows the secret', async () => {
    const target = net.createServer();
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const proxy = await relayProxy(`127.0.0.1:${(target.address() as net.AddressInfo).port}`);
    try {
      // Record an honest handshake through the relay.
      const accepted = new Promise<net.Socket>((r) => target.once('connection', r));
      const client = net.connect(proxy.port, '127.0.0.1');
      await new Promise((r) => client.once('connect', r));
      const server = await accepted;
      await Promise.all([handshake(client, 'initiator', params('k', 'client')), handshake(server, 'responder', params('k', 'server'))]);
      const recorded = Buffer.concat(proxy.connections[0].toTarget);
      expect(recorded.length).to.be.greaterThan(100);
      client.destroy();
      // Replay every byte the initiator sent on a new connection.
      const second = await socketPair();
      try {
        const serving = settle(handshake(second.server, 'responder', params('k', 'server', { timeout: 1000 })));
        second.client.on('data', () => {});
        second.client.on('error', () => {});
        second.client.write(recorded);
        const r = await serving;
        expect(r.value, 'a replay never authenticates').to.equal(undefined);
        expect(AuthenticationError.is(r.error) || PeerUnreachableError.is(r.error), String(r.error)).to.equal(true);
      } finally {
        second.close();
      }
    } finally {
      proxy.close();
      target.close();
    }
  });

  it('an incompatible major version is refused (ProtocolVersionError naming both); a different minor is accepted', async () => {
    const [c, s] = await Promise.all([
      settle(handshake(pair.client, 'initiator', params('k', 'client', { version: { major: 1, minor: 0 } }))),
      settle(handshake(pair.server, 'responder', params('k', 'server', { version: { major: 3, minor: 1 } }))),
    ]);
    expect(ProtocolVersionError.is(c.error), String(c.error)).to.equal(true);
    expect(c.error.message).to.include('3.1').and.include('1.0');
    expect(s.value).to.equal(undefined);
    const other = await socketPair();
    try {
      const [c2] = await Promise.all([
        handshake(other.client, 'initiator', params('k', 'client', { version: { major: 2, minor: 9 } })),
        handshake(other.server, 'responder', params('k', 'server', { version: { major: 2, minor: 0 } })),
      ]);
      expect(c2.peer.version).to.deep.equal({ major: 2, minor: 0 });
    } finally {
      other.close();
    }
  });

  it('nodes tell each other their peering inside the handshake; a 2.0 node, talking to a 2.1 one, does not, and it is a mesh node', async () => {
    const self = (name: string, peering: 'hub' | 'hidden'): HandshakeParams['self'] => ({ nodeId: newNodeId(), host: '127.0.0.1', port: 1000, name, peering });
    const [c, s] = await Promise.all([
      handshake(pair.client, 'initiator', params('k', 'client', { self: self('client', 'hidden') })),
      handshake(pair.server, 'responder', params('k', 'server', { self: self('server', 'hub') })),
    ]);
    expect(c.peer.peering).to.equal('hub');
    expect(s.peer.peering).to.equal('hidden');
    // A 2.0 node parses hellos and proofs of exactly the 2.0 layout: were a byte added, it would refuse them.
    for (const old of ['initiator', 'responder'] as const) {
      const other = await socketPair();
      try {
        const v20 = { version: { major: 2, minor: 0 } }, v21 = { version: { major: 2, minor: 1 } };
        const [c2, s2] = await Promise.all([
          handshake(other.client, 'initiator', params('k', 'client', { self: self('client', 'hidden'), ...(old === 'initiator' ? v20 : v21) })),
          handshake(other.server, 'responder', params('k', 'server', { self: self('server', 'hub'), ...(old === 'responder' ? v20 : v21) })),
        ]);
        expect([c2.peer.peering, s2.peer.peering], `a 2.0 ${old}`).to.deep.equal(['mesh', 'mesh']);
      } finally {
        other.close();
      }
    }
  });

  it('a 1.x responder is refused by the dialling side with ProtocolVersionError naming both versions', async () => {
    // A 1.x node greets with its SERVER_HELLO in plaintext: 'ACRO', type 1, version 1.0, nonce, id, port, host, name.
    const v1Hello = Buffer.concat([Buffer.from('ACRO'), Buffer.from([1, 1, 0]), Buffer.alloc(48, 7), Buffer.from([0x03, 0xe8, 9]), Buffer.from('127.0.0.1'), Buffer.from([2]), Buffer.from('v1')]);
    pair.server.write(encodeFrame(v1Hello));
    const r = await settle(handshake(pair.client, 'initiator', params('k', 'client')));
    expect(ProtocolVersionError.is(r.error), String(r.error)).to.equal(true);
    expect(r.error.message).to.include('peer speaks 1.0').and.include('this node 4.0');
  });

  it('a 1.x, 2.x or 3.x initiator reads our greeting as a version refusal naming 4.0 (the 1.x REJECT layout)', async () => {
    const serving = settle(handshake(pair.server, 'responder', params('k', 'server', { timeout: 500 })));
    const first = await new Promise<Buffer>((r) => pair.client.once('data', r));
    // 1.x: a frame of exactly 8 bytes, 'ACRO', type 4 (REJECT), reason 1 (version), then major.minor.
    expect(first.readUInt32BE(0)).to.equal(8);
    expect([...first.subarray(4, 12)]).to.deep.equal([...Buffer.from('ACRO'), 4, 1, 4, 0]);
    pair.client.destroy();
    expect((await serving).value).to.equal(undefined);
  });

  it('the dialling side checks the hello it receives: not its own node id', async () => {
    const nodeId = newNodeId();
    const [c, s] = await Promise.all([
      settle(handshake(pair.client, 'initiator', params('k', 'client', { self: { nodeId, host: '127.0.0.1', port: 1000, name: 'me' } }))),
      settle(handshake(pair.server, 'responder', params('k', 'server', { self: { nodeId, host: '127.0.0.1', port: 1000, name: 'me' } }))),
    ]);
    expect(PeerUnreachableError.is(c.error), String(c.error)).to.equal(true);
    expect(c.error.message).to.match(/itself/);
    expect(s.error).to.be.instanceOf(DuplicateConnectionError);
  });

  it('a responder that keeps its own connection answers DuplicateConnectionError', async () => {
    const [c] = await Promise.all([
      settle(handshake(pair.client, 'initiator', params('k', 'client'))),
      settle(handshake(pair.server, 'responder', params('k', 'server', { decide: () => 'duplicate' }))),
    ]);
    expect(c.error).to.be.instanceOf(DuplicateConnectionError);
  });

  it('malformed, oversized and silent initiators fail with typed errors and nothing is decoded', async () => {
    // Plain mode parses handshake frames: anything else is a ProtocolError.
    const serving = settle(handshake(pair.server, 'responder', params('', 'server')));
    pair.client.on('data', () => {});
    pair.client.write(encodeFrame(Buffer.from('definitely not a hello')));
    expect(ProtocolError.is((await serving).error)).to.equal(true);

    const p2 = await socketPair();
    try {
      const big = settle(handshake(p2.server, 'responder', params('', 'server')));
      const header = Buffer.alloc(4);
      header.writeUInt32BE(MAX_HANDSHAKE_FRAME + 1);
      p2.client.on('data', () => {});
      p2.client.write(header);
      expect(ProtocolError.is((await big).error)).to.equal(true);
    } finally {
      p2.close();
    }

    // With a secret, plaintext garbage never gets past the key exchange.
    const p4 = await socketPair();
    try {
      const garbage = settle(handshake(p4.server, 'responder', params('k', 'server')));
      p4.client.on('data', () => {});
      p4.client.on('error', () => {});
      p4.client.write(encodeFrame(Buffer.from('definitely not a hello')));
      const r = await garbage;
      expect(ProtocolError.is(r.error), String(r.error)).to.equal(true);
    } finally {
      p4.close();
    }

    for (const secret of ['', 'k']) {
      const p3 = await socketPair();
      try {
        const silent = await settle(handshake(p3.server, 'responder', params(secret, 'server', { timeout: 100 })));
        expect(PeerUnreachableError.is(silent.error), String(silent.error)).to.equal(true);
        expect(silent.error.message).to.match(/timed out/);
      } finally {
        p3.close();
      }
    }
  });

  it('bytes that follow the handshake are handed back untouched (sealed records)', async () => {
    const serverSide = handshake(pair.server, 'responder', params('k', 'server'));
    const clientSide = handshake(pair.client, 'initiator', params('k', 'client'));
    const s = await serverSide;
    s.socket.write(s.records!.seal(encodeFrame(Buffer.from('after'))));
    const c = await clientSide;
    const extra = c.leftover.length > 0 ? c.leftover : await new Promise<Buffer>((r) => (c.socket.once('data', r), c.socket.resume()));
    expect(c.records!.open(extra).map((b) => b.subarray(4).toString())).to.deep.equal(['after']);
    expect(s.leftover.length).to.equal(0);
  });
});
