/**
 * The receiving side of file transfer: serves 'file-begin', 'file-chunk', 'file-end',
 * 'file-abort' and 'file-del'. A file is written to a temporary name in its folder and renamed
 * into place once complete and verified (size and SHA-256), with the sender's mode and
 * modification time; a transfer that fails, is aborted, stalls or whose sender is lost has its
 * temporary file removed. A peer has at most `maxFileTransfers` transfers in flight (each holds
 * an open file); one more is refused (FileTransferLimitError) before anything is opened. Each
 * transfer has its own timer: without progress (a chunk arriving, a write done) for the
 * network's `requestTimeout`, the time its sender waits for each acknowledgement, it is dropped.
 * @module
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { chmod, link, lstat, mkdir, open, realpath, rename, rmdir, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { FileExistsError, FileTooLargeError, FileTransferError, FileTransferLimitError, PathNotAllowedError } from './netErrors.js';
import { checkFileName, checkRelativeDir, defaultDestDir, resolveFolder, sha256File } from './fileTransferPaths.js';
import type { PeerNetwork } from './PeerNetwork.js';
import type { Peer } from './Peer.js';
import type { PeerStatus } from './PeerStatus.js';

/** Suffix of temporary files (a reader never sees a partial file under its final name). */
export const PARTIAL_SUFFIX = '.acro-part';

/** What 'file-begin' carries. */
interface Begin {
  id: string;
  name: string;
  dir: string | null;
  size: number;
  mode: number;
  mtimeMs: number;
  sha256: string;
  overwrite: boolean;
}

interface Transfer {
  key: string;
  peer: string;
  begin: Begin;
  handle: FileHandle | undefined;
  temp: string | undefined;
  target: string;
  expected: number;
  received: number;
  hash: Hash;
  chain: Promise<unknown>;
  /** Drops the transfer when it makes no progress for requestTimeout. */
  stall: NodeJS.Timeout | undefined;
  aborted: boolean;
}

/** The destination folder of `net`: its `destDir` option, or `<tmpdir>/asyncoro/<node name>`. */
export function destDirOf(net: PeerNetwork): string {
  return path.resolve(net.options.destDir ?? defaultDestDir(net.name));
}

/**
 * Installs the receiving handlers on `net` (done for every network at start).
 * @example
 * ```ts
 * new FileReceiver(net);
 * ```
 */
export class FileReceiver {
  private readonly transfers = new Map<string, Transfer>();
  private readonly aborted = new Set<string>();
  /** Transfers in flight, by sender incarnation. */
  private readonly perPeer = new Map<string, number>();

  constructor(private readonly net: PeerNetwork) {
    net.handle('file-begin', (body, peer) => this.begin(body, peer));
    net.handle('file-chunk', (body, peer) => this.chunk(body, peer));
    net.handle('file-end', (body, peer) => this.end(body, peer));
    net.handle('file-abort', (body, peer) => {
      if (Array.isArray(body) && typeof body[0] === 'string') this.abort(`${peer.incarnation}/${body[0]}`, true);
    });
    net.handle('file-del', (body) => this.delete(body));
    // A lost sender (killed, stopped, silent) ends its transfers.
    net.peerStatus({
      send: (status: unknown) => {
        const s = status as PeerStatus;
        if (s.status === 'offline') for (const t of [...this.transfers.values()]) if (t.peer === s.incarnation) this.abort(t.key, false);
        return true;
      },
    });
  }

