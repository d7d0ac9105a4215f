/**
 * Lock-out before authentication, with real processes: a node (the victim), a flooder without the
 * secret keeping idle or trickling connections open from many loopback addresses
 * (spec/fixtures/handshakeFlooder.ts, 127.0.0.2 and up: all of 127/8 is loopback on Linux), a
 * peer process connected before the flood, and new legitimate peers (this process) that must get
 * in within a second all the same.
 */
import { expect } from 'chai';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { AuthenticationError, Network, Scheduler } from '../../../index.js';
import { handshake, newNodeId } from '../../../transports/net/handshake.js';
import { PeerKeys } from '../../../transports/net/PeerKeys.js';
import { failAuthentications } from '../../fixtures/authGuesser.js';
import { killAllPeerProcesses, PeerProcess } from '../../fixtures/index.js';
import { LineProcess } from '../../fixtures/LineProcess.js';
import { PEER_PROBES } from '../../fixtures/peerProbes.js';
import { captureLogger } from '../../helpers.js';

const SECRET = 'handshake-attack-secret-0123456789';
const FLOODER = fileURLToPath(new URL('../../fixtures/handshakeFlooder.js', import.meta.url));

/** The flooder process. */
class Flooder extends LineProcess {
  private constructor(child: ChildProcessWithoutNullStreams) {
    super(child, 'flooder');
  }

  static async start(port: number, addresses: string[], perAddress: number, mode: 'idle' | 'slow'): Promise<Flooder> {
    const f = new Flooder(spawn(process.execPath, [FLOODER, JSON.stringify({ port, addresses, perAddress, mode })], { stdio: 'pipe' }));
    flooders.add(f);
    await f.nextLine(30_000); // {"ready":true}: every connection open
    return f;
  }

  report(): Promise<{ open: number; opened: number; closedByNode: number }> {
    return this.ask({ cmd: 'report' }, 5000);
  }
}
const flooders = new Set<Flooder>();
const loopbacks = (from: number, count: number): string[] => Array.from({ length: count }, (_, i) => `127.0.0.${from + i}`);

/** Joins the victim from a fresh node in this process: the milliseconds until it is authenticated. */
async function join(location: string): Promise<number> {
  const sched = new Scheduler();
  const net = await Network.start(sched, { secret: SECRET, discover: false });
  try {
    const t0 = performance.now();
    await net.peer(location, { timeout: 5000 });
    return performance.now() - t0;
  } finally {
    await net.stop();
    await sched.terminate();
  }
}

