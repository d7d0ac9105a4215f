/**
 * Write coalescing for peer links: the frames queued during one turn of the event loop leave
 * together at its end (or at once when a quarter MiB is waiting), so a burst of messages costs
 * one system call or one `postMessage`, and runs of small ones can share a batch frame.
 * @module
 */
import { FRAME_HEADER_BYTES } from '../io/FrameDecoder.js';

/** Flush at once when this much is waiting (bytes, or the weight of values), instead of waiting for the end of the turn. */
export const EAGER_FLUSH_BYTES = 256 * 1024;

/** What a frame of bytes weighs: its payload and its header. */
const frameWeight = (payload: Buffer): number => FRAME_HEADER_BYTES + payload.length;

/**
 * The frames (or, on a link that clones, the message values) of one link waiting for the end of the turn.
 * @example
 * ```ts
 * const writer = new TurnWriter<Buffer>((frames) => socket.write(Buffer.concat(frames)));
 * writer.push(Buffer.from([0x81, 0x02]));
 * ```
 */
export class TurnWriter<T = Buffer> {
  private out: T[] = [];
  private weight = 0;
  private flushPending = false;
  private stopped = false;
  private sentAlone = false;
  private readonly reopen = (): void => {
    this.sentAlone = false;
  };

  constructor(
    /** Takes the items queued since the last flush, in order (never an empty list). */
    private readonly sink: (items: T[]) => void,
    /** What an item counts toward the eager flush (a frame's bytes by default). */
    private readonly weigh: (item: T) => number = frameWeight as unknown as (item: T) => number,
    /**
     * Send an item at once when nothing waits, and what follows it (before the microtasks run)
     * at the end of the turn: a lone request or reply then waits for no turn to end, and a burst
     * still leaves in one batch.
     */
    private readonly firstAtOnce = false,
  ) {}

  /** Queues one item; ignored once stopped. */
  push(item: T): void {
    if (this.stopped) return;
    if (this.firstAtOnce && !this.flushPending && !this.sentAlone) {
      // Nothing waits: this one leaves now. What follows it before the microtasks have run joins
      // a batch; no setImmediate for a lone message (one costs the loop an extra turn, a few µs).
      this.sentAlone = true;
      queueMicrotask(this.reopen);
      return this.sink([item]);
    }
    this.out.push(item);
    this.weight += this.weigh(item);
    if (this.weight >= EAGER_FLUSH_BYTES) this.flush();
    else if (!this.flushPending) {
      this.flushPending = true;
      setImmediate(this.flush);
    }
  }

  /** Hands everything queued to the sink now. */
  readonly flush = (): void => {
    this.flushPending = false;
    if (this.out.length === 0 || this.stopped) return;
    const items = this.out;
    this.out = [];
    this.weight = 0;
    this.sink(items);
  };

  /** Drops what is queued and refuses more (the link ended). */
  stop(): void {
    this.stopped = true;
    this.out = [];
    this.weight = 0;
  }
}
