/**
 * Write coalescing for peer links: the frames queued during one turn of the event loop leave
 * together at its end (or at once when a quarter MiB is waiting), so a burst of messages costs
 * one system call or one `postMessage`, and runs of small ones can share a batch frame.
 * @module
 */
import { FRAME_HEADER_BYTES } from '../io/FrameDecoder.js';
import { FrameTooLargeError } from '../io/ioErrors.js';

/** Flush at once when this many bytes are waiting, instead of waiting for the end of the turn. */
export const EAGER_FLUSH_BYTES = 256 * 1024;

/**
 * The frames of one link waiting for the end of the turn.
 * @example
 * ```ts
 * const writer = new TurnWriter(1 << 20, (frames) => socket.write(Buffer.concat(frames)));
 * writer.push(codec.encode([2]));
 * ```
 */
export class TurnWriter {
  private out: Buffer[] = [];
  private outBytes = 0;
  private flushPending = false;
  private stopped = false;

  constructor(
    readonly maxFrame: number,
    /** Takes the frames queued since the last flush, in order (never an empty list). */
    private readonly sink: (frames: Buffer[]) => void,
  ) {}

  /** Queues one frame. Throws FrameTooLargeError; ignored once stopped. */
  push(payload: Buffer): void {
    if (this.stopped) return;
    if (payload.length > this.maxFrame) throw new FrameTooLargeError(payload.length, this.maxFrame);
    this.out.push(payload);
    this.outBytes += FRAME_HEADER_BYTES + payload.length;
    if (this.outBytes >= EAGER_FLUSH_BYTES) this.flush();
    else if (!this.flushPending) {
      this.flushPending = true;
      setImmediate(this.flush);
    }
  }

  /** Hands everything queued to the sink now. */
  readonly flush = (): void => {
    this.flushPending = false;
    if (this.out.length === 0 || this.stopped) return;
    const frames = this.out;
    this.out = [];
    this.outBytes = 0;
    this.sink(frames);
  };

  /** Drops what is queued and refuses more (the link ended). */
  stop(): void {
    this.stopped = true;
    this.out = [];
    this.outBytes = 0;
  }
}
