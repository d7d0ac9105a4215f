import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  FileExistsError, FileTooLargeError, InvalidArgumentError, Network, PathNotAllowedError, PeerLostError,
  PeerUnreachableError, RemoteError, Scheduler, TimeoutError,
} from '../../../index.js';
import { killAllPeerProcesses, PeerProcess } from '../../fixtures/index.js';
import { PEER_RCI_FILES } from '../../fixtures/peerRciFiles.js';
import { settle } from '../../helpers.js';


const sha = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex');

/** Every file below `dir` (relative paths), [] if it does not exist. */
async function listAll(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.map(String).sort();
}

/** Polls `check` every 5 ms until it is true; false after `ms`. */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  for (let i = 0; i < 10_000 && performance.now() < until; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return check();
}

const isPartial = (f: string): boolean => f.endsWith('.acro-part');
const SECRET = 'files-spec';
const NET_OPTIONS = { discover: false, secret: SECRET, heartbeatInterval: 200, peerTimeout: 3000 } as const;
const BIG = 256 * 1024 * 1024;

describe('file transfer (real processes on 127.0.0.1)', function () {
  this.timeout(60_000);
  let work: string;
  let sched: Scheduler;
  let net: Network | undefined;
  let big: string;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'asyncoro-files-'));
    big = path.join(work, 'big.bin'); // sparse: cheap to make and to read
    await writeFile(big, '');
    await truncate(big, BIG);
  });
  after(async () => {
    await killAllPeerProcesses();
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await net?.stop();
    net = undefined;
    await sched.terminate();
  });

  describe('to a peer process', () => {
    let peer: PeerProcess;
    let dest: string;
    let src: string;
    before(async () => {
      dest = path.join(work, 'dest-a');
      src = path.join(work, 'src');
      await mkdir(src);
      peer = await PeerProcess.start({ ...NET_OPTIONS, destDir: dest, extension: PEER_RCI_FILES });
    });
    after(async () => peer?.kill());
    beforeEach(async () => {
      net = await Network.start(sched, NET_OPTIONS);
      await net.peer(peer.ready.location, { timeout: 5000 });
    });

    it('round trip of a multi-MiB random file: same content, mode and modification time; no partial file left', async () => {
      const file = path.join(src, 'random.bin');
      await writeFile(file, randomBytes(5 * 1024 * 1024 + 123));
      await chmod(file, 0o640);
      const mtime = new Date('2020-01-02T03:04:05.678Z');
      await utimes(file, mtime, mtime);
      const r = await net!.sendFile(peer.ready.location, file, { timeout: 30_000 });
      expect(r).to.deep.equal({ sent: true, bytes: 5 * 1024 * 1024 + 123 });
      const copy = path.join(dest, 'random.bin');
      expect(await sha(copy)).to.equal(await sha(file));
      const st = await stat(copy);
      expect(st.mode & 0o777).to.equal(0o640);
      expect(Math.abs(st.mtimeMs - mtime.getTime())).to.be.lessThan(1000);
      expect((await listAll(dest)).filter(isPartial)).to.deep.equal([]);
    });

    it('onProgress reports the bytes acknowledged and the total, rising to the size; a bad callback is refused', async () => {
      const file = path.join(src, 'progress.bin');
      const size = 3 * 256 * 1024 + 7;
      await writeFile(file, randomBytes(size));
      const seen: Array<[number, number]> = [];
      const r = await net!.sendFile(peer.ready.location, file, { timeout: 30_000, overwrite: true, onProgress: (sent, total) => seen.push([sent, total]) });
      expect(r.bytes).to.equal(size);
      expect(seen.length).to.equal(4);
      expect(seen.map(([, total]) => total)).to.deep.equal([size, size, size, size]);
      expect(seen.map(([sent]) => sent)).to.deep.equal([256 * 1024, 512 * 1024, 768 * 1024, size]);
      const bad = await net!.sendFile(peer.ready.location, file, { onProgress: 'yes' as never }).catch((e: unknown) => e);
      expect((bad as { code?: string }).code).to.equal('ERR_INVALID_ARGUMENT');
    });

    it('an identical file is not sent again (even without overwrite); an empty file works', async () => {
      const file = path.join(src, 'same.txt');
      await writeFile(file, 'same content');
      expect(await net!.sendFile(peer.ready.location, file)).to.deep.equal({ sent: true, bytes: 12 });
      expect(await net!.sendFile(peer.ready.location, file)).to.deep.equal({ sent: false, bytes: 0, reason: 'identical' });
      const empty = path.join(src, 'empty');
      await writeFile(empty, '');
      expect(await net!.sendFile(peer.ready.location, empty)).to.deep.equal({ sent: true, bytes: 0 });
      expect((await stat(path.join(dest, 'empty'))).size).to.equal(0);
    });

    it('a different file of the same name: FileExistsError without overwrite (nothing changed), replaced with it', async () => {
      const file = path.join(src, 'changing.txt');
      await writeFile(file, 'version 1');
      await net!.sendFile(peer.ready.location, file);
      await writeFile(file, 'version 2, longer');
      const r = await settle(net!.sendFile(peer.ready.location, file));
      expect(FileExistsError.is(r.error)).to.equal(true);
      expect(r.error).to.be.instanceOf(RemoteError);
      expect(await readFile(path.join(dest, 'changing.txt'), 'utf8')).to.equal('version 1');
      expect(await net!.sendFile(peer.ready.location, file, { overwrite: true })).to.deep.equal({ sent: true, bytes: 17 });
      expect(await readFile(path.join(dest, 'changing.txt'), 'utf8')).to.equal('version 2, longer');
      expect((await listAll(dest)).filter(isPartial)).to.deep.equal([]);
    });

    it('into a folder below the destination; delFile removes the file and the folders it leaves empty', async () => {
      const file = path.join(src, 'nested.txt');
      await writeFile(file, 'nested');
      await net!.sendFile(peer.ready.location, file, { dir: 'x/y' });
      expect(await readFile(path.join(dest, 'x', 'y', 'nested.txt'), 'utf8')).to.equal('nested');
      expect(await net!.delFile(peer.ready.location, 'nested.txt', { dir: 'x/y' })).to.equal(true);
      expect(await listAll(path.join(dest, 'x'))).to.deep.equal([]);
      expect(await net!.delFile(peer.ready.location, 'nested.txt', { dir: 'x/y' })).to.equal(false);
      const r = await peer.command({ cmd: 'del-file', location: String(net!.location), name: 'nothing-here' });
      expect(r).to.deep.equal({ result: false });
    });

    it('refuses paths leaving the destination folder, at the sender and at the receiver', async () => {
      const file = path.join(src, 'escape.txt');
      await writeFile(file, 'escape');
      for (const dir of ['../x', '/tmp', 'a/../../x', '..', 'a\\..\\b', 'a\0b']) {
        const r = await settle(net!.sendFile(peer.ready.location, file, { dir }));
        expect(PathNotAllowedError.is(r.error), `dir ${JSON.stringify(dir)}: ${r.error}`).to.equal(true);
      }
      expect(PathNotAllowedError.is((await settle(net!.delFile(peer.ready.location, '../escape.txt'))).error)).to.equal(true);
      // The receiver checks too (a sender that skips the checks).
      const begin = { id: 'bad', name: 'escape.txt', size: 6, mode: 0o644, mtimeMs: Date.now(), sha256: 'a'.repeat(64), overwrite: true };
      for (const bad of [{ dir: '../x' }, { dir: '/etc' }, { dir: 'a/../../x' }, { name: 'a/b' }, { name: '..' }, { name: 'a\0b' }]) {
        const r = await settle(net!.request(peer.ready.location, 'file-begin', { ...begin, ...bad }));
        expect(r.error, JSON.stringify(bad)).to.be.instanceOf(RemoteError);
        expect(PathNotAllowedError.is(r.error), JSON.stringify(bad)).to.equal(true);
      }
      expect(PathNotAllowedError.is((await settle(net!.request(peer.ready.location, 'file-del', ['x', '../..']))).error)).to.equal(true);
      // A symbolic link inside the destination folder that points outside it.
      const outside = path.join(work, 'outside');
      await mkdir(outside, { recursive: true });
      await mkdir(dest, { recursive: true });
      await symlink(outside, path.join(dest, 'link-out'));
      const viaLink = await settle(net!.sendFile(peer.ready.location, file, { dir: 'link-out/sub' }));
      expect(PathNotAllowedError.is(viaLink.error), String(viaLink.error)).to.equal(true);
      expect(await listAll(outside)).to.deep.equal([]);
      expect((await listAll(dest)).filter((f) => f.includes('escape'))).to.deep.equal([]);
    });

    it('bad arguments throw InvalidArgumentError', async () => {
      const loc = peer.ready.location;
      expect(InvalidArgumentError.is((await settle(net!.sendFile(loc, src))).error), 'a folder').to.equal(true);
      expect(InvalidArgumentError.is((await settle(net!.sendFile(loc, path.join(src, 'missing')))).error), 'missing').to.equal(true);
      expect(InvalidArgumentError.is((await settle(net!.sendFile(loc, path.join(src, 'same.txt'), { timeout: -1 }))).error)).to.equal(true);
      expect(InvalidArgumentError.is((await settle(net!.sendFile(loc, path.join(src, 'same.txt'), { overwrite: 'yes' as any }))).error)).to.equal(true);
      expect(InvalidArgumentError.is((await settle(net!.sendFile(loc, ''))).error)).to.equal(true);
      expect(PathNotAllowedError.is((await settle(net!.delFile(loc, 'a/b'))).error)).to.equal(true);
      expect(InvalidArgumentError.is((await settle(net!.request(loc, 'file-chunk', ['nope', 0, 'text']))).error)).to.equal(true);
    });

    it('cancellation mid-transfer rejects with the reason and the receiver removes the partial file', async () => {
      const ac = new AbortController();
      const sending = settle(net!.sendFile(peer.ready.location, big, { dir: 'cancelled', signal: ac.signal }));
      expect(await eventually(async () => (await listAll(path.join(dest, 'cancelled'))).some(isPartial), 15_000), 'transfer started').to.equal(true);
      ac.abort(new Error('user cancelled'));
      const r = await sending;
      expect(r.error?.message).to.equal('user cancelled');
      expect(await eventually(async () => (await listAll(path.join(dest, 'cancelled'))).length === 0, 5000), 'partial removed').to.equal(true);
    });

    it('times out with TimeoutError when the receiver is frozen; its partial file goes once it resumes', async () => {
      const file = path.join(src, 'frozen.txt');
      await writeFile(file, 'frozen');
      await peer.kill('SIGSTOP');
      let r: Awaited<ReturnType<typeof settle>>;
      try {
        r = await settle(net!.sendFile(peer.ready.location, file, { dir: 'frozen', timeout: 300 }));
      } finally {
        await peer.kill('SIGCONT');
      }
      expect(TimeoutError.is(r.error), String(r.error)).to.equal(true);
      // Once resumed it handles the begin (creating the folder and a partial file), then the abort.
      const folder = path.join(dest, 'frozen');
      expect(await eventually(async () => (await stat(folder).catch(() => undefined)) !== undefined && (await listAll(folder)).length === 0, 5000), `left: ${await listAll(folder)}`).to.equal(true);
    });
  });

  it('over the receiver\'s maxFileSize: FileTooLargeError and nothing written', async () => {
    const dest = path.join(work, 'dest-small');
    const small = await PeerProcess.start({ ...NET_OPTIONS, destDir: dest, maxFileSize: 1024 * 1024 });
    try {
      net = await Network.start(sched, NET_OPTIONS);
      const file = path.join(work, 'two-mib.bin');
      await writeFile(file, Buffer.alloc(2 * 1024 * 1024, 7));
      const r = await settle(net.sendFile(small.ready.location, file));
      expect(FileTooLargeError.is(r.error), String(r.error)).to.equal(true);
      expect(await listAll(dest)).to.deep.equal([]);
    } finally {
      await small.kill();
    }
  });

  it('the receiver killed mid-transfer: the sender fails at once with PeerLostError', async () => {
    const dest = path.join(work, 'dest-victim');
    const victim = await PeerProcess.start({ ...NET_OPTIONS, destDir: dest });
    try {
      net = await Network.start(sched, NET_OPTIONS);
      const sending = settle(net.sendFile(victim.ready.location, big));
      expect(await eventually(async () => (await listAll(dest)).some(isPartial), 15_000), 'transfer started').to.equal(true);
      const killedAt = performance.now();
      await victim.kill('SIGKILL');
      const r = await sending;
      expect(PeerLostError.is(r.error) || PeerUnreachableError.is(r.error), String(r.error)).to.equal(true);
      expect(performance.now() - killedAt).to.be.lessThan(3000); // well before the peer timeout would matter
    } finally {
      await victim.kill();
    }
  });

  it('the sender killed mid-transfer: the receiver (this process) removes the partial file', async () => {
    const dest = path.join(work, 'dest-here');
    net = await Network.start(sched, { ...NET_OPTIONS, destDir: dest });
    expect(net.destDir).to.equal(dest);
    const sender = await PeerProcess.start({ ...NET_OPTIONS, extension: PEER_RCI_FILES });
    try {
      sender.child.stdin.write(JSON.stringify({ cmd: 'send-file', location: String(net.location), path: big }) + '\n');
      expect(await eventually(async () => (await listAll(dest)).some(isPartial), 15_000), 'transfer started').to.equal(true);
      await sender.kill('SIGKILL');
      expect(await eventually(async () => (await listAll(dest)).length === 0, 5000), `left: ${await listAll(dest)}`).to.equal(true);
    } finally {
      await sender.kill();
    }
  });

  it('the default destination folder is <tmpdir>/asyncoro/<node name>', async () => {
    net = await Network.start(sched, { discover: false, name: 'node:one/two' });
    expect(net.destDir).to.equal(path.join(tmpdir(), 'asyncoro', 'node_one_two'));
  });
});
