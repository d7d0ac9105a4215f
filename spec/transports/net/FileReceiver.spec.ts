import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Network } from '../../../actors/remote/Network.js';
import { destDirOf, PARTIAL_SUFFIX } from '../../../transports/net/FileReceiver.js';
import { networkFixture } from '../../fixtures/index.js';
import { caught, turn } from '../../helpers.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const SECRET = 'receiver-spec';

describe('FileReceiver (its requests, sent by a real node)', function () {
  this.timeout(20_000);
  const { node } = networkFixture();
  let dest: string;
  let receiver: Network;
  let sender: Network;
  let nextId = 0;
  beforeEach(async () => {
    dest = await mkdtemp(path.join(tmpdir(), 'asyncoro-receiver-'));
    receiver = await node({ secret: SECRET, destDir: dest, maxFileSize: 1000, requestTimeout: 2000 });
    sender = await node({ secret: SECRET });
    await sender.peer(receiver.location, { timeout: 5000 });
  });
  afterEach(async () => {
    await rm(dest, { recursive: true, force: true });
  });

  const ask = (type: string, body: unknown): Promise<unknown> => sender.request(receiver.location, type, body, { timeout: 5000 });
  const beginBody = (data: Buffer, extra: object = {}) =>
    ({ id: `t${nextId++}`, name: 'data.bin', dir: null, size: data.length, mode: 0o640, mtimeMs: Date.UTC(2024, 0, 2), sha256: sha(data), overwrite: false, ...extra });
  const begin = (data: Buffer, extra: object = {}) => {
    const body = beginBody(data, extra);
    return { id: body.id, reply: ask('file-begin', body) };
  };
  const everything = async (): Promise<string[]> => (await readdir(dest, { recursive: true })).map(String).sort();
  const remoteCode = async (p: Promise<unknown>): Promise<string | undefined> => ((await caught(() => p)) as { code?: string }).code;

  it('begin, chunks in order, end: the file appears whole under its name, with its mode and mtime', async () => {
    const data = Buffer.from('0123456789abcdef');
    const { id, reply } = begin(data, { dir: 'in/box' });
    expect(await reply).to.deep.equal({ ok: true });
    expect(await ask('file-chunk', [id, 0, data.subarray(0, 10)])).to.equal(10);
    const partial = await everything();
    expect(partial.some((f) => f.endsWith(PARTIAL_SUFFIX))).to.equal(true);
    expect(partial).to.not.include(path.join('in', 'box', 'data.bin'));
    expect(await ask('file-chunk', [id, 10, data.subarray(10)])).to.equal(16);
    expect(await ask('file-end', [id])).to.deep.equal({ bytes: 16 });
    const file = path.join(dest, 'in', 'box', 'data.bin');
    expect((await readFile(file)).equals(data)).to.equal(true);
    const st = await stat(file);
    expect(st.mode & 0o777).to.equal(0o640);
    expect(st.mtimeMs).to.equal(Date.UTC(2024, 0, 2));
    expect((await everything()).filter((f) => f.endsWith(PARTIAL_SUFFIX))).to.deep.equal([]);
  });

  it('an identical file already there is not sent again; a different one needs overwrite', async () => {
    const data = Buffer.from('same bytes');
    await writeFile(path.join(dest, 'data.bin'), data);
    expect(await begin(data).reply).to.deep.equal({ identical: true });
    const other = Buffer.from('other bytes');
    expect(await remoteCode(begin(other).reply)).to.equal('ERR_FILE_EXISTS');
    const { id, reply } = begin(other, { overwrite: true });
    expect(await reply).to.deep.equal({ ok: true });
    await ask('file-chunk', [id, 0, other]);
    await ask('file-end', [id]);
    expect(String(await readFile(path.join(dest, 'data.bin')))).to.equal('other bytes');
  });

  it('refuses unsafe names and folders (PathNotAllowedError), too large files (FileTooLargeError) and malformed requests', async () => {
    const data = Buffer.from('x');
    for (const name of ['../escape', 'a/b', '..', '', 'x\0y']) expect(await remoteCode(begin(data, { name }).reply), name).to.equal('ERR_PATH_NOT_ALLOWED');
    for (const dir of ['/etc', '../up', 'a/../../x', 'c:\\win']) expect(await remoteCode(begin(data, { dir }).reply), dir).to.equal('ERR_PATH_NOT_ALLOWED');
    expect(await remoteCode(begin(Buffer.alloc(1001)).reply)).to.equal('ERR_FILE_TOO_LARGE');
    for (const bad of [null, 'x', { id: 1 }, beginBody(data, { sha256: 'short' })]) expect(await remoteCode(ask('file-begin', bad))).to.equal('ERR_INVALID_ARGUMENT');
    for (const bad of ['x', ['id', 0], ['id', '0', new Uint8Array(1)]]) expect(await remoteCode(ask('file-chunk', bad))).to.equal('ERR_INVALID_ARGUMENT');
    expect(await remoteCode(ask('file-end', [1]))).to.equal('ERR_INVALID_ARGUMENT');
    expect(await remoteCode(ask('file-chunk', ['never-begun', 0, new Uint8Array(1)]))).to.equal('ERR_FILE_TRANSFER');
    expect(await everything()).to.deep.equal([]);
  });

  it('a chunk out of order, or more bytes than announced, aborts the transfer and removes the partial file', async () => {
    const data = Buffer.from('abcdef');
    const a = begin(data);
    await a.reply;
    expect(await remoteCode(ask('file-chunk', [a.id, 3, data.subarray(3)]))).to.equal('ERR_FILE_TRANSFER');
    expect(await remoteCode(ask('file-chunk', [a.id, 0, data]))).to.equal('ERR_FILE_TRANSFER'); // it is gone
    const b = begin(data, { name: 'b.bin' });
    await b.reply;
    expect(await remoteCode(ask('file-chunk', [b.id, 0, Buffer.alloc(7)]))).to.equal('ERR_FILE_TRANSFER');
    await untilEmpty();
  });

  it('a file that does not match its digest at the end is refused and not kept', async () => {
    const data = Buffer.from('announced');
    const { id, reply } = begin(data);
    await reply;
    await ask('file-chunk', [id, 0, Buffer.from('different')]);
    expect(await remoteCode(ask('file-end', [id]))).to.equal('ERR_FILE_TRANSFER');
    await untilEmpty();
  });

  it('file-abort ends a transfer (its partial file removed), and one that comes before its begin refuses that begin', async () => {
    const data = Buffer.from('abort me');
    const { id, reply } = begin(data);
    await reply;
    expect(sender.post(receiver.location, 'file-abort', [id])).to.equal(true);
    await untilEmpty();
    expect(await remoteCode(ask('file-chunk', [id, 0, data]))).to.equal('ERR_FILE_TRANSFER');
    sender.post(receiver.location, 'file-abort', [`t${nextId}`]); // the id the next begin takes
    expect(await remoteCode(begin(data).reply)).to.equal('ERR_FILE_TRANSFER');
  });

  it('a sender that goes away ends its transfers: the partial file is removed', async () => {
    const data = Buffer.from('half sent');
    const { id, reply } = begin(data);
    await reply;
    await ask('file-chunk', [id, 0, data.subarray(0, 4)]);
    expect((await everything()).length).to.equal(1);
    await sender.stop();
    await untilEmpty();
  });

  it('at most maxFileTransfers (8) in flight from one peer: the next begin is FileTransferLimitError and opens nothing; one ending makes room', async () => {
    const data = Buffer.from('eight at a time');
    const started = Array.from({ length: 8 }, (_, i) => begin(data, { name: `f${i}.bin` }));
    for (const s of started) expect(await s.reply).to.deep.equal({ ok: true });
    const partials = async (): Promise<number> => (await everything()).filter((f) => f.endsWith(PARTIAL_SUFFIX)).length;
    expect(await partials()).to.equal(8);
    expect(await remoteCode(begin(data, { name: 'ninth.bin' }).reply)).to.equal('ERR_FILE_TRANSFER_LIMIT');
    expect(await partials(), 'nothing opened for the ninth').to.equal(8);
    expect(sender.post(receiver.location, 'file-abort', [started[0]!.id])).to.equal(true);
    await untilFiles(async () => (await partials()) === 7, 5000, 'the aborted one gone');
    expect(await begin(data, { name: 'ninth.bin' }).reply).to.deep.equal({ ok: true });
    // Another peer has its own eight.
    const other = await node({ secret: SECRET });
    expect(await other.request(receiver.location, 'file-begin', beginBody(data, { name: 'other.bin' }), { timeout: 5000 })).to.deep.equal({ ok: true });
  });

  it('a stalled transfer is dropped by its own timer, requestTimeout after its last progress, and its partial file removed', async () => {
    const data = Buffer.from('0123456789');
    const { id, reply } = begin(data);
    await reply;
    const started = performance.now();
    await ask('file-chunk', [id, 0, data.subarray(0, 4)]);
    expect((await everything()).length).to.equal(1);
    await untilFiles(async () => (await everything()).length === 0, 6000, 'the stalled transfer dropped');
    const after = performance.now() - started;
    expect(after, 'not before its requestTimeout (2000 ms)').to.be.at.least(1900);
    expect(await remoteCode(ask('file-chunk', [id, 4, data.subarray(4)]))).to.equal('ERR_FILE_TRANSFER');
  });

  it('file-del removes a received file and the folders it leaves empty; false when there is none', async () => {
    await mkdir(path.join(dest, 'a', 'b'), { recursive: true });
    await writeFile(path.join(dest, 'a', 'b', 'f.txt'), 'x');
    await writeFile(path.join(dest, 'a', 'keep.txt'), 'y');
    expect(await ask('file-del', ['f.txt', 'a/b'])).to.equal(true);
    expect(await everything()).to.deep.equal(['a', path.join('a', 'keep.txt')]);
    expect(await ask('file-del', ['f.txt', 'a/b'])).to.equal(false);
    expect(await ask('file-del', ['none', 'no/such/dir'])).to.equal(false);
    expect(await remoteCode(ask('file-del', ['a', null]))).to.equal('ERR_PATH_NOT_ALLOWED'); // a folder
    expect(await remoteCode(ask('file-del', ['../x', null]))).to.equal('ERR_PATH_NOT_ALLOWED');
    expect(await remoteCode(ask('file-del', ['only-one']))).to.equal('ERR_INVALID_ARGUMENT');
  });

  it('destDirOf: the destDir option, else <tmpdir>/asyncoro/<node name with unsafe characters replaced>', async () => {
    expect(destDirOf(receiver)).to.equal(path.resolve(dest));
    expect(destDirOf(sender)).to.equal(path.join(tmpdir(), 'asyncoro', String(sender.name).replace(/[^A-Za-z0-9._-]/g, '_')));
  });

  /** Polls the folder every 10 ms until `pred` holds; fails after `ms`. */
  async function untilFiles(pred: () => Promise<boolean>, ms: number, what: string): Promise<void> {
    for (const end = performance.now() + ms; !(await pred());) {
      if (performance.now() > end) expect.fail(`${what} not reached within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async function untilEmpty(): Promise<void> {
    // The partial file is removed once its handle closes: poll the folder, turn by turn (bounded).
    let files = await everything();
    for (let i = 0; i < 2000 && files.length > 0; i++) {
      await turn();
      files = await everything();
    }
    expect(files, 'files left in the destination folder').to.deep.equal([]);
  }
});