  private async begin(body: unknown, peer: Peer): Promise<{ identical: true } | { ok: true }> {
    const b = body as Begin;
    if (body === null || typeof body !== 'object' || typeof b.id !== 'string' || b.id.length > 64 || typeof b.size !== 'number' || !Number.isSafeInteger(b.size) || b.size < 0
      || typeof b.mode !== 'number' || typeof b.mtimeMs !== 'number' || typeof b.sha256 !== 'string' || b.sha256.length !== 64 || typeof b.overwrite !== 'boolean') {
      throw new InvalidArgumentError('malformed file-begin request');
    }
    const name = checkFileName(b.name);
    const segments = checkRelativeDir(b.dir);
    const max = this.net.options.maxFileSize;
    if (max !== undefined && b.size > max) throw new FileTooLargeError(`file ${name.slice(0, 100)} (${b.size} bytes) exceeds the limit of ${max} bytes at ${this.net.name}`);
    const key = `${peer.incarnation}/${b.id}`;
    if (this.transfers.has(key)) throw new InvalidArgumentError('duplicate transfer id');
    const limit = this.net.options.maxFileTransfers;
    if ((this.perPeer.get(peer.incarnation) ?? 0) >= limit) throw new FileTransferLimitError(`${limit} file transfers from this node are in flight already (at most ${limit}); send again once one has ended`);
    const t: Transfer = { key, peer: peer.incarnation, begin: b, handle: undefined, temp: undefined, target: '', expected: 0, received: 0, hash: createHash('sha256'), chain: Promise.resolve(), stall: undefined, aborted: this.aborted.delete(key) };
    if (t.aborted) throw new FileTransferError('transfer aborted by the sender');
    this.track(t);
    try {
      const root = destDirOf(this.net);
      await mkdir(root, { recursive: true });
      const folder = (await resolveFolder(await realpath(root), segments, true))!;
      t.target = path.join(folder, name);
      const existing = await lstat(t.target).catch(() => undefined);
      if (existing !== undefined) {
        if (existing.isDirectory()) throw new PathNotAllowedError(`${name.slice(0, 60)} is a folder at the receiver`);
        if (existing.isFile() && existing.size === b.size && (await sha256File(t.target)) === b.sha256) {
          this.forget(t);
          return { identical: true };
        }
        if (!b.overwrite) throw new FileExistsError(`${path.join(...segments, name).slice(0, 120)} exists at the receiver`);
      }
      if (t.aborted) throw new FileTransferError('transfer aborted by the sender');
      const temp = path.join(folder, `.${name}.${randomBytes(6).toString('hex')}${PARTIAL_SUFFIX}`);
      t.handle = await open(temp, 'wx', 0o600);
      t.temp = temp;
      if (t.aborted) throw new FileTransferError('transfer aborted by the sender');
      t.stall?.refresh();
      return { ok: true };
    } catch (err) {
      this.forget(t);
      this.dispose(t);
      throw err instanceof Error && 'code' in err && typeof (err as { code: unknown }).code === 'string' && (err as { code: string }).code.startsWith('ERR_')
        ? err
        : new FileTransferError(`cannot receive the file: ${(err as Error).message}`);
    }
  }

  private chunk(body: unknown, peer: Peer): Promise<number> {
    if (!Array.isArray(body) || body.length !== 3 || typeof body[0] !== 'string' || typeof body[1] !== 'number' || !(body[2] instanceof Uint8Array)) {
      throw new InvalidArgumentError('malformed file-chunk request');
    }
    const t = this.find(body[0], peer);
    const [, offset, bytes] = body as [string, number, Uint8Array];
    if (offset !== t.expected || t.expected + bytes.length > t.begin.size) {
      this.abort(t.key, false);
      throw new FileTransferError(offset !== t.expected ? 'chunk out of order' : 'more bytes than announced');
    }
    t.expected += bytes.length;
    t.hash.update(bytes);
    t.stall?.refresh();
    const handle = t.handle!;
    const done = t.chain.then(() => handle.write(bytes, 0, bytes.length, offset)).then(() => {
      t.stall?.refresh(); // a slow disk is progress too
      return (t.received += bytes.length);
    });
    t.chain = done.catch(() => {});
    return done.catch((err: Error) => {
      this.abort(t.key, false);
      throw new FileTransferError(`cannot write the file: ${err.message}`);
    });
  }

