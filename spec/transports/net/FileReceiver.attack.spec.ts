/**
 * File transfers per peer under attack, with real processes: a node (the victim) receiving files,
 * a peer holding the secret (this process) that begins 2,000 transfers at once and never sends a
 * byte of them, and a legitimate peer process sending a real file meanwhile. The victim's open
 * files are counted in /proc/<pid>/fd.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Network, Scheduler } from '../../../index.js';
import { PARTIAL_SUFFIX } from '../../../transports/net/FileReceiver.js';
import { killAllPeerProcesses, PeerProcess } from '../../fixtures/index.js';
import { PEER_RCI_FILES } from '../../fixtures/peerRciFiles.js';

const SECRET = 'file-attack-secret-0123456789';
const STALL_MS = 1500;

/** The victim's files open under a partial name, from /proc. */
async function openPartials(pid: number): Promise<number> {
  const fds = await readdir(`/proc/${pid}/fd`);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return targets.filter((t) => t.endsWith(PARTIAL_SUFFIX)).length;
}

describe('file transfers per peer under attack (real processes)', function () {
  this.timeout(60_000);
  let dest: string, src: string;
  const scheds: Scheduler[] = [];
  beforeEach(async () => {
    dest = await mkdtemp(path.join(tmpdir(), 'asyncoro-file-attack-'));
    src = await mkdtemp(path.join(tmpdir(), 'asyncoro-file-attack-src-'));
  });
  afterEach(async () => {
    for (const s of scheds.splice(0)) await s.terminate();
    await killAllPeerProcesses();
    await rm(dest, { recursive: true, force: true });
    await rm(src, { recursive: true, force: true });
  });

  it(`2,000 begun transfers from one peer open at most 8 files; each stalled one is gone ${STALL_MS} ms after it stalled; another peer's file arrives meanwhile`, async function () {
    const victim = await PeerProcess.start({ secret: SECRET, destDir: dest, requestTimeout: STALL_MS, logLevel: 'error' });
    const legit = await PeerProcess.start({ secret: SECRET, logLevel: 'error', extension: PEER_RCI_FILES });
    const sched = new Scheduler();
    scheds.push(sched);
    const attacker = await Network.start(sched, { secret: SECRET, discover: false });
    await attacker.peer(victim.ready.location, { timeout: 5000 });
    const data = Buffer.from('never sent');
    const sha256 = createHash('sha256').update(data).digest('hex');
    const t0 = performance.now();
    const answers = await Promise.all(Array.from({ length: 2000 }, (_, i) =>
      attacker.request(victim.ready.location, 'file-begin', { id: `a${i}`, name: `f${i}.bin`, dir: null, size: data.length, mode: 0o600, mtimeMs: 0, sha256, overwrite: false }, { timeout: 10_000 })
        .then(() => 'ok', (err: { code?: string }) => err.code ?? 'error')));
    const begun = performance.now();
    const counts = answers.reduce<Record<string, number>>((acc, a) => ((acc[a] = (acc[a] ?? 0) + 1), acc), {});
    const open = await openPartials(victim.pid);
    const onDisk = (await readdir(dest)).filter((f) => f.endsWith(PARTIAL_SUFFIX)).length;
    // A legitimate peer sends a real file meanwhile: it has its own share.
    await writeFile(path.join(src, 'report.txt'), 'a legitimate file\n');
    const sent = await legit.command({ cmd: 'send-file', location: victim.ready.location, path: path.join(src, 'report.txt'), timeout: 5000 });
    // The stalled ones go by their own timers.
    let gone = Infinity;
    for (const end = performance.now() + 4 * STALL_MS; performance.now() < end;) {
      if ((await openPartials(victim.pid)) === 0 && (await readdir(dest)).every((f) => !f.endsWith(PARTIAL_SUFFIX))) {
        gone = performance.now() - begun;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    this.test!.title += ` ${JSON.stringify({ answers: counts, openFiles: open, partialFilesOnDisk: onDisk, beginMs: Math.round(begun - t0), goneMsAfterBegun: Math.round(gone), legitimate: sent })}`;
    expect(counts).to.deep.equal({ ok: 8, ERR_FILE_TRANSFER_LIMIT: 1992 });
    expect(open).to.be.at.most(8);
    expect(onDisk).to.be.at.most(8);
    expect(sent).to.deep.equal({ result: { sent: true, bytes: 18 } });
    expect(gone, 'partial files and handles gone').to.be.at.most(STALL_MS + 1000);
    expect(await victim.command({ cmd: 'peers' })).to.have.property('peers').with.length(2);
  });
});
