import { expect } from 'chai';
import net from 'node:net';
import { Encoder } from 'cbor-x';
import { Coro, Network, RemoteCoro, Scheduler } from '../../../index.js';
import { Codec, CORO_LAYER, encodeFrame, FrameDecoder } from '../../../extend.js';
import { handshake, newNodeId } from '../../../transports/net/handshake.js';
import { PeerKeys } from '../../../transports/net/PeerKeys.js';
import { killAllPeerProcesses, PeerProcess } from '../../fixtures/index.js';

const SECRET = 'fuzz-secret';
/** The fuzzer knows the secret: it attacks from inside an authenticated connection. */
const KEYS = PeerKeys.from(SECRET, undefined);
const cbor = new Encoder({ useRecords: false });
/** The attacker reads replies as a node would (errors arrive as RemoteError). */
const decoder = new Codec(undefined, CORO_LAYER.references);

/** A seeded PRNG so that a failure can be reproduced. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function connect(location: string, localAddress?: string): Promise<net.Socket> {
  const [host, port] = location.split(':');
  return new Promise((resolve, reject) => {
    const s = net.connect({ port: Number(port), host, localAddress }, () => resolve(s));
    s.once('error', reject);
  });
}

/**
 * Hostile bytes come from addresses of their own (127.0.2.x, in turn): a node slows down an address
 * that fails to authenticate (HandshakeTable), and this spec attacks the handshake itself, not that.
 */
let hostile = 0;
const hostileAddress = (): string => `127.0.2.${1 + (hostile++ % 254)}`;

/** Writes `bytes` on a fresh connection; resolves 'closed' when the node drops it, 'open' if it still holds it after `ms`. */
async function throwAt(location: string, bytes: Buffer, ms = 1500): Promise<'closed' | 'open'> {
  const s = await connect(location, hostileAddress());
  s.on('error', () => {});
  s.on('data', () => {});
  s.write(bytes);
  const result = await new Promise<'closed' | 'open'>((resolve) => {
    const timer = setTimeout(() => resolve('open'), ms);
    s.once('close', () => (clearTimeout(timer), resolve('closed')));
  });
  s.destroy();
  return result;
}

/** An authenticated raw connection: send frames, read replies. */
async function authenticated(location: string): Promise<{ socket: net.Socket; send(v: unknown): void; sendRaw(b: Buffer): void; next(ms?: number): Promise<unknown>; closed: Promise<void> }> {
  const raw = await connect(location, '127.0.3.1');
  raw.on('error', () => {});
  const { socket, leftover, records } = await handshake(raw, 'initiator', { self: { nodeId: newNodeId(), host: '127.0.0.1', port: 9, name: 'fuzzer' }, keys: KEYS, timeout: 3000 });
  const seal = (b: Buffer): Buffer => (records === undefined ? b : records.seal(b));
  socket.on('error', () => {});
  const frames = new FrameDecoder(1 << 20);
  const queue: unknown[] = [];
  let waiter: ((v: unknown) => void) | undefined;
  const onData = (chunk: Buffer): void => {
    if (records === undefined) frames.push(chunk);
    else for (const plain of records.open(chunk)) frames.push(plain);
    for (let f = frames.next(); f; f = frames.next()) {
      const msg = decoder.decode(f);
      if (Array.isArray(msg) && msg[0] === 2) continue; // heartbeat
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        w(msg);
      } else queue.push(msg);
    }
  };
  socket.on('data', onData);
  if (leftover.length > 0) onData(leftover);
  socket.resume();
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return {
    socket,
    closed,
    send: (v) => socket.write(seal(encodeFrame(cbor.encode(v)))),
    sendRaw: (b) => socket.write(seal(b)),
    next: (ms = 2000) =>
      queue.length > 0
        ? Promise.resolve(queue.shift())
        : new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('no reply')), ms);
          waiter = (v) => (clearTimeout(t), resolve(v));
        }),
  };
}

function randomValue(rand: () => number, depth = 0): unknown {
  const k = Math.floor(rand() * (depth > 2 ? 6 : 9));
  switch (k) {
    case 0: return Math.floor(rand() * 2 ** 32) - 2 ** 31;
    case 1: return rand() < 0.5 ? null : undefined;
    case 2: return 'x'.repeat(Math.floor(rand() * 40));
    case 3: return rand() < 0.5;
    case 4: return rand() * 1e6;
    case 5: return Buffer.alloc(Math.floor(rand() * 16), 7);
    case 6: return Array.from({ length: Math.floor(rand() * 5) }, () => randomValue(rand, depth + 1));
    case 7: return { a: randomValue(rand, depth + 1), id: randomValue(rand, depth + 1) };
    default: return -1;
  }
}

