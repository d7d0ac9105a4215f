/**
 * Where received files go, and the checks that keep every one of them inside the destination
 * folder: plain file names, relative folders without `..`, no symbolic link leading outside.
 * @module
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, open, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PathNotAllowedError } from './netErrors.js';

/** Longest file name accepted (room is left for the temporary name's prefix and suffix). */
const MAX_NAME = 200;
const MAX_DIR = 1024;

/**
 * The default destination folder of a node: `<os.tmpdir()>/asyncoro/<node name>`, with
 * characters other than letters, digits, '.', '_' and '-' replaced by '_'.
 * @example
 * ```ts
 * defaultDestDir('127.0.0.1:9705'); // '/tmp/asyncoro/127.0.0.1_9705'
 * ```
 */
export function defaultDestDir(nodeName: string): string {
  return path.join(tmpdir(), 'asyncoro', nodeName.replace(/[^A-Za-z0-9._-]/g, '_'));
}

/**
 * Throws PathNotAllowedError unless `name` is a plain file name.
 * @example
 * ```ts
 * checkFileName('report.pdf'); // ok; 'a/b', '..', '' throw
 * ```
 */
export function checkFileName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new PathNotAllowedError(`not a plain file name: ${JSON.stringify(String(name).slice(0, 60))}`);
  }
  return name;
}

/**
 * The segments of a relative folder (undefined/null/'' = the destination folder itself).
 * Throws PathNotAllowedError for absolute folders, `..`, backslashes and NUL.
 * @example
 * ```ts
 * checkRelativeDir('a/b'); // ['a', 'b']; '/etc', 'a/../../x' throw
 * ```
 */
export function checkRelativeDir(dir: unknown): string[] {
  if (dir === undefined || dir === null || dir === '') return [];
  if (typeof dir !== 'string' || dir.length > MAX_DIR || dir.startsWith('/') || path.isAbsolute(dir) || /[\\\0]/.test(dir) || /^[A-Za-z]:/.test(dir)) {
    throw new PathNotAllowedError(`folder must be relative to the destination folder: ${JSON.stringify(String(dir).slice(0, 60))}`);
  }
  const segments = dir.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..' || s.length > MAX_NAME)) throw new PathNotAllowedError(`folder may not contain '..': ${JSON.stringify(dir.slice(0, 60))}`);
  return segments;
}

/** True when `child` is `root` or inside it (both real, absolute paths). */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The real path of folder `segments` under `realRoot`, walking one segment at a time so that a
 * symbolic link is followed only when its target stays inside the root. Missing folders are
 * created when `create` (else undefined is returned). Throws PathNotAllowedError.
 * @example
 * ```ts
 * import { realpath } from 'node:fs/promises';
 * const folder = await resolveFolder(await realpath(destDir), ['a', 'b'], true);
 * ```
 */
export async function resolveFolder(realRoot: string, segments: string[], create: boolean): Promise<string | undefined> {
  let current = realRoot;
  for (const segment of segments) {
    const next = path.join(current, segment);
    const st = await lstat(next).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (st === undefined) {
      if (!create) return undefined;
      await mkdir(next).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      current = await realpath(next);
    } else if (st.isSymbolicLink()) {
      current = await realpath(next);
    } else if (st.isDirectory()) {
      current = next;
    } else throw new PathNotAllowedError(`'${segment.slice(0, 60)}' is not a folder`);
    if (!isInside(realRoot, current)) throw new PathNotAllowedError('folder leads outside the destination folder');
    if (!(await lstat(current)).isDirectory()) throw new PathNotAllowedError(`'${segment.slice(0, 60)}' is not a folder`);
  }
  return current;
}

/**
 * SHA-256 (hex) of the first `size` bytes of a file, read in bounded chunks.
 * @example
 * ```ts
 * const digest = await sha256File('/tmp/data.bin');
 * ```
 */
export async function sha256File(file: string, size?: number): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(file, 'r');
  try {
    const total = size ?? (await handle.stat()).size;
    const buf = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(1, total)));
    for (let offset = 0; offset < total;) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, total - offset), offset);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      offset += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}
