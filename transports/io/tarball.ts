/**
 * Reading and extracting gzipped tarballs (`npm pack` output, `.tgz`) with Node's zlib and no
 * other dependency, safely: entries are streamed (a file's bytes held until it is written),
 * every entry must land inside the destination (no absolute paths, no `..`), links, devices and
 * FIFOs are refused, files are created anew (never through an existing path) without set-id
 * bits, and the bytes and entries are bounded. The tar format: 512-byte headers (ustar, with pax
 * `path`/`size` records and GNU long names), each followed by its data padded to 512 bytes.
 * @module
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { TarballError } from './ioErrors.js';

/**
 * Bounds of a tarball and how its paths are read.
 * @example
 * ```ts
 * const limits: TarballLimits = { maxBytes: 64 * 2 ** 20, maxEntries: 10_000, strip: 1 };
 * ```
 */
export interface TarballLimits {
  /** The most its files may hold in all (bytes, unpacked). */
  maxBytes: number;
  /** The most entries it may have (default 100,000). */
  maxEntries?: number;
  /** Leading path segments dropped from every entry (npm's tarballs put everything in `package/`: 1, the default). */
  strip?: number;
}

/**
 * One entry of a tarball: its path (segments, already stripped and checked) and kind; a file's data.
 * @example
 * ```ts
 * for await (const e of tarEntries('pkg.tgz', { maxBytes: 2 ** 20 })) if (e.kind === 'file') log(e.path.join('/'), e.data.length);
 * ```
 */
export type TarEntry = { kind: 'file'; path: string[]; mode: number; data: Buffer } | { kind: 'dir'; path: string[] };

const BLOCK = 512;
const DEFAULT_MAX_ENTRIES = 100_000;

function text(b: Buffer, at: number, len: number): string {
  const field = b.subarray(at, at + len);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? len : end).toString('utf8');
}

function octal(b: Buffer, at: number, len: number, what: string): number {
  if ((b[at]! & 0x80) !== 0) throw new TarballError(`${what} in base-256 is not supported`);
  const s = text(b, at, len).trim();
  if (s !== '' && !/^[0-7]+$/.test(s)) throw new TarballError(`malformed ${what} in a tar header`);
  return s === '' ? 0 : parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let k = 0; k < BLOCK; k++) sum += k >= 148 && k < 156 ? 32 : h[k]!;
  return sum === octal(h, 148, 8, 'checksum');
}

/** The pax records of an extended header: `len key=value\n`... */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const len = space < 0 ? NaN : Number(data.subarray(at, space).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0 || at + len > data.length) throw new TarballError('malformed pax header');
    const record = data.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += len;
  }
  return out;
}

/** An entry's path as safe segments below the destination (after `strip`), or undefined for the stripped folders themselves. */
function safePath(name: string, strip: number): string[] | undefined {
  if (name.includes('\0') || name.includes('\\') || name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw new TarballError(`entry ${JSON.stringify(name.slice(0, 100))} is not a relative path`);
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new TarballError(`entry ${JSON.stringify(name.slice(0, 100))} leaves its folder ('..')`);
  const kept = segments.slice(strip);
  return kept.length === 0 ? undefined : kept;
}

/** Bytes as they come, in chunks, taken `n` at a time (chunks copied only when one is joined to the next). */
class Chunks {
  private readonly parts: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.parts.push(chunk);
    this.length += chunk.length;
  }

  /** The next `n` bytes (the caller checked `length >= n`). */
  take(n: number): Buffer {
    if (this.parts[0]!.length < n) {
      let k = 0, have = 0;
      while (have < n) have += this.parts[k++]!.length;
      this.parts.splice(0, k, Buffer.concat(this.parts.slice(0, k), have));
    }
    const first = this.parts[0]!;
    const out = first.subarray(0, n);
    if (first.length === n) this.parts.shift();
    else this.parts[0] = first.subarray(n);
    this.length -= n;
    return out;
  }
}

/** The header of the entry whose data is awaited. */
interface Pending {
  type: string;
  name: string;
  size: number;
  mode: number;
}

/**
 * A tar stream, parsed as its bytes are pushed: each push returns the entries completed by it.
 * TarballError for anything unsafe or malformed, at the entry where it is found.
 */