  private async end(body: unknown, peer: Peer): Promise<{ bytes: number }> {
    if (!Array.isArray(body) || body.length !== 1 || typeof body[0] !== 'string') throw new InvalidArgumentError('malformed file-end request');
    const t = this.find(body[0], peer);
    const b = t.begin;
    try {
      await t.chain;
      if (t.aborted) throw new FileTransferError('transfer aborted');
      if (t.received !== b.size || t.hash.digest('hex') !== b.sha256) throw new FileTransferError('the file did not arrive intact (changed while being sent?)');
      await t.handle!.close();
      t.handle = undefined;
      await chmod(t.temp!, b.mode & 0o777);
      const mtime = new Date(b.mtimeMs);
      await utimes(t.temp!, mtime, mtime);
      if (b.overwrite) await rename(t.temp!, t.target);
      else {
        // link() fails if the target appeared meanwhile: never replace without overwrite.
        await link(t.temp!, t.target).catch((err: NodeJS.ErrnoException) => {
          throw err.code === 'EEXIST' ? new FileExistsError(`${b.name.slice(0, 60)} exists at the receiver`) : err;
        });
        await unlink(t.temp!);
      }
      t.temp = undefined;
      this.forget(t);
      return { bytes: b.size };
    } catch (err) {
      this.abort(t.key, false);
      throw FileExistsError.is(err) || FileTransferError.is(err) ? err : new FileTransferError(`cannot finish the file: ${(err as Error).message}`);
    }
  }

  private find(id: string, peer: Peer): Transfer {
    const t = this.transfers.get(`${peer.incarnation}/${id}`);
    if (t === undefined || t.handle === undefined || t.aborted) throw new FileTransferError('unknown or aborted transfer');
    return t;
  }

  /** Ends a transfer and removes its temporary file. `bySender`: remember an abort that came before its begin. */
  private abort(key: string, bySender: boolean): void {
    const t = this.transfers.get(key);
    if (t === undefined) {
      if (bySender) {
        if (this.aborted.size >= 1000) this.aborted.clear();
        this.aborted.add(key);
      }
      return;
    }
    this.forget(t);
    this.dispose(t);
  }

  /** Counts a transfer in flight for its sender, and starts its stall timer. */
  private track(t: Transfer): void {
    this.transfers.set(t.key, t);
    this.perPeer.set(t.peer, (this.perPeer.get(t.peer) ?? 0) + 1);
    t.stall = setTimeout(() => this.abort(t.key, false), this.net.requestTimeout);
    t.stall.unref();
  }

  /** The transfer is no longer in flight (idempotent). */
  private forget(t: Transfer): void {
    if (this.transfers.get(t.key) !== t) return;
    this.transfers.delete(t.key);
    clearTimeout(t.stall);
    const n = (this.perPeer.get(t.peer) ?? 1) - 1;
    if (n === 0) this.perPeer.delete(t.peer);
    else this.perPeer.set(t.peer, n);
  }

  /** Closes a transfer's file and removes its temporary name (idempotent). */
  private dispose(t: Transfer): void {
    t.aborted = true;
    const { handle, temp } = t;
    t.handle = undefined;
    t.temp = undefined;
    void t.chain
      .then(() => handle?.close())
      .catch(() => {})
      .then(() => (temp !== undefined ? unlink(temp) : undefined))
      .catch((err) => this.net.logger.warn({ err, file: temp }, 'cannot remove a partial file'));
  }

  private async delete(body: unknown): Promise<boolean> {
    if (!Array.isArray(body) || body.length !== 2) throw new InvalidArgumentError('malformed file-del request');
    const name = checkFileName(body[0]);
    const segments = checkRelativeDir(body[1]);
    const realRoot = await realpath(destDirOf(this.net)).catch(() => undefined);
    if (realRoot === undefined) return false;
    const folder = await resolveFolder(realRoot, segments, false);
    if (folder === undefined) return false;
    const target = path.join(folder, name);
    const st = await lstat(target).catch(() => undefined);
    if (st === undefined) return false;
    if (st.isDirectory()) throw new PathNotAllowedError(`${name.slice(0, 60)} is a folder`);
    await unlink(target);
    // Remove the folders left empty, up to the destination folder (as asyncoro did).
    for (let dir = folder; dir !== realRoot && dir.startsWith(realRoot + path.sep); dir = path.dirname(dir)) {
      if (!(await rmdir(dir).then(() => true, () => false))) break;
    }
    return true;
  }
}
