import { expect } from 'chai';
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import net from 'node:net';
import { AuthenticationError, ProtocolError } from '../../../index.js';
import { encodeFrame } from '../../../transports/io/FrameDecoder.js';
import { handshake, newNodeId, type HandshakeResult } from '../../../transports/net/handshake.js';
import { PeerKeys } from '../../../transports/net/PeerKeys.js';
import { RecordLayer } from '../../../transports/net/RecordLayer.js';
import { readNonce } from '../../../transports/net/recordKeys.js';
import { relayProxy, type RelayProxy } from './relayProxy.js';
import { netPair } from '../../fixtures/index.js';
import { settle, until } from '../../helpers.js';

const SECRET = 'forward secrecy spec secret 0123456789';
const params = (name: string) => ({ self: { nodeId: newNodeId(), host: '127.0.0.1', port: 1000, name }, keys: PeerKeys.from(SECRET, undefined), timeout: 5000 });
/** The greeting's bytes on the wire (VERSION, MODE, NONCE framed) and the initiator's NONCE frame (nonce and X25519 share). */
const GREETING = 63, INITIATOR_NONCE = 4 + 5 + 32 + 32;

describe('the key exchange of sealed links (real TCP on loopback, through a recording relay)', function () {
  this.timeout(20_000);
  let server: net.Server;
  let proxy: RelayProxy;
  const sockets: net.Socket[] = [];
  let responded: Promise<HandshakeResult>;
  beforeEach(async () => {
    server = net.createServer({ pauseOnConnect: true });
    responded = new Promise((resolve, reject) => server.once('connection', (s) => {
      sockets.push(s);
      handshake(s, 'responder', params('responder')).then(resolve, reject);
    }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    proxy = await relayProxy(`127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  });
  afterEach(() => {
    for (const s of sockets) s.destroy();
    proxy.close();
    server.close();
  });

  it('a recorded connection stays sealed to whoever learns the secret later: the keys of the secret and both nonces open the confirmations only', async () => {
    const raw = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(proxy.port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    sockets.push(raw);
    const [client, served] = await Promise.all([handshake(raw, 'initiator', params('initiator')), responded]);
    // A message after the handshake, as a link sends one.
    const marker = Buffer.from('the payload an eavesdropper wants');
    const got: Buffer[] = [];
    served.socket.on('data', (d: Buffer) => got.push(...served.records!.open(d)));
    served.socket.resume();
    client.socket.write(client.records!.seal(marker));
    await until(() => Buffer.concat(got).equals(marker), 5000, 'the message through the relay');

    // Later, offline: the capture and the secret.
    const up = Buffer.concat(proxy.connections[0]!.toTarget), down = Buffer.concat(proxy.connections[0]!.toClient);
    expect(up.includes(marker), 'plaintext on the wire').to.equal(false);
    const initiatorNonce = readNonce(up.subarray(4, INITIATOR_NONCE), undefined, true);
    const nonceI = initiatorNonce.subarray(5, 37), nonceR = down.subarray(GREETING - 32, GREETING);
    const recordKey = Buffer.from(hkdfSync('sha256', Buffer.from(SECRET), 'asyncoro peer protocol 3', 'asyncoro 3 record key', 32));
    // What responder and initiator each received, opened with the keys of the secret and both nonces:
    for (const [role, bytes, firstLength] of [['responder', up.subarray(INITIATOR_NONCE), 32], ['initiator', down.subarray(GREETING), 64]] as const) {
      const eavesdropper = RecordLayer.derive(recordKey, nonceI, nonceR, role);
      eavesdropper.push(bytes);
      // The confirmation (the responder's with its X25519 share) opens: the capture is read right...
      expect(eavesdropper.next()!.length, `${role}: the confirmation record`).to.equal(firstLength);
      // ...and the next record, a hello under the keys of the X25519 exchange, does not.
      expect(() => eavesdropper.next(), `${role}: the record after the confirmation`).to.throw(AuthenticationError);
    }
  });

  it('an X25519 share that gives no shared secret (a low-order point) from a holder of the secret is ProtocolError on the responder', async () => {
    const pair = await netPair();
    try {
      const serving = settle(handshake(pair.server, 'responder', params('responder')));
      const greeting = await new Promise<Buffer>((r) => pair.client.once('data', r));
      expect(greeting.length).to.equal(GREETING);
      const frames = [greeting.subarray(4, 12), greeting.subarray(16, 22), greeting.subarray(26, 63)];
      // The initiator's NONCE with an all-zero share, and a confirmation that verifies.
      const nonceI = randomBytes(32);
      const nonce = Buffer.concat([frames[2]!.subarray(0, 5), nonceI, Buffer.alloc(32)]);
      const t = createHash('sha256');
      for (const f of [...frames, nonce]) t.update(encodeFrame(f));
      const confirmation = createHash('sha256').update('asyncoro 3 confirm initiator').update(t.digest()).digest();
      const first = PeerKeys.from(SECRET, undefined).records(nonceI, frames[2]!.subarray(5), 'initiator');
      pair.client.write(Buffer.concat([encodeFrame(nonce), first.seal(confirmation)]));
      const r = await serving;
      expect(ProtocolError.is(r.error), String(r.error)).to.equal(true);
      expect(r.error.message).to.match(/X25519/);
    } finally {
      pair.close();
    }
  });
});
