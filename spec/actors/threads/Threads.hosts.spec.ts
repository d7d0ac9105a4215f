/**
 * Item 6 of the threads issue: a coroutine on a thread reaches nodes on other hosts. When the
 * owner's network listens, each thread listens too (same addresses, same protection, its own
 * port): references to its coroutines are reachable from anywhere, and it dials other hosts itself.
 */
import { expect } from 'chai';
import { Network } from '../../../actors/remote/Network.js';
import { spawnOnWith } from '../../../actors/threads/spawnOn.js';
import { Threads } from '../../../actors/threads/Threads.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { Location } from '../../../transports/net/Location.js';
import { newSecret } from '../../../transports/net/PeerKeys.js';
import { killAllPeerProcesses, PeerProcess, THREAD_WORKERS } from '../../fixtures/index.js';
import { PEER_ASK } from '../../fixtures/peerAsk.js';
import { expectError, until } from '../../helpers.js';
import { readFileSync } from 'node:fs';
import { hkdfSync } from 'node:crypto';
import net_ from 'node:net';
import { inspect } from 'node:util';
import { handshake, newNodeId } from '../../../transports/net/handshake.js';
import { PeerKeys } from '../../../transports/net/PeerKeys.js';

const secret = 'threads across hosts';

/** Completes a handshake with the node at `location` as a node holding `secret`; its name. */
async function handshakeWith(location: string): Promise<string> {
  const at = Location.parse(location);
  const raw = await new Promise<net_.Socket>((resolve, reject) => {
    const s = net_.connect(at.port, at.host, () => resolve(s));
    s.once('error', reject);
  });
  try {
    const { peer } = await handshake(raw, 'initiator', { self: { nodeId: newNodeId(), host: '127.0.0.1', port: 9, name: 'probe' }, keys: PeerKeys.from(secret, undefined), timeout: 5000 });
    return peer.name;
  } finally {
    raw.destroy();
  }
}

