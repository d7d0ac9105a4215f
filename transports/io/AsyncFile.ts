/**
 * Pull-style file I/O for coroutines, after asyncoro's `AsyncFile`: regular
 * files and devices through `node:fs` file handles, pipes, FIFOs and sockets
 * through the non-blocking socket machinery.
 * @module
 */
import { constants as fsc, open as fsOpen, promises as fsp, type Stats } from 'node:fs';
import net from 'node:net';
import { InvalidArgumentError, TimeoutError } from '../../runtime/runtimeErrors.js';
import { checkWaitOptions } from '../../runtime/options.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { AsyncSocket } from './AsyncSocket.js';
import { EndOfStreamError } from './ioErrors.js';
import { FileClosedError, FileIOError } from './ioErrors.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';
import { TIMED_OUT, within } from '../../runtime/within.js';

/**
 * Options of a read: `full` reads exactly `size` bytes unless the end comes first.
 * @example
 * ```ts
 * await file.read(4096, { full: true, timeout: 1000, coro });
 * ```
 */
export interface FileReadOptions extends ActingWaitOptions {
  full?: boolean;
}

const CHUNK = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * Options of `AsyncFile.open`.
 * @example
 * ```ts
 * const options: OpenOptions = { mode: 0o600, timeout: 2000 };
 * ```
 */
export interface OpenOptions extends ActingWaitOptions {
  mode?: number;
  scheduler?: Scheduler;
}

/**
 * An open file. Regular files and devices use positional reads and writes at `position`
 * (`seek` moves it); pipes, FIFOs and sockets are read and written as streams, with
 * backpressure. Operations run one at a time in call order. A read that times out, is aborted
 * or whose coroutine is terminated consumes nothing: the next read sees the same bytes. A write
 * that times out may still complete.
 *
 * @example
 * ```ts
 * await using file = await AsyncFile.open('/etc/hostname');
 * const line = await file.readLine({ coro });
 * ```
 */
export class AsyncFile {
  private readonly handle: fsp.FileHandle | undefined;
  private readonly stream: AsyncSocket | undefined;
  private readonly seekable: boolean;
  private pos = 0;
  /** Read-ahead left over from readLine on a handle. */
  private ahead: Buffer = EMPTY;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  /**
   * Wraps an open FileHandle (regular file or device) or a stream socket (pipe, FIFO, socket).
   * @param seekable whether positional I/O applies (true for regular files).
   */
  constructor(target: fsp.FileHandle | net.Socket | AsyncSocket, seekable = true, private readonly scheduler?: Scheduler) {
    if (target instanceof AsyncSocket) this.stream = target;
    else if (target instanceof net.Socket) this.stream = AsyncSocket.wrap(target, { scheduler });
    else if (target !== null && typeof target === 'object' && typeof (target as fsp.FileHandle).read === 'function') this.handle = target;
    else throw new InvalidArgumentError('AsyncFile wraps a FileHandle, a net.Socket or an AsyncSocket');
    this.seekable = this.handle !== undefined && seekable;
  }

  /**
   * Opens `path` (flags as in `fs.open`, default 'r'). FIFOs are opened non-blocking and read
   * as streams; regular files are seekable. The third argument is the mode, or options with
   * `mode`, `scheduler`, `timeout`, `signal` and `coro`: an open that takes longer than `timeout`
   * ms (a hung network file system) rejects with TimeoutError, and the late handle is closed.
   * @example
   * ```ts
   * const log = await AsyncFile.open('out.log', 'a', { timeout: 2000 });
   * ```
   */
  static async open(path: string, flags: string | number = 'r', mode?: number | OpenOptions, scheduler?: Scheduler): Promise<AsyncFile> {
    const options: OpenOptions = typeof mode === 'object' && mode !== null ? mode : { mode, scheduler };
    if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('path must be a non-empty string');
    checkWaitOptions(options);
    const sched = options.scheduler ?? options.coro?.scheduler ?? Scheduler.default();
    if (!(sched instanceof Scheduler)) throw new InvalidArgumentError('scheduler must be a Scheduler');
    const opened = await within(sched, AsyncFile.openNow(path, flags, options.mode, options.scheduler), options, (file) => void file.close().catch(() => undefined));
    if (opened === TIMED_OUT) throw new TimeoutError(`opening ${path} took longer than ${options.timeout} ms`);
    return opened;
  }