describe('fuzz: a node under hostile input (real process)', function () {
  this.timeout(60_000);
  let node: PeerProcess;
  before(async () => {
    node = await PeerProcess.start({ secret: SECRET, connectTimeout: 500, logLevel: 'error' });
  });
  after(async () => {
    await node?.kill();
    await killAllPeerProcesses();
  });

  /** A legitimate peer still gets served. */
  async function stillServes(): Promise<void> {
    const sched = new Scheduler();
    const n = await Network.start(sched, { discover: false, secret: SECRET });
    try {
      const echo = (await n.locateCoro('echo', { location: node.ready.location, timeout: 5000 })) as RemoteCoro;
      expect(echo).to.be.instanceOf(RemoteCoro);
      const me = sched.spawn(async (coro: Coro<any>) => {
        echo.send({ reply: coro, body: 'still here' });
        return coro.receive({ timeout: 5000 });
      });
      expect(await me.finish()).to.equal('still here');
    } finally {
      await n.stop();
      await sched.terminate();
    }
  }

  it('before authentication: random bytes, truncated and oversized frames are dropped', async () => {
    const header = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n);
      return b;
    };
    expect(await throwAt(node.ready.location, Buffer.from('GET / HTTP/1.1\r\n\r\n'))).to.equal('closed');
    expect(await throwAt(node.ready.location, header(0xffffffff))).to.equal('closed');
    expect(await throwAt(node.ready.location, Buffer.concat([header(100), Buffer.alloc(10)]))).to.equal('closed'); // truncated: handshake timeout
    expect(await throwAt(node.ready.location, encodeFrame(cbor.encode({ hello: 'cbor before auth' })))).to.equal('closed');
    await stillServes();
  });

  it('after authentication: wrong shapes and undecodable frames drop the connection; unknown types get typed errors', async () => {
    const a = await authenticated(node.ready.location);
    a.send([0, 7, 'no-such-request', { x: 1 }]);
    const reply = (await a.next()) as any[];
    expect(reply.slice(0, 3)).to.deep.equal([1, 7, false]);
    expect(reply[3].code).to.equal('ERR_UNKNOWN_REQUEST');
    a.send([0, 8, 'deliver', 'not a body']);
    const bad = (await a.next()) as any[];
    expect(bad[2]).to.equal(false);
    expect(bad[3].code).to.equal('ERR_INVALID_ARGUMENT');
    a.send([0, 9, 'locate', ['echo', 0, 1]]);
    const found = (await a.next()) as any[];
    expect(found[2]).to.equal(true);
    for (const wrong of [{ not: 'an array' }, [], [42], 'text', [0, -1, 'send', []], [1, 'id', true, null]]) {
      const c = await authenticated(node.ready.location);
      c.send(wrong);
      await c.closed;
    }
    const g = await authenticated(node.ready.location);
    g.sendRaw(encodeFrame(Buffer.from([0xff, 0xff, 0x00, 0x1c])));
    await g.closed;
    const big = await authenticated(node.ready.location);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(64 * 1024 * 1024);
    big.sendRaw(header);
    await big.closed;
    a.socket.destroy();
    await stillServes();
  });

  it('survives a few thousand randomised malformed inputs (bounded) and still serves a legitimate peer', async () => {
    const rand = prng(0xa5c0);
    const deadline = performance.now() + 15_000;
    let thrown = 0;
    // 1. unauthenticated: random bytes, half of them behind a plausible frame header
    for (let batch = 0; batch < 40 && performance.now() < deadline; batch++) {
      await Promise.all(Array.from({ length: 50 }, async () => {
        const body = Buffer.from(Array.from({ length: Math.floor(rand() * 700) }, () => Math.floor(rand() * 256)));
        const bytes = rand() < 0.5 ? encodeFrame(body) : body;
        thrown++;
        await throwAt(node.ready.location, bytes, 50);
      }));
    }
    // 2. authenticated: well-formed envelopes with random bodies for every request type, then random CBOR
    const types = ['send', 'deliver', 'monitor', 'exited', 'locate', 'terminate', 'nope'];
    for (let round = 0; round < 20 && performance.now() < deadline; round++) {
      const a = await authenticated(node.ready.location);
      for (let i = 0; i < 50; i++) {
        a.send([0, 1 + i, types[Math.floor(rand() * types.length)], randomValue(rand)]);
        thrown++;
      }
      a.send([0, 0, 'send', randomValue(rand)]);
      a.sendRaw(encodeFrame(cbor.encode(randomValue(rand))));
      thrown += 2;
      await Promise.race([a.closed, new Promise((r) => setTimeout(r, 100))]);
      a.socket.destroy();
    }
    expect(thrown).to.be.at.least(2000);
    expect(node.child.exitCode).to.equal(null);
    await stillServes();
  });
});
