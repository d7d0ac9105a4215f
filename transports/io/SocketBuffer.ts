/**
 * The receive side of an AsyncSocket: the bytes received and not yet read, the
 * FIFO of pending reads, and the backpressure that pauses the kernel reads once
 * the buffer passes its high-water mark. Bytes leave the buffer only when a
 * whole request is satisfied, so a read that times out or whose coroutine is
 * terminated loses and duplicates nothing. Internal machinery.
 * @module
 */
import { FRAME_HEADER_BYTES } from './FrameDecoder.js';
import { TimeoutError } from '../../runtime/runtimeErrors.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind, type WaitOwner } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import { EndOfStreamError, LineTooLongError, type SocketError } from './ioErrors.js';
import { FrameTooLargeError } from './ioErrors.js';

/** What a read asks for. */
export const ReadKind = { Some: 1, Exact: 2, Line: 3, Frame: 4 } as const;
export type ReadKind = (typeof ReadKind)[keyof typeof ReadKind];

/** A read request: `n` is the byte count (Some, Exact) or the maximum length (Line, Frame). */
interface ReadRequest {
  kind: ReadKind;
  n: number;
  /** The buffer it waits on (so one shared cancel callback serves every socket). */
  buffer: SocketBuffer;
}

/** The switch the buffer uses to stop and restart reading from the kernel. */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

const PENDING = Symbol('pending');
const EMPTY = Buffer.alloc(0);
const NEWLINE = 0x0a;

/**
 * Received bytes plus the queue of reads waiting for them.
 * @example
 * ```ts
 * const buf = new SocketBuffer(socket, 64 * 1024);
 * socket.on('data', (c) => buf.push(c));
 * const line = await buf.read(sched, undefined, ReadKind.Line, 1024, Infinity, undefined);
 * ```
 */
export class SocketBuffer {
  private chunks: Buffer[] = [];
  private head = 0; // index of the first live chunk
  private offset = 0; // bytes of chunks[head] already consumed
  private size = 0;
  private scanned = 0; // leading bytes known to hold no newline
  private paused = false;
  private ended = false;
  private error: SocketError | undefined = undefined;
  private closedError: SocketError | undefined = undefined;
  private readonly waiters = new WaiterQueue();
  private pumpQueued = false;

