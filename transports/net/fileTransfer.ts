/**
 * File transfer between peers (asyncoro's send_file/del_file), over the peer connection:
 * `net.sendFile(location, path, opts)` and `net.delFile(location, name, opts)` call the
 * functions here. The file is streamed in chunks of 256 KiB with at most four unacknowledged
 * chunks in flight (memory stays bounded on both sides); the receiver acknowledges each chunk
 * once written. A SHA-256 of the file goes first: a file already there with the same size and
 * digest is not sent again. The receiver keeps every file inside its destination folder, writes
 * to a temporary name and renames it into place, keeping mode and modification time.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, TimeoutError } from '../../runtime/runtimeErrors.js';
import { checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import { FileTransferError } from './netErrors.js';
import { checkFileName, checkRelativeDir, sha256File } from './fileTransferPaths.js';
import { FileReceiver } from './FileReceiver.js';
import type { Location } from './Location.js';
import type { NetworkLayer, PeerNetwork } from './PeerNetwork.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';

/** Bytes per chunk (less when maxFrame is smaller) and chunks in flight before waiting for an acknowledgement. */
export const CHUNK_BYTES = 256 * 1024, WINDOW_CHUNKS = 4;

/**
 * Options of sendFile. `timeout` bounds the whole transfer (TimeoutError); without it each
 * acknowledgement must still come within the network's requestTimeout.
 */
export interface SendFileOptions extends ActingWaitOptions {
  /** Folder relative to the receiver's destination folder (created if missing). */
  dir?: string;
  /** Replace a different file of the same name (default false: FileExistsError). */
  overwrite?: boolean;
  /** Called as the receiver acknowledges each chunk: bytes acknowledged so far, and the total. */
  onProgress?: (sent: number, total: number) => void;
}

/** What sendFile did: `sent: false, reason: 'identical'` when the same content was already there. */
export interface SendFileResult {
  sent: boolean;
  /** Bytes transferred (0 when not sent). */
  bytes: number;
  reason?: 'identical';
}

/** Options of delFile. */
export interface DelFileOptions extends WaitOptions {
  dir?: string;
}

/**
 * Sends the regular file at `file` to the node at `location`, into its destination folder
 * (`dir` below it). Throws PathNotAllowedError (bad `dir` or name, here or at the receiver),
 * FileExistsError, FileTooLargeError, FileTransferError (RemoteErrors with those codes when
 * raised by the receiver), PeerLostError/PeerUnreachableError, TimeoutError, the signal's reason.
 * @example
 * ```ts
 * const r = await sendFile(net, '127.0.0.1:9705', './data.bin', { dir: 'inbox', timeout: 60_000 });
 * if (!r.sent) log('already there');
 * ```
 */
export async function sendFile(net: PeerNetwork, location: Location | string, file: string, options: SendFileOptions = {}): Promise<SendFileResult> {
  const timeout = checkWaitOptions(options);
  const onProgress = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new InvalidArgumentError('onProgress must be a function');
  if (typeof file !== 'string' || file.length === 0) throw new InvalidArgumentError('path must be a non-empty string');
  if (options.overwrite !== undefined && typeof options.overwrite !== 'boolean') throw new InvalidArgumentError('overwrite must be a boolean');
  checkRelativeDir(options.dir);
  const name = checkFileName(path.basename(file));
  const deadline = performance.now() + timeout;
  const requestOptions = (): ActingWaitOptions => {
    const remaining = deadline - performance.now();
    if (remaining <= 0) throw new TimeoutError(`sending ${name} timed out after ${timeout} ms`);
    return { timeout: Math.min(remaining, net.requestTimeout), signal: options.signal, coro: options.coro };
  };
  const handle = await open(file, 'r').catch((err: Error) => {
    throw new InvalidArgumentError(`cannot read ${file}: ${err.message}`, { cause: err });
  });
  const id = randomBytes(12).toString('hex');
  let begun = false;
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new InvalidArgumentError(`${file} is not a regular file`);
    const size = st.size;
    const sha256 = await sha256File(file, size);
    options.signal?.throwIfAborted();
    const begin = { id, name, dir: options.dir ?? null, size, mode: st.mode & 0o777, mtimeMs: st.mtimeMs, sha256, overwrite: options.overwrite === true };
    begun = true;
    const answer = (await net.request(location, 'file-begin', begin, requestOptions())) as { identical?: boolean };
    if (answer?.identical === true) {
      begun = false;
      return { sent: false, bytes: 0, reason: 'identical' };
    }
    const chunkBytes = Math.max(1024, Math.min(CHUNK_BYTES, net.maxFrame - 1024));
    const inFlight: Array<Promise<unknown>> = [];
    for (let offset = 0; offset < size;) {
      if (inFlight.length >= WINDOW_CHUNKS) await inFlight.shift();
      const length = Math.min(chunkBytes, size - offset);
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      if (bytesRead !== length) throw new FileTransferError(`${file} changed while being sent`);
      const through = offset + length;
      const acked = net.request(location, 'file-chunk', [id, offset, buf], requestOptions());
      if (onProgress !== undefined) acked.then(() => onProgress(through, size)).catch(() => {}); // a throwing callback must not end the transfer
      acked.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
      inFlight.push(acked);
      offset += length;
    }
    for (const acked of inFlight) await acked;
    const end = (await net.request(location, 'file-end', [id], requestOptions())) as { bytes: number };
    begun = false;
    return { sent: true, bytes: end.bytes };
  } finally {
    await handle.close();
    // Tell the receiver to drop its partial file (a lost connection does that by itself).
    if (begun) net.post(location, 'file-abort', [id]);
  }
}

/**
 * Deletes a file sent earlier from the node at `location` (and the folders below its
 * destination folder that this leaves empty). Resolves true if deleted, false if absent.
 * @example
 * ```ts
 * await delFile(net, '127.0.0.1:9705', 'data.bin', { dir: 'inbox' });
 * ```
 */
export async function delFile(net: PeerNetwork, location: Location | string, name: string, options: DelFileOptions = {}): Promise<boolean> {
  checkWaitOptions(options);
  checkFileName(name);
  checkRelativeDir(options.dir);
  return (await net.request(location, 'file-del', [name, options.dir ?? null], { timeout: options.timeout ?? net.requestTimeout, signal: options.signal })) === true;
}

/**
 * The layer that serves file transfer on a network (its receiving handlers).
 * @example
 * ```ts
 * const layers = [FILE_TRANSFER_LAYER];
 * ```
 */
export const FILE_TRANSFER_LAYER: NetworkLayer = {
  install: (net) => void new FileReceiver(net),
};