  private static async openNow(path: string, flags: string | number, mode: number | undefined, scheduler: Scheduler | undefined): Promise<AsyncFile> {
    let stats: Stats | undefined;
    try {
      stats = await fsp.stat(path);
    } catch {
      stats = undefined; // created by open() below, if the flags allow
    }
    try {
      if (stats?.isFIFO()) {
        const numeric = typeof flags === 'number' ? flags : flags.includes('w') || flags.includes('a') ? fsc.O_WRONLY : fsc.O_RDONLY;
        // A raw fd, not a FileHandle: the socket owns it, and a FileHandle would close it again when collected.
        const fd = await new Promise<number>((resolve, reject) => fsOpen(path, numeric | fsc.O_NONBLOCK, mode, (err, n) => (err ? reject(err) : resolve(n))));
        const readable = (numeric & fsc.O_WRONLY) === 0;
        return new AsyncFile(new net.Socket({ fd, readable, writable: !readable }), false, scheduler);
      }
      const handle = await fsp.open(path, flags, mode);
      return new AsyncFile(handle, stats === undefined || stats.isFile() || stats.isBlockDevice(), scheduler);
    } catch (err) {
      throw new FileIOError(`cannot open ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Current offset of a seekable file (reads and writes advance it). */
  get position(): number {
    return this.pos - this.ahead.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Moves the position: `whence` 0 from the start, 1 from the current position, 2 from the end.
   * @example
   * ```ts
   * await file.seek(0); // rewind
   * ```
   */
  async seek(offset: number, whence: 0 | 1 | 2 = 0): Promise<number> {
    if (!this.seekable) throw new InvalidArgumentError('this file is not seekable');
    if (!Number.isInteger(offset)) throw new InvalidArgumentError('offset must be an integer');
    this.mustBeOpen();
    const base = whence === 0 ? 0 : whence === 1 ? this.position : (await this.handle!.stat()).size;
    if (base + offset < 0) throw new InvalidArgumentError('cannot seek before the start of the file');
    this.pos = base + offset;
    this.ahead = EMPTY;
    return this.pos;
  }

  /**
   * Reads up to `size` bytes (one read), exactly `size` with `full` (fewer only at the end), or
   * everything to the end when `size <= 0`. An empty Buffer means end of file.
   * @example
   * ```ts
   * const head = await file.read(512, { full: true });
   * ```
   */
  read(size: number, options?: FileReadOptions): Promise<Buffer> {
    if (typeof size !== 'number' || !Number.isInteger(size)) return Promise.reject(new InvalidArgumentError('size must be an integer'));
    const all = size <= 0;
    const full = all || options?.full === true;
    if (this.stream !== undefined) return this.streamRead(all ? Infinity : size, full, options);
    return this.serial(options, async (live) => {
      const chunks: Buffer[] = [];
      let got = 0;
      let ahead = this.ahead;
      let pos = this.pos;
      const want = all ? Infinity : size;
      if (ahead.length > 0) {
        const part = ahead.subarray(0, Math.min(ahead.length, want));
        chunks.push(part);
        got += part.length;
        ahead = ahead.subarray(part.length);
      }
      while (got < want && (got === 0 || full) && live()) {
        const n = Math.min(want - got, CHUNK);
        const buf = Buffer.allocUnsafe(n);
        const { bytesRead } = await this.handle!.read(buf, 0, n, this.seekable ? pos : null);
        if (bytesRead === 0) break;
        chunks.push(buf.subarray(0, bytesRead));
        got += bytesRead;
        pos += bytesRead;
      }
      // Commit only for a caller still waiting: an abandoned read consumes nothing.
      if (live()) {
        this.ahead = ahead;
        this.pos = pos;
      }
      return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    });
  }

  /**
   * Reads one line, newline included (the last line may lack it); empty at end of file.
   * @example
   * ```ts
   * let count = 0;
   * for (let l = await file.readLine(); l.length > 0; l = await file.readLine()) count++;
   * ```
   */
  readLine(options?: ActingWaitOptions & { maxLength?: number }): Promise<Buffer> {
    const maxLength = options?.maxLength ?? 1024 * 1024;
    if (this.stream !== undefined) return this.stream.recvLine({ ...options, maxLength });
    return this.serial(options, async (live) => {
      let ahead = this.ahead;
      let pos = this.pos;
      for (;;) {
        const nl = ahead.indexOf(0x0a);
        if (nl >= 0 || ahead.length >= maxLength) {
          const end = nl >= 0 ? Math.min(nl + 1, maxLength) : maxLength;
          if (live()) {
            this.ahead = ahead.subarray(end);
            this.pos = pos;
          }
          return ahead.subarray(0, end);
        }
        const buf = Buffer.allocUnsafe(CHUNK);
        const { bytesRead } = await this.handle!.read(buf, 0, CHUNK, this.seekable ? pos : null);
        if (bytesRead === 0 || !live()) {
          if (live()) {
            this.ahead = EMPTY;
            this.pos = pos;
          }
          return ahead;
        }
        ahead = ahead.length === 0 ? buf.subarray(0, bytesRead) : Buffer.concat([ahead, buf.subarray(0, bytesRead)]);
        pos += bytesRead;
      }
    });
  }

  /**
   * Writes `data` (all of it with `full`, else one write) and resolves with the bytes written.
   * @example
   * ```ts
   * await file.write(Buffer.from('hello\n'), { full: true });
   * ```
   */
  write(data: Uint8Array | string, options?: FileReadOptions): Promise<number> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (!(bytes instanceof Uint8Array)) return Promise.reject(new InvalidArgumentError('data must be a Buffer, Uint8Array or string'));
    if (this.stream !== undefined) {
      return options?.full ? this.stream.sendAll(bytes, options).then(() => bytes.length) : this.stream.send(bytes, options);
    }
    return this.serial(options, async () => {
      // Write at the logical position: before any bytes readLine has read ahead (they are dropped).
      const at = this.position;
      this.ahead = EMPTY;
      let done = 0;
      do {
        const { bytesWritten } = await this.handle!.write(bytes, done, bytes.length - done, this.seekable ? at + done : null);
        done += bytesWritten;
        if (this.seekable) this.pos = at + done;
      } while (options?.full && done < bytes.length);
      return done;
    });
  }

  /**
   * Closes the file; operations still queued fail with FileClosedError.
   * @example
   * ```ts
   * await file.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.stream !== undefined) this.stream.close();
    else await this.chain.catch(() => undefined).then(() => this.handle!.close());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** A stream read: `full` collects exactly `size` bytes, or what is left at the end. */
  private async streamRead(size: number, full: boolean, options: FileReadOptions | undefined): Promise<Buffer> {
    const sock = this.stream!;
    if (!full) return sock.recv(size, options);
    if (size !== Infinity) {
      try {
        return await sock.recvAll(size, options);
      } catch (err) {
        if (!EndOfStreamError.is(err)) throw err;
        return sock.recv(Math.max(1, sock.buffered), options); // the rest before the end (empty if none)
      }
    }
    const chunks: Buffer[] = [];
    for (let c = await sock.recv(CHUNK, options); c.length > 0; c = await sock.recv(CHUNK, options)) chunks.push(c);
    return Buffer.concat(chunks);
  }

  /**
   * Runs `op` after the operations before it. The caller waits through a Wait (timeout, signal,
   * coroutine interrupts); `live()` tells the op whether the caller is still waiting.
   */
  private serial<T>(options: ActingWaitOptions | undefined, op: (live: () => boolean) => Promise<T>): Promise<T> {
    let timeout: number;
    const sched = options?.coro?.scheduler ?? this.scheduler ?? Scheduler.default();
    try {
      timeout = checkWaitOptions(options);
      this.mustBeOpen();
    } catch (err) {
      return Promise.reject(err);
    }
    const wait = new Wait<T>(sched, sched.actor(options?.coro), WaitKind.Other);
    wait.throwOnTimeout = true;
    const result = wait.start(timeout, options?.signal);
    const live = (): boolean => !wait.settled;
    this.chain = this.chain.then(async () => {
      if (!live()) return;
      if (this.closed) return void wait.fail(new FileClosedError('the file is closed'));
      try {
        const value = await op(live);
        wait.wake(value);
      } catch (err) {
        wait.fail(new FileIOError(`file operation failed: ${(err as Error).message}`, { cause: err }));
      }
    });
    return result;
  }

  private mustBeOpen(): void {
    if (this.closed) throw new FileClosedError('the file is closed');
  }
}