class TarParser {
  private readonly chunks = new Chunks();
  private pending: Pending | undefined;
  private longName: string | undefined;
  private pax: Map<string, string> | undefined;
  private total = 0;
  private entries = 0;
  private streamed = 0;
  /** True once the end-of-archive block was read: what follows is ignored. */
  ended = false;
  private readonly strip: number;
  private readonly maxEntries: number;
  private readonly maxStreamed: number;

  constructor(private readonly limits: TarballLimits) {
    this.strip = limits.strip ?? 1;
    this.maxEntries = limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
    // Headers and padding come on top of the files' bytes: two blocks per entry, and the end records.
    this.maxStreamed = limits.maxBytes + (this.maxEntries + 20) * 2 * BLOCK;
  }

  push(chunk: Buffer): TarEntry[] {
    const out: TarEntry[] = [];
    if (this.ended) return out;
    if ((this.streamed += chunk.length) > this.maxStreamed) throw new TarballError(`unpacks to more than ${this.limits.maxBytes} bytes`);
    this.chunks.push(chunk);
    for (;;) {
      if (this.pending === undefined) {
        if (this.chunks.length < BLOCK) return out;
        if (!this.header(this.chunks.take(BLOCK))) return out;
      } else {
        const p = this.pending;
        const padded = Math.ceil(p.size / BLOCK) * BLOCK;
        if (this.chunks.length < padded) return out;
        const data = this.chunks.take(padded).subarray(0, p.size);
        this.pending = undefined;
        const entry = this.entry(p, data);
        if (entry !== undefined) out.push(entry);
      }
    }
  }

  /** The input ended: TarballError unless the archive did. */
  finish(): void {
    if (!this.ended) throw new TarballError(this.pending === undefined ? 'truncated: no end-of-archive block' : `truncated in entry ${JSON.stringify(this.pending.name.slice(0, 100))}`);
  }

