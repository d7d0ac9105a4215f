/**
 * The record layer's read budget under attack, with real processes: a node (the victim, which
 * measures the CPU time of its main thread between the ticks of a 1 ms timer), a legitimate peer
 * that keeps asking the victim's `echo` for answers, and a hostile peer holding the secret
 * (spec/fixtures/recordFlooder.ts) that sends, back to back, records of one byte that never
 * complete a frame (opening them is the victim's only work), or empty records (refused).
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killAllPeerProcesses, PeerProcess } from '../../fixtures/index.js';
import { PEER_PROBES } from '../../fixtures/peerProbes.js';

const SECRET = 'record-flood-secret-0123456789';
const FLOODER = fileURLToPath(new URL('../../fixtures/recordFlooder.js', import.meta.url));
const ATTACK_MS = 4000;
const MAX_FRAME = 1 << 20;

describe('the record layer under a flood of tiny records from a peer holding the secret (real processes)', function () {
  this.timeout(90_000);
  let flooder: ChildProcess | undefined;
  afterEach(async () => {
    if (flooder?.exitCode === null && flooder.signalCode === null) process.kill(flooder.pid!, 'SIGKILL');
    await killAllPeerProcesses();
  });

  function flood(location: string, plain: 0 | 1): Promise<{ records: number; bytes: number; connections: number }> {
    flooder = spawn(process.execPath, [FLOODER, JSON.stringify({ location, secret: SECRET, maxFrame: MAX_FRAME, ms: ATTACK_MS, plain })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    flooder.stdout!.on('data', (d) => (out += d));
    flooder.stderr!.on('data', (d) => (err += d));
    return new Promise((resolve, reject) => flooder!.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`flooder exited ${code}: ${err}`)))));
  }

  // Before records were opened within the read budget (and empty ones refused), the same floods
  // blocked the loop for 43 ms (one-byte records, with 56 MB of heap held by the half-received
  // frame) and 205 ms of CPU (empty records), and a legitimate round trip took up to 1.1 s.
  for (const [label, plain] of [['one-byte records completing no frame', 1], ['empty records', 0]] as const) {
    it(`${label}: the victim's loop is never blocked 100 ms of CPU, its heap stays bounded, and a legitimate peer is answered throughout`, async function () {
      const victim = await PeerProcess.start({ secret: SECRET, maxFrame: MAX_FRAME, logLevel: 'error', extension: PEER_PROBES }, 10_000, ['--expose-gc']);
      const legit = await PeerProcess.start({ secret: SECRET, maxFrame: MAX_FRAME, logLevel: 'error', extension: PEER_PROBES });
      expect(await legit.command({ cmd: 'ping-start', location: victim.ready.location })).to.deep.equal({ ok: true });
      expect(await victim.command({ cmd: 'watch-start' })).to.deep.equal({ ok: true });
      const before = await legit.command({ cmd: 'ping-report' });
      const sent = await flood(victim.ready.location, plain);
      const seen = await victim.command({ cmd: 'watch-report' });
      const served = await legit.command({ cmd: 'ping-report' });
      const figures = { attacker: sent, victim: seen, legitimate: { ...served, sent: served.sent - before.sent, answered: served.answered - before.answered } };
      this.test!.title += ` ${JSON.stringify(figures)}`; // the figures, in the report
      expect(sent.records, 'the attack ran').to.be.greaterThan(10_000);
      if (plain === 0) expect(sent.connections, 'each connection was dropped at its first empty record, and came back').to.be.at.least(2);
      expect(seen.ticks, 'the victim kept ticking').to.be.greaterThan(ATTACK_MS / 20);
      // Records are opened within the turn's 5 ms read budget; a turn also holds the chunk's bytes
      // and the collector's work: 100 ms leaves room for a starved machine, a tenth of what an
      // unbudgeted reader blocked for.
      expect(seen.maxBlockCpuMs, 'longest loop block, CPU ms').to.be.at.most(100);
      // A frame received a byte a record is held in a few KiB-sized buffers, not one object per byte.
      expect(seen.heapPeakMB, 'heap peak over the level before, MB').to.be.at.most(40);
      expect(seen.heapNowMB, 'heap kept after the attack, MB').to.be.at.most(10);
      expect(served.failed, 'legitimate pings lost').to.equal(0);
      expect(served.sent - before.sent, 'legitimate pings during the attack').to.be.greaterThan(ATTACK_MS / 200);
      expect(served.maxRoundTripMs, 'longest legitimate round trip, ms').to.be.at.most(1000);
    });
  }
});