  constructor(
    private readonly flow: FlowControl,
    readonly highWaterMark: number,
  ) {}

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.size;
  }

  /** Number of reads waiting. */
  get pendingReads(): number {
    return this.waiters.length;
  }

  /** Adds received bytes and serves the waiting reads. */
  push(chunk: Buffer): void {
    if (this.closedError !== undefined || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.pump();
  }

  /** The peer finished sending. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.pump();
  }

  /** The connection failed: reads the buffered bytes cannot satisfy fail with `error`. */
  fail(error: SocketError): void {
    if (this.error !== undefined) return;
    this.error = error;
    this.pump();
  }

  /** This side closed: drops the bytes and fails every read, now and later, with `error`. */
  close(error: SocketError): void {
    if (this.closedError !== undefined) return;
    this.closedError = error;
    this.chunks = [];
    this.head = this.offset = this.size = this.scanned = 0;
    for (const w of this.waiters.drain()) w.fail(error);
  }

  /**
   * Queues a read (FIFO behind earlier ones) and returns its result: a Buffer, or for a Frame
   * read undefined at a clean end of stream. A timeout throws TimeoutError and consumes nothing.
   */
  read(sched: Scheduler, owner: WaitOwner | undefined, kind: ReadKind, n: number, timeout: number, signal: AbortSignal | undefined): Promise<any> {
    const request: ReadRequest = { kind, n, buffer: this };
    if (this.waiters.length === 0) {
      const interrupt = owner?.pendingInterrupt(WaitKind.Other);
      if (interrupt !== undefined) return Promise.reject(interrupt);
      if (signal?.aborted) return Promise.reject(signal.reason);
      let result: unknown;
      try {
        result = this.attempt(request);
      } catch (err) {
        return Promise.reject(err);
      }
      if (result !== PENDING) {
        this.regulate();
        return sched.ready(result);
      }
      if (timeout === 0) return Promise.reject(new TimeoutError('timed out'));
    }
    const wait = new Wait<unknown>(sched, owner, WaitKind.Other);
    wait.what = 'socket';
    wait.throwOnTimeout = true;
    wait.data = request;
    wait.onCancel = onReadCancelled;
    this.waiters.push(wait);
    const promise = wait.start(timeout, signal);
    // A wait rejected at start (pending interrupt, aborted signal) stays queued otherwise.
    if (wait.settled) this.waiters.remove(wait);
    this.regulate();
    return promise;
  }

  /** @internal A waiting read left early (timeout, abort, interrupt). */
  readCancelled(): void {
    // The head may have left: the next read may be satisfiable, or need the kernel reads back.
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Serves the waiting reads in order, as far as the buffered bytes go. */
  private pump(): void {
    for (let w = this.waiters.peek(); w !== undefined; w = this.waiters.peek()) {
      if (w.settled) {
        this.waiters.remove(w);
        continue;
      }
      let result: unknown;
      try {
        result = this.attempt(w.data as ReadRequest);
      } catch (err) {
        this.waiters.remove(w);
        w.fail(err);
        continue;
      }
      if (result === PENDING) break;
      this.waiters.remove(w);
      w.wake(result);
    }
    this.regulate();
  }

  /** Pauses the kernel reads above the high-water mark (or what the oldest read needs), resumes below. */
  private regulate(): void {
    if (this.closedError !== undefined || this.ended || this.error !== undefined) return;
    let limit = this.highWaterMark;
    const first = this.waiters.peek();
    if (first !== undefined) limit = Math.max(limit, this.need(first.data as ReadRequest));
    if (this.size >= limit) {
      if (!this.paused) {
        this.paused = true;
        this.flow.pause();
      }
    } else if (this.paused) {
      this.paused = false;
      this.flow.resume();
    }
  }

  /** Bytes that must be buffered before `request` can complete (or fail on a size limit). */
  private need(request: ReadRequest): number {
    switch (request.kind) {
      case ReadKind.Some:
        return 1;
      case ReadKind.Exact:
        return request.n;
      case ReadKind.Line:
        return request.n;
      default:
        if (this.size < FRAME_HEADER_BYTES) return FRAME_HEADER_BYTES;
        return FRAME_HEADER_BYTES + Math.min(this.peekLength(), request.n);
    }
  }

  /** The request's result, PENDING if it must wait, or a thrown typed error. */
  private attempt(request: ReadRequest): unknown {
    if (this.closedError !== undefined) throw this.closedError;
    const n = request.n;
    const size = this.size;
    switch (request.kind) {
      case ReadKind.Some:
        if (n === 0) return EMPTY;
        if (size > 0) return this.take(Math.min(n, size));
        break;
      case ReadKind.Exact:
        if (size >= n) return n === 0 ? EMPTY : this.take(n);
        if (this.error === undefined && this.ended) throw new EndOfStreamError(`stream ended after ${size} of ${n} bytes`);
        break;
      case ReadKind.Line: {
        const end = this.findNewline(n);
        if (end >= 0) return this.take(end + 1);
        if (size >= n) throw new LineTooLongError(`no newline within ${n} bytes`);
        if (this.error === undefined && this.ended) return size > 0 ? this.take(size) : EMPTY;
        break;
      }
      default: {
        if (size >= FRAME_HEADER_BYTES) {
          const length = this.peekLength();
          if (length > n) throw new FrameTooLargeError(length, n);
          if (size >= FRAME_HEADER_BYTES + length) {
            this.take(FRAME_HEADER_BYTES);
            return length === 0 ? EMPTY : this.take(length);
          }
        }
        if (this.error === undefined && this.ended) {
          if (size === 0) return undefined;
          throw new EndOfStreamError(`stream ended in the middle of a frame (${size} bytes buffered)`);
        }
      }
    }
    if (this.error !== undefined) throw this.error;
    if (this.ended) return EMPTY; // Some at end of stream
    return PENDING;
  }

  /** Index of the first newline within the first `max` bytes, or -1. */
  private findNewline(max: number): number {
    const limit = Math.min(max, this.size);
    let base = 0;
    for (let i = this.head; i < this.chunks.length && base < limit; i++) {
      const chunk = this.chunks[i];
      const start = i === this.head ? this.offset : 0;
      const length = chunk.length - start;
      if (base + length > this.scanned) {
        const from = start + Math.max(0, this.scanned - base);
        const to = start + Math.min(length, limit - base);
        const at = chunk.subarray(0, to).indexOf(NEWLINE, from);
        if (at >= 0) return base + at - start;
      }
      base += length;
    }
    this.scanned = Math.min(base, limit);
    return -1;
  }

  /** The frame length in the header at the front (needs FRAME_HEADER_BYTES buffered). */
  private peekLength(): number {
    const first = this.chunks[this.head];
    if (first.length - this.offset >= FRAME_HEADER_BYTES) return first.readUInt32BE(this.offset);
    let value = 0;
    let read = 0;
    for (let i = this.head; read < FRAME_HEADER_BYTES; i++) {
      const chunk = this.chunks[i];
      for (let j = i === this.head ? this.offset : 0; j < chunk.length && read < FRAME_HEADER_BYTES; j++, read++) {
        value = value * 256 + chunk[j];
      }
    }
    return value;
  }

  /** Removes `n` bytes (1 <= n <= size) from the front; copies only when they span chunks. */
  private take(n: number): Buffer {
    this.size -= n;
    this.scanned = 0;
    const first = this.chunks[this.head];
    if (first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === first.length) this.advance();
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.head];
      const count = Math.min(chunk.length - this.offset, n - filled);
      chunk.copy(out, filled, this.offset, this.offset + count);
      filled += count;
      this.offset += count;
      if (this.offset === chunk.length) this.advance();
    }
    return out;
  }

  private advance(): void {
    this.offset = 0;
    this.head++;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}

function onReadCancelled(wait: Wait<any>): void {
  (wait.data as ReadRequest).buffer.readCancelled();
}