describe('no lock-out before authentication (real processes)', function () {
  this.timeout(120_000);
  afterEach(async () => {
    for (const f of flooders) await f.kill();
    flooders.clear();
    await killAllPeerProcesses();
  });

  const scenarios = [
    { what: '80 idle connections from 8 addresses', addresses: loopbacks(2, 8), perAddress: 10, mode: 'idle' },
    { what: '80 trickling connections from 8 addresses', addresses: loopbacks(2, 8), perAddress: 10, mode: 'slow' },
    { what: '1,000 idle connections from 100 addresses', addresses: loopbacks(2, 100), perAddress: 10, mode: 'idle' },
    { what: '1,000 trickling connections from 100 addresses', addresses: loopbacks(2, 100), perAddress: 10, mode: 'slow' },
  ] as const;
  for (const s of scenarios) {
    it(`${s.what}, each reopened when closed: every new peer gets in, an established session is untouched`, async function () {
      const victim = await PeerProcess.start({ secret: SECRET, logLevel: 'error', extension: PEER_PROBES });
      const settled = await PeerProcess.start({ secret: SECRET, logLevel: 'error', extension: PEER_PROBES });
      expect(await settled.command({ cmd: 'ping-start', location: victim.ready.location })).to.deep.equal({ ok: true });
      const port = Number(victim.ready.location.split(':')[1]);
      const flooder = await Flooder.start(port, [...s.addresses], s.perAddress, s.mode);
      const before = await settled.command({ cmd: 'ping-report' });
      // A new peer every 400 ms for 4 s: through the waves of refused connections coming back.
      const joins: number[] = [];
      for (const end = performance.now() + 4000; performance.now() < end;) {
        const started = performance.now();
        joins.push(await join(victim.ready.location));
        await new Promise((r) => setTimeout(r, Math.max(0, 400 - (performance.now() - started))));
      }
      const flood = await flooder.report();
      const pings = await settled.command({ cmd: 'ping-report' });
      this.test!.title += ` ${JSON.stringify({ joinMs: joins.map(Math.round), flood, settledPeer: { pings: pings.sent - before.sent, failed: pings.failed - before.failed, maxRoundTripMs: pings.maxRoundTripMs } })}`;
      expect(flood.open, 'the flood is on').to.be.greaterThan(40);
      // Every join above was authenticated (a refused or timed-out one throws); how long each took
      // is reported in the title, not asserted: a loaded machine stretches it, a lock-out ends it.
      expect(joins.length, 'new peers joined during the flood').to.be.greaterThan(2);
      expect(pings.failed, 'the established session lost nothing').to.equal(0);
      expect(pings.sent - before.sent).to.be.greaterThan(0);
      expect(await victim.command({ cmd: 'peers' })).to.deep.include({ peers: [settled.ready.location] });
    });
  }

  it('failed authentications from one address are slowed down (doubling delays); a peer from another address still gets in', async function () {
    const victim = await PeerProcess.start({ secret: SECRET, logLevel: 'error' });
    const port = Number(victim.ready.location.split(':')[1]);
    const wrong = PeerKeys.from('not-the-secret-0123456789abcdef', undefined);
    let authFailures = 0, refused = 0;
    const guessing = (async () => {
      // A guesser without the secret, from 127.0.0.60, as fast as the node lets it.
      for (const end = performance.now() + 3000; performance.now() < end;) {
        const raw = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.60' });
        raw.on('error', () => {});
        try {
          await handshake(raw, 'initiator', { self: { nodeId: newNodeId(), host: '127.0.0.60', port: 9, name: 'guesser' }, keys: wrong, timeout: 3000 });
        } catch (err) {
          if (err instanceof AuthenticationError) authFailures++;
          else refused++;
        } finally {
          raw.destroy();
        }
      }
    })();
    const joins: number[] = [];
    for (let i = 0; i < 5; i++) {
      joins.push(await join(victim.ready.location));
      await new Promise((r) => setTimeout(r, 300));
    }
    await guessing;
    this.test!.title += ` ${JSON.stringify({ authFailuresIn3s: authFailures, refused, joinMs: joins.map(Math.round) })}`;
    // Without the throttle a guess took ~3 ms (about 1,000 in 3 s); with it, 100 + 200 + 400 + 800 + 1600 ms of waits.
    expect(authFailures).to.be.within(1, 6);
    expect(refused).to.be.greaterThan(0);
    expect(joins, 'every peer from another address got in').to.have.length(5);
  });

  it('peers that share a guesser\'s address get in all the same: refused as busy while it is throttled, they dial again until admitted', async function () {
    const victim = await PeerProcess.start({ secret: SECRET, logLevel: 'error' });
    const port = Number(victim.ready.location.split(':')[1]);
    // Three failed authentications from 127.0.0.1, the address every peer on this machine dials from:
    // the address is refused for 400 ms, and given one handshake at a time for ten minutes.
    await failAuthentications(port, 3);
    const logs = Array.from({ length: 8 }, () => captureLogger('debug'));
    const scheds = logs.map((l) => new Scheduler({ logger: l.logger }));
    const nets = await Promise.all(scheds.map((sched) => Network.start(sched, { secret: SECRET, discover: false })));
    try {
      const results = await Promise.allSettled(nets.map((n) => n.peer(victim.ready.location, { timeout: 20_000 })));
      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed.length, String(failed.map((r) => (r as PromiseRejectedResult).reason?.message))).to.equal(0);
      expect((await victim.command({ cmd: 'peers' })).peers.length).to.equal(8);
      const redials = logs.reduce((n, l) => n + l.lines.filter((line) => line.msg === 'connection refused; dialling again').length, 0);
      this.test!.title += ` ${JSON.stringify({ redials })}`;
      expect(redials, 'refused at first, dialled again').to.be.greaterThan(0);
    } finally {
      for (const n of nets) await n.stop();
      for (const s of scheds) await s.terminate();
    }
  });

  it('48 legitimate nodes on one address handshake at once: none is refused while the table has room', async function () {
    const victim = await PeerProcess.start({ secret: SECRET, logLevel: 'error' });
    const scheds = Array.from({ length: 48 }, () => new Scheduler());
    const nets = await Promise.all(scheds.map((sched) => Network.start(sched, { secret: SECRET, discover: false })));
    try {
      const results = await Promise.allSettled(nets.map((n) => n.peer(victim.ready.location, { timeout: 10_000 })));
      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed.length, String(failed.map((r) => (r as PromiseRejectedResult).reason?.message))).to.equal(0);
      expect((await victim.command({ cmd: 'peers' })).peers.length).to.equal(48);
    } finally {
      for (const n of nets) await n.stop();
      for (const s of scheds) await s.terminate();
    }
  });
});