  /** Reads a header; false at the end of the archive. */
  private header(h: Buffer): boolean {
    if (h.every((x) => x === 0)) {
      this.ended = true;
      return false;
    }
    if (!checksumOk(h)) throw new TarballError('a tar header has a wrong checksum (not a tarball, or corrupt)');
    if (++this.entries > this.maxEntries) throw new TarballError(`has more than ${this.maxEntries} entries`);
    const type = String.fromCharCode(h[156]!);
    const prefix = text(h, 345, 155);
    const name = this.longName ?? this.pax?.get('path') ?? (prefix !== '' ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
    const paxSize = this.pax?.get('size');
    const size = paxSize !== undefined ? Number(paxSize) : octal(h, 124, 12, 'size');
    if (!Number.isSafeInteger(size) || size < 0) throw new TarballError(`entry ${JSON.stringify(name.slice(0, 100))} has a malformed size`);
    const meta = type === 'x' || type === 'g' || type === 'L';
    if (!meta) [this.longName, this.pax] = [undefined, undefined];
    if (!meta && type !== '0' && type !== '\0' && type !== '7' && type !== '5') {
      throw new TarballError(`entry ${JSON.stringify(name.slice(0, 100))} is a ${type === '1' || type === '2' ? 'link' : 'special file'}: only files and folders are extracted`);
    }
    if (meta && size > 1 << 20) throw new TarballError('an extended header is too large');
    if (!meta && type !== '5' && (this.total += size) > this.limits.maxBytes) throw new TarballError(`unpacks to more than ${this.limits.maxBytes} bytes`);
    this.pending = { type, name, size, mode: meta ? 0 : octal(h, 100, 8, 'mode') };
    return true;
  }

  private entry(p: Pending, data: Buffer): TarEntry | undefined {
    if (p.type === 'L') this.longName = text(data, 0, data.length);
    else if (p.type === 'x') this.pax = paxRecords(data);
    else if (p.type !== 'g') {
      const where = safePath(p.name, this.strip);
      if (where !== undefined) return p.type === '5' ? { kind: 'dir', path: where } : { kind: 'file', path: where, mode: p.mode, data };
    }
    return undefined;
  }
}

/**
 * The entries of a gzipped tarball, streamed from `file` in order; TarballError for anything
 * unsafe or malformed (at the entry where it is found).
 * @example
 * ```ts
 * for await (const e of tarEntries('pkg.tgz', { maxBytes: 2 ** 20 })) log(e.kind, e.path.join('/'));
 * ```
 */
export async function* tarEntries(file: string, limits: TarballLimits): AsyncGenerator<TarEntry> {
  const parser = new TarParser(limits);
  const stream: Readable = pipeline(createReadStream(file), createGunzip(), () => undefined);
  try {
    for await (const chunk of stream) {
      yield* parser.push(chunk as Buffer);
      if (parser.ended) return;
    }
  } catch (err) {
    throw err instanceof TarballError ? err : new TarballError(`not a gzipped tarball: ${(err as Error).message}`, { cause: err });
  } finally {
    stream.destroy();
  }
  parser.finish();
}

/**
 * The entries of a gzipped tarball held in memory (read at once: for a small one, e.g. to learn a
 * package's name before shipping it); TarballError as tarEntries.
 * @example
 * ```ts
 * const names = tarEntriesSync(buf, { maxBytes: 2 ** 20 }).map((e) => e.path.join('/')); // buf: the .tgz file's bytes
 * ```
 */
export function tarEntriesSync(gzipped: Buffer, limits: TarballLimits): TarEntry[] {
  const parser = new TarParser(limits);
  let tar: Buffer;
  try {
    tar = gunzipSync(gzipped, { maxOutputLength: limits.maxBytes + ((limits.maxEntries ?? DEFAULT_MAX_ENTRIES) + 20) * 2 * BLOCK });
  } catch (err) {
    const e = err as Error & { code?: string };
    throw new TarballError(e.code === 'ERR_BUFFER_TOO_LARGE' ? `unpacks to more than ${limits.maxBytes} bytes` : `not a gzipped tarball: ${e.message}`, { cause: err });
  }
  const entries = parser.push(tar);
  parser.finish();
  return entries;
}

/**
 * Extracts a gzipped tarball into `dest`, a folder that must not exist yet (it is created); on any
 * failure `dest` is removed and TarballError thrown. Files get their mode's permission bits
 * (rw for the owner at least; never set-id or sticky).
 * @example
 * ```ts
 * const { files, bytes } = await extractTarball('left-pad-1.3.0.tgz', '/tmp/c-1/node_modules/left-pad', { maxBytes: 64 * 2 ** 20 });
 * ```
 */
export async function extractTarball(file: string, dest: string, limits: TarballLimits): Promise<{ files: number; bytes: number }> {
  await mkdir(path.dirname(dest), { recursive: true });
  try {
    await mkdir(dest);
  } catch (err) {
    throw new TarballError(`cannot extract into ${dest}: ${(err as Error).message}`, { cause: err });
  }
  let files = 0, bytes = 0;
  try {
    for await (const e of tarEntries(file, limits)) {
      const target = path.join(dest, ...e.path);
      if (e.kind === 'dir') {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(path.dirname(target), { recursive: true });
      // 'wx': a new file only, never through something already there (a duplicate entry is refused).
      const handle = await open(target, 'wx', (e.mode & 0o777) | 0o600).catch((err: Error) => {
        throw new TarballError(`entry ${e.path.join('/').slice(0, 100)} cannot be written: ${err.message}`, { cause: err });
      });
      try {
        await handle.writeFile(e.data);
      } finally {
        await handle.close();
      }
      files++;
      bytes += e.data.length;
    }
  } catch (err) {
    await rm(dest, { recursive: true, force: true });
    throw err instanceof TarballError ? err : new TarballError(`cannot be extracted: ${(err as Error).message}`, { cause: err });
  }
  return { files, bytes };
}

/**
 * The data of one file of a gzipped tarball (its path after `strip`, e.g. `package.json`), or
 * undefined when it has none; TarballError when it is unreadable.
 * @example
 * ```ts
 * const manifest = await readTarballFile('pkg.tgz', 'package.json', { maxBytes: 64 * 2 ** 20 });
 * ```
 */
export async function readTarballFile(file: string, name: string, limits: TarballLimits): Promise<Buffer | undefined> {
  for await (const e of tarEntries(file, limits)) if (e.kind === 'file' && e.path.join('/') === name) return e.data;
  return undefined;
}
