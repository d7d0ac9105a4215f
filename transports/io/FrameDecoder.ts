/**
 * asyncoro's framing, written once for sockets (`sendMsg`/`recvMsg`) and the
 * peer protocol: a 4-byte big-endian unsigned length, then the payload. The
 * decoder enforces a maximum frame size before buffering the payload, so a
 * hostile length prefix cannot make it allocate.
 * @module
 */
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { FrameTooLargeError } from './ioErrors.js';

/** Bytes in a frame header. */
export const FRAME_HEADER_BYTES = 4;
/** Chunks of at most this many bytes are copied together (see FrameDecoder's tail). */
const SMALL_CHUNK = 256, TAIL_BYTES = 4096;
/** Largest length a 4-byte header can carry. */
export const MAX_FRAME_LIMIT = 0xffffffff;

/**
 * Returns header and payload in one buffer (one write, one system call).
 * @example
 * ```ts
 * socket.write(encodeFrame(Buffer.from('hello')));
 * ```
 */
export function encodeFrame(payload: Uint8Array, limit = MAX_FRAME_LIMIT): Buffer {
  if (payload.length > limit) throw new FrameTooLargeError(payload.length, limit);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Writes a frame header for `length` bytes into `target` at `offset` (for coalesced writers).
 * @example
 * ```ts
 * writeFrameHeader(buf, 0, payload.length);
 * ```
 */
export function writeFrameHeader(target: Buffer, offset: number, length: number): void {
  target.writeUInt32BE(length, offset);
}

/**
 * Incremental frame decoder: push chunks as they arrive, take complete frames out.
 *
 * @example
 * ```ts
 * const dec = new FrameDecoder(1 << 20);
 * socket.on('data', (chunk) => {
 *   dec.push(chunk);
 *   for (let f = dec.next(); f; f = dec.next()) handle(f);
 * });
 * ```
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private offset = 0; // consumed bytes of chunks[0]
  private size = 0; // unconsumed bytes across chunks
  private expected = -1; // payload length of the frame being read, or -1 before its header
  // Small chunks are copied into a shared tail buffer, its filled part the last entry of `chunks`:
  // a stream of tiny chunks (a byte a record) then costs a few objects per KiB, not one per byte.
  private tail: Buffer | undefined;
  private tailUsed = 0;
  private tailStart = 0; // where the tail's entry in `chunks` begins
  private tailOpen = false; // the last entry of `chunks` is the tail's

  /** @param maxFrame largest accepted payload in bytes. */
  constructor(readonly maxFrame: number = 16 * 1024 * 1024) {
    if (!Number.isInteger(maxFrame) || maxFrame < 0 || maxFrame > MAX_FRAME_LIMIT) {
      throw new InvalidArgumentError(`maxFrame must be an integer between 0 and ${MAX_FRAME_LIMIT}`);
    }
  }

  /** Bytes held but not yet returned as frames. */
  get buffered(): number {
    return this.size;
  }

  /** True while a frame is partly received (its header or part of its payload). */
  get partial(): boolean {
    return this.size > 0 || this.expected >= 0;
  }

  /** Adds received bytes. Throws FrameTooLargeError as soon as an oversized header is seen. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (chunk.length <= SMALL_CHUNK) this.append(chunk);
    else {
      this.chunks.push(chunk);
      this.tailOpen = false;
    }
    this.size += chunk.length;
    this.readHeader();
  }

  private append(chunk: Buffer): void {
    if (this.tail === undefined || this.tailUsed + chunk.length > TAIL_BYTES) {
      this.tail = Buffer.allocUnsafe(TAIL_BYTES);
      this.tailUsed = 0;
      this.tailOpen = false;
    }
    if (!this.tailOpen) {
      this.tailStart = this.tailUsed;
      this.chunks.push(chunk); // replaced below
      this.tailOpen = true;
    }
    // Bytes before tailUsed are never written again: frames taken from the tail keep theirs.
    this.tailUsed += chunk.copy(this.tail, this.tailUsed);
    this.chunks[this.chunks.length - 1] = this.tail.subarray(this.tailStart, this.tailUsed);
  }

  /** The next complete payload, or undefined if none is complete yet. */
  next(): Buffer | undefined {
    this.readHeader();
    if (this.expected < 0 || this.size < this.expected) return undefined;
    const payload = this.take(this.expected);
    this.expected = -1;
    // The next header is read on the next call: if it is oversized, this frame must not be lost with it.
    return payload;
  }

  /** Drops everything buffered. */
  reset(): void {
    this.chunks = [];
    this.tailOpen = false;
    this.offset = this.size = 0;
    this.expected = -1;
  }

  private readHeader(): void {
    if (this.expected >= 0 || this.size < FRAME_HEADER_BYTES) return;
    const header = this.take(FRAME_HEADER_BYTES);
    const length = header.readUInt32BE(0);
    if (length > this.maxFrame) {
      this.reset();
      throw new FrameTooLargeError(length, this.maxFrame);
    }
    this.expected = length;
  }

  /** Removes `n` bytes from the front; copies only when they span chunks. */
  private take(n: number): Buffer {
    this.size -= n;
    const first = this.chunks[0];
    if (first !== undefined && first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === first.length) this.drop();
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      const count = Math.min(chunk.length - this.offset, n - filled);
      chunk.copy(out, filled, this.offset, this.offset + count);
      filled += count;
      this.offset += count;
      if (this.offset === chunk.length) this.drop();
    }
    return out;
  }

  /** Removes the consumed first chunk. */
  private drop(): void {
    this.chunks.shift();
    this.offset = 0;
    if (this.chunks.length === 0) this.tailOpen = false;
  }
}
