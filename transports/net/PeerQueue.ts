/**
 * The frames queued for a peer while its connection is being made: bounded in bytes, handed to
 * the connection in order once it is online, and dated, since a refused dial is tried again
 * while a queued message still waits (see PeerLinks).
 * @module
 */

/** Bytes a connecting peer may queue; a message past them is dropped. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

/**
 * The frames waiting for a peer to come online.
 * @example
 * ```ts
 * const queue = new PeerQueue();
 * if (!queue.push(Buffer.from([0]))) log('full: dropped');
 * const frames: Buffer[] = queue.drain(); // oldest first; the queue is empty again
 * ```
 */
export class PeerQueue {
  private frames: Buffer[] = [];
  private bytes = 0;
  private since = 0;

  /** Frames waiting. */
  get length(): number {
    return this.frames.length;
  }

  /** When the oldest waiting frame was queued (`performance.now()`); 0 when none waits. */
  get oldestAt(): number {
    return this.frames.length === 0 ? 0 : this.since;
  }

  /** Queues `frame`; false, queueing nothing, when it would pass the queue's bound in bytes. */
  push(frame: Buffer): boolean {
    if (this.bytes + frame.length > MAX_QUEUED_BYTES) return false;
    if (this.frames.length === 0) this.since = performance.now();
    this.frames.push(frame);
    this.bytes += frame.length;
    return true;
  }

  /** Takes every waiting frame, oldest first, and empties the queue. */
  drain(): Buffer[] {
    const frames = this.frames;
    this.frames = [];
    this.bytes = 0;
    return frames;
  }
}