describe('threads and other hosts (real worker threads, a real peer process)', function () {
  this.timeout(40_000);
  let sched: Scheduler;
  let net: Network;
  let threads: Threads | undefined;
  beforeEach(async () => {
    sched = new Scheduler();
    net = await Network.start(sched, { secret, discover: false });
  });
  afterEach(async () => {
    await threads?.stop({ timeout: 5000 });
    threads = undefined;
    await net.stop();
    await sched.terminate();
  });
  after(killAllPeerProcesses);

  it('threads of a listening owner listen too (its protection, their own ports); a peer on another host reaches their coroutines, and they reach its', async () => {
    threads = await Threads.start({ count: 2, scheduler: sched });
    const locations = threads.list().map((t) => Location.parse(t.location));
    for (const l of locations) {
      expect(l.host).to.equal('127.0.0.1');
      expect(l.port).to.not.equal(0);
      expect(l.port).to.not.equal(net.location.port);
    }
    await spawnOnWith(threads, { thread: 2 }, THREAD_WORKERS, 'registered', 'on-thread-2');
    const peer = await PeerProcess.start({ secret, seeds: [String(net.location)], extension: PEER_ASK });
    try {
      // The other host asks a coroutine of thread 2 (found through the mesh, reached directly).
      const asked = await peer.command({ cmd: 'ask', name: 'on-thread-2', n: 7 });
      expect(asked).to.deep.equal({ answer: 'on-thread-2:7', location: String(locations[1]) });
      // A coroutine of thread 1 finds the other host's echo and talks to it.
      const viaThread = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'echoVia', 'echo', 'hello from a thread');
      expect(await viaThread.value({ timeout: 15_000 })).to.deep.equal({ echoed: 'hello from a thread', location: peer.ready.location });
      // Between the threads and with their owner, the links stay ports.
      const [first] = await threads.snapshot({ timeout: 5000 });
      const peersOfFirst = first!.snapshot!.peers.map((p) => p.location);
      expect(peersOfFirst).to.include.members([String(net.location), String(locations[1]), peer.ready.location]);
    } finally {
      await peer.kill('SIGKILL');
    }
  });

  it('an owner listening beyond loopback (with a secret): its threads listen there too', async () => {
    const wide = new Scheduler();
    try {
      await Network.start(wide, { host: '0.0.0.0', extHost: '127.0.0.1', secret: newSecret(), discover: false });
      const all = await Threads.start({ count: 1, scheduler: wide });
      const location = Location.parse(all.list()[0]!.location);
      expect([location.host, location.port > 0]).to.deep.equal(['127.0.0.1', true]);
      await all.stop();
    } finally {
      await Network.of(wide)?.stop();
      await wide.terminate();
    }
  });

  it('a thread keeps no key bytes in sight: inspect(workerData) there shows none, and it still proves the secret to a peer', async () => {
    threads = await Threads.start({ count: 1, scheduler: sched });
    const seen = await (await spawnOnWith(threads, { thread: 1 }, new URL('../../fixtures/threadKeyProbe.js', import.meta.url), 'workerDataSeen')).value({ timeout: 10_000 });
    // The keys derived from the secret, in every form inspect could print them.
    const derived = ['asyncoro 3 record key', 'asyncoro 3 handshake mac'].map((context) => Buffer.from(hkdfSync('sha256', Buffer.from(secret), 'asyncoro peer protocol 3', context, 32)));
    const flat = String(seen).replace(/\s+/g, ' ');
    expect(flat, 'the probe saw the keys\' place').to.match(/mac: Uint8Array\(32\)/);
    for (const key of derived) {
      for (const form of [key.toString('hex'), key.toString('base64'), inspect(new Uint8Array(key), { maxArrayLength: Infinity }).replace(/^Uint8Array\(32\) /, '').replace(/\s+/g, ' '), `${key[0]}, ${key[1]}, ${key[2]}, ${key[3]}, ${key[4]}, ${key[5]},`]) {
        expect(flat).to.not.include(form);
      }
    }
    expect(flat).to.not.include(secret);
    // What the owner keeps of them shows nothing either.
    expect(inspect(threads, { depth: Infinity, showHidden: true })).to.not.include(derived[0]!.toString('hex'));
    // The thread's listener still has its keys: a node holding the secret completes a handshake with it.
    expect(await handshakeWith(threads.list()[0]!.location)).to.equal(threads.list()[0]!.name);
  });

  it('a thread that took a lost one\'s place from a warm spare has the keys too (the owner wipes its copy once posted)', async () => {
    threads = await Threads.start({ count: 1, scheduler: sched, spares: 1 });
    const group = threads;
    await until(() => group.spares === 1, 20_000, 'a warm spare');
    (await spawnOnWith(group, { thread: 1 }, THREAD_WORKERS, 'exitThread')).send(3);
    await until(() => group.list()[0]!.state === 'up' && group.list()[0]!.starts === 2, 20_000, 'the spare in the lost one\'s place');
    expect(await handshakeWith(group.list()[0]!.location)).to.equal(group.list()[0]!.name);
  });

  it('a peer without the secret cannot reach a thread either', async () => {
    threads = await Threads.start({ count: 1, scheduler: sched });
    const location = threads.list()[0]!.location;
    const outsider = await PeerProcess.start({ secret: 'wrong secret' });
    try {
      const answer = await outsider.command({ cmd: 'peer', location, timeout: 3000 });
      expect(answer.code).to.equal('ERR_AUTHENTICATION');
    } finally {
      await outsider.kill('SIGKILL');
    }
  });

  it('listen: false keeps the threads to the process (at name:0); heartbeat options for an owner with a network are InvalidArgumentError', async () => {
    threads = await Threads.start({ count: 1, scheduler: sched, listen: false });
    expect(threads.list()[0]!.location).to.match(/:0$/);
    await threads.stop();
    threads = undefined;
    await expectError(() => Threads.start({ count: 1, scheduler: sched, heartbeatInterval: 100 }), InvalidArgumentError);
  });

  it('certificate TLS cannot be handed to threads: they stay in the process by default, and listen: true is refused', async () => {
    const pem = (name: string): string => readFileSync(new URL(`../../../../spec/fixtures/tls/${name}`, import.meta.url), 'utf8');
    const certSched = new Scheduler();
    try {
      await Network.start(certSched, { discover: false, tls: { cert: pem('cert.pem'), key: pem('key.pem'), ca: pem('cert.pem') } });
      await expectError(() => Threads.start({ count: 1, scheduler: certSched, listen: true }), InvalidArgumentError);
      const inside = await Threads.start({ count: 1, scheduler: certSched });
      expect(inside.list()[0]!.location).to.match(/:0$/);
      await inside.stop();
    } finally {
      await Network.of(certSched)?.stop();
      await certSched.terminate();
    }
  });
});
