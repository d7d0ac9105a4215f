import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { inspect } from 'node:util';
import { Coro, Network, PeerStatus, PeerUnreachableError, Scheduler } from '../../../index.js';
import { encodeFrame } from '../../../extend.js';
import { Encoder } from 'cbor-x';
import { handshake, newNodeId } from '../../../transports/net/handshake.js';
import { newSecret, PeerKeys } from '../../../transports/net/PeerKeys.js';
import { resolveOptions } from '../../../transports/net/peerOptions.js';
import { killAllPeerProcesses, PeerProcess, networkFixture } from '../../fixtures/index.js';
import { relayProxy } from '../../transports/net/relayProxy.js';
import { captureLogger, settle, until } from '../../helpers.js';
import type { Logger } from '../../../runtime/logging.js';
import { incarnationTag } from '../../../transports/net/wireReference.js';

const SECRET = 'security-spec-secret-8c1f';
const BASE = { discover: false, secret: SECRET, heartbeatInterval: 200, peerTimeout: 3000 } as const;
const cbor = new Encoder({ useRecords: false });

function rawConnect(port: number, localAddress = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.once('error', reject);
  });
}

describe('Network security (real processes on 127.0.0.1)', function () {
  this.timeout(60_000);
  const fx = networkFixture();
  const start = (options: object, logger?: Logger): Promise<Network> => fx.node({ ...BASE, ...options }, new Scheduler(logger ? { logger } : {}));
  after(killAllPeerProcesses);

  /** A node whose 'sink' records what it receives, a relay in front of it, and a peer process that will connect through the relay. */
  async function relayed(): Promise<{ here: Network; received: unknown[]; offline: PeerStatus[]; proxy: Awaited<ReturnType<typeof relayProxy>>; other: PeerProcess }> {
    const here = await start({});
    const received: unknown[] = [];
    here.scheduler.spawnWith({ name: 'sink', daemon: true }, async (coro: Coro<unknown>) => {
      for (;;) received.push(await coro.receive());
    }).register();
    const offline: PeerStatus[] = [];
    here.peerStatus({ send: (s: unknown) => ((s as PeerStatus).status === 'offline' && offline.push(s as PeerStatus), true) });
    const proxy = await relayProxy(String(here.location));
    const other = await PeerProcess.start({ ...BASE });
    return { here, received, offline, proxy, other };
  }

  it('a relay between two nodes with the same secret reads no plaintext, and a frame it injects is never served', async () => {
    const { here, received, offline, proxy, other } = await relayed();
    try {
      const via = `127.0.0.1:${proxy.port}`;
      expect(await other.command({ cmd: 'peer', location: via })).to.deep.equal({ ok: true });
      expect(await other.command({ cmd: 'send-sink', location: via, count: 3 })).to.deep.equal({ ok: true });
      await until(() => received.length === 3, 5000, 'three messages through the relay');
      expect(here.peers().map(String)).to.deep.equal([other.ready.location]);
      // The relay saw only ciphertext: no hello, no request type, no coroutine name, no sender name.
      const seen = Buffer.concat([...proxy.connections[0].toTarget, ...proxy.connections[0].toClient]);
      for (const plain of ['sink', 'send', 'locate', other.ready.name, here.name]) expect(seen.includes(Buffer.from(plain)), plain).to.equal(false);
      // Inject a well-formed plaintext request, as the relay attack on protocol 1.x did, then a forged record.
      const inject = encodeFrame(cbor.encode([0, 0, 'send', [incarnationTag(here.incarnation), 0, 'sink', 'injected']]));
      proxy.connections[0].inject(Buffer.concat([inject, Buffer.from([0, 0, 0, 0x20]), Buffer.alloc(32, 0x41)]));
      // The record layer refuses the bytes (their tag fails): the connection is dropped, nothing is served.
      await until(() => offline.length === 1, 5000, 'the tampered connection dropped');
      expect(received.filter((m) => m === 'injected')).to.deep.equal([]);
      expect(received.length).to.equal(3);
    } finally {
      proxy.close();
      await other.kill();
    }
  });

  it('a relay that replays what the client sent after authentication gets the connection dropped, and nothing is served twice', async () => {
    const { here, received, offline, proxy, other } = await relayed();
    try {
      const via = `127.0.0.1:${proxy.port}`;
      expect(await other.command({ cmd: 'peer', location: via })).to.deep.equal({ ok: true });
      const before = proxy.connections[0].toTarget.length;
      expect(await other.command({ cmd: 'send-sink', location: via, count: 3 })).to.deep.equal({ ok: true });
      await until(() => received.length === 3, 5000, 'three messages through the relay');
      // The records that carried them, again: each record's nonce is its position, so a copy fails its tag.
      proxy.connections[0].inject(Buffer.concat(proxy.connections[0].toTarget.slice(before)));
      await until(() => offline.length === 1, 5000, 'the connection with replayed records dropped');
      expect(received.length).to.equal(3);
    } finally {
      proxy.close();
      await other.kill();
    }
  });

  it('reflection: a relay that turns a node\'s own connection back to it (the "selfie" of a pre-shared key) is refused by the node-id check', async () => {
    const here = await start({});
    const mirror = await relayProxy(String(here.location));
    try {
      const r = await settle(here.peer(`127.0.0.1:${mirror.port}`, { timeout: 3000 }));
      expect(PeerUnreachableError.is(r.error), String(r.error)).to.equal(true);
      expect(r.error.message).to.match(/itself/);
      expect(here.peers()).to.deep.equal([]);
    } finally {
      mirror.close();
    }
  });

  it('tampering: one flipped bit anywhere in the handshake, either way, and the peers never connect', async () => {
    const here = await start({});
    // Each case from its own address: a failed authentication slows its address down (HandshakeTable).
    for (const [i, [direction, chunk]] of ([['toTarget', 0], ['toClient', 0], ['toClient', 1], ['toTarget', 1]] as const).entries()) {
      const flip = (d: 'toTarget' | 'toClient', data: Buffer, n: number): Buffer => {
        if (d !== direction || n !== chunk) return data;
        const copy = Buffer.from(data);
        copy[copy.length - 1] ^= 0x01;
        return copy;
      };
      const proxy = await relayProxy(String(here.location), flip, `127.0.0.${30 + i}`);
      const there = await start({});
      try {
        const r = await settle(there.peer(`127.0.0.1:${proxy.port}`, { timeout: 3000 }));
        expect(r.error?.code, `${direction} #${chunk}: ${String(r.error)}`).to.match(/^ERR_(AUTHENTICATION|PEER_UNREACHABLE|PEER_LOST|PROTOCOL|PROTOCOL_VERSION)$/);
        expect(there.peers()).to.deep.equal([]);
      } finally {
        proxy.close();
      }
    }
    expect(here.peers()).to.deep.equal([]);
  });

  it('a peer with the wrong secret is refused at its first sealed record, before any hello, both ways', async () => {
    const here = await start({});
    const wrong = await PeerProcess.start({ ...BASE, secret: 'not-the-secret' });
    try {
      const r = await settle(here.peer(wrong.ready.location, { timeout: 3000 }));
      expect(r.error?.code, String(r.error)).to.equal('ERR_AUTHENTICATION');
      expect(r.error.message).to.match(/rejected our authentication/);
      const back = await wrong.command({ cmd: 'peer', location: String(here.location), timeout: 3000 });
      expect(back.code).to.equal('ERR_AUTHENTICATION');
      expect(here.peers()).to.deep.equal([]);
    } finally {
      await wrong.kill();
    }
  });

  it('a decode bomb (1 MiB of empty maps, of generic-object tags) drops only its own connection; the loop is not blocked', async () => {
    const victim = await PeerProcess.start({ ...BASE });
    try {
      const here = await start({});
      const echo = await Coro.locate('echo', { scheduler: here.scheduler, location: victim.ready.location, timeout: 5000 });
      // Round trips to the victim's echo coroutine during the attack measure its event-loop lag from outside.
      let worst = 0, trips = 0, attacking = true;
      const pinger = here.scheduler.spawn(async (coro: Coro<any>) => {
        while (attacking && trips < 100_000) {
          const t0 = performance.now();
          echo!.send({ reply: coro, body: trips });
          if ((await coro.receive({ timeout: 5000 })) === undefined) throw new Error('echo did not answer within 5 s');
          worst = Math.max(worst, performance.now() - t0);
          trips++;
        }
      });
      const bombs = [
        Buffer.concat([Buffer.from([0x9a, 0x00, 0x0f, 0xff, 0xf0]), Buffer.alloc(0x0ffff0, 0xa0)]), // [{}, {}, ...] ~1 MiB
        Buffer.concat([Buffer.from([0x9a, 0x00, 0x05, 0x55, 0x50]), Buffer.concat(Array(0x55550).fill(Buffer.from([0xd8, 0x1b, 0x80])))]), // tag 27 objects
      ];
      const port = Number(victim.ready.location.split(':')[1]);
      for (const bomb of bombs) {
        for (let i = 0; i < 3; i++) {
          const raw = await rawConnect(port);
          raw.on('error', () => {});
          const { socket, records } = await handshake(raw, 'initiator', { self: { nodeId: newNodeId(), host: '127.0.0.1', port: 9, name: 'bomber' }, keys: PeerKeys.from(SECRET, undefined), timeout: 3000 });
          socket.on('error', () => {});
          socket.resume();
          const closed = new Promise((r) => socket.once('close', r));
          socket.write(records!.seal(encodeFrame(bomb)));
          await closed; // the victim drops the bomber
        }
      }
      attacking = false;
      await pinger.finish();
      expect(trips).to.be.greaterThan(0);
      // Before the pre-scan one such frame blocked the loop for seconds; now a round trip stays well under one.
      expect(worst, `worst echo round trip ${worst.toFixed(0)} ms`).to.be.lessThan(1000);
      expect(here.peers().map(String)).to.deep.equal([victim.ready.location]);
      expect(await victim.command({ cmd: 'peers' })).to.deep.equal({ peers: [String(here.location)] });
    } finally {
      await victim.kill();
    }
  });

  it('the secret is in no inspectable or serialisable place, at any depth: inspect(net), inspect(peer), JSON of the options, a pino line', async () => {
    const secret = newSecret();
    const { logger, raw: lines } = captureLogger('debug');
    const a = await start({ secret }, logger);
    const b = await start({ secret });
    const peer = await a.peer(b.location, { timeout: 5000 });
    await until(() => b.peers().length === 1, 5000, 'b sees a');
    const forms = [secret, Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64')];
    const dumps = [
      inspect(a, { depth: Infinity }),
      inspect(peer, { depth: Infinity }),
      inspect(b.onlinePeers()[0], { depth: Infinity, showHidden: true }),
      JSON.stringify(a.options),
      inspect(a.options, { depth: Infinity, showHidden: true }),
    ];
    logger.info({ peer, options: a.options, deep: { a: { b: { c: { options: a.options } } } } }, 'peer with options');
    dumps.push(lines.join(''));
    for (const dump of dumps) for (const form of forms) expect(dump.includes(form)).to.equal(false);
    expect(JSON.parse(JSON.stringify(a.options)).keys).to.deep.equal({ mode: 'psk' });
    expect(JSON.parse(lines[lines.length - 1]).peer).to.deep.equal({ name: b.name, location: String(b.location), incarnation: b.incarnation, state: 'online' });
    expect(inspect(a.options.keys)).to.equal("PeerKeys { mode: 'psk' }");
  });

  it('with certificate TLS the private key is in no inspectable place either (accepting side included)', async () => {
    const fixtures = new URL('../../../../spec/fixtures/tls/', import.meta.url);
    const cert = readFileSync(new URL('cert.pem', fixtures), 'utf8');
    const key = readFileSync(new URL('key.pem', fixtures), 'utf8');
    const a = await start({ tls: { cert, key, ca: cert } });
    const b = await start({ tls: { cert, key, ca: cert } });
    await b.peer(a.location, { timeout: 5000 });
    await until(() => a.peers().length === 1, 5000, 'a sees b');
    const keyLine = key.split('\n')[1];
    for (const dump of [inspect(a, { depth: 8 }), inspect(a.onlinePeers()[0], { depth: 12, showHidden: true }), inspect(b.onlinePeers()[0], { depth: 12 }), JSON.stringify(a.options)]) {
      expect(dump.includes('PRIVATE KEY')).to.equal(false);
      expect(dump.includes(keyLine)).to.equal(false);
    }
    expect(a.options.keys.mode).to.equal('certificate');
  });

  it('newSecret() returns 32 random bytes as base64url, different each time, usable as a secret', async () => {
    const s1 = newSecret(), s2 = newSecret();
    expect(s1).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(s1, 'base64url').length).to.equal(32);
    expect(s1).to.not.equal(s2);
    const a = await start({ secret: s1 });
    const b = await start({ secret: s1 });
    expect((await b.peer(a.location, { timeout: 5000 })).isOnline).to.equal(true);
  });

  it('without a secret a node stays on loopback and plaintext; beyond loopback it needs a secret or insecure: true', () => {
    expect(resolveOptions({}).keys.mode).to.equal('plain');
    expect(resolveOptions({ secret: 'x' }).keys.mode).to.equal('psk');
    expect(() => resolveOptions({ host: '0.0.0.0' })).to.throw().with.property('code', 'ERR_INSECURE_NETWORK');
    expect(resolveOptions({ host: '0.0.0.0', insecure: true }).keys.mode).to.equal('plain');
    expect(resolveOptions({}).udpHost).to.equal('127.255.255.255'); // loopback broadcasts only
    expect(resolveOptions({ host: '0.0.0.0', secret: 'sixteen-bytes!!!' }).udpHost).to.equal('0.0.0.0');
    expect(resolveOptions({}).maxFrame).to.equal(1024 * 1024);
    expect([resolveOptions({}).maxHandshakes, resolveOptions({}).maxHandshakesPerAddress]).to.deep.equal([64, 8]);
    for (const bad of [{ maxHandshakes: 0 }, { maxHandshakesPerAddress: 1.5 }, { maxHandshakes: '8' }, { tls: { cert: 'x' } }, { tls: 'yes' }, { secret: 42 }]) {
      expect(() => resolveOptions(bad as object), JSON.stringify(bad)).to.throw().with.property('code', 'ERR_INVALID_ARGUMENT');
    }
  });
});
