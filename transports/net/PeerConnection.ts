/**
 * One authenticated connection to a peer: frames in (FrameDecoder, with the maximum frame
 * size enforced before buffering), frames out coalesced so that the messages queued during
 * one turn of the event loop leave in a single write (one system call), runs of small ones
 * batched into one frame.
 * @module
 */
import type { Socket } from 'node:net';
import { FrameDecoder, FRAME_HEADER_BYTES } from '../io/FrameDecoder.js';
import { FrameTooLargeError } from '../io/ioErrors.js';
import { packFrames } from './frameBatch.js';
import type { ReadTurns } from './ReadTurns.js';

/** Flush at once when this many bytes are waiting, instead of waiting for the end of the turn. */
const EAGER_FLUSH_BYTES = 256 * 1024;

/** What a connection reports to its owner. */
export interface PeerConnectionEvents {
  /** A complete frame payload; throwing drops the connection with that error. */
  frame(payload: Buffer): void;
  /** The connection ended: `error` says why (undefined for a clean close by either side). */
  closed(error: Error | undefined): void;
}

/**
 * A framed, write-coalescing connection.
 * @example
 * ```ts
 * const conn = new PeerConnection(socket, true, 1 << 24, leftover, { frame: onFrame, closed: onClosed });
 * conn.write(payload);
 * ```
 */
export class PeerConnection {
  /** `performance.now()` of the last frame received / written. */
  lastReceived = performance.now();
  lastSent = performance.now();
  /** Traffic so far (payload bytes and frame headers), for snapshots and metrics. */
  bytesIn = 0;
  bytesOut = 0;
  framesIn = 0;
  framesOut = 0;
  private readonly decoder: FrameDecoder;
  private out: Buffer[] = [];
  private outBytes = 0;
  private flushPending = false;
  private ended = false;
  /** Frames wait in the decoder for the next turn (the socket is paused meanwhile). */
  private yielding = false;

  constructor(
    readonly socket: Socket,
    /** True when this side opened the connection. */
    readonly initiator: boolean,
    readonly maxFrame: number,
    leftover: Buffer,
    private readonly events: PeerConnectionEvents,
    /** The time per turn this connection shares with its network's others for handling frames. */
    private readonly turns?: ReadTurns,
  ) {
    this.decoder = new FrameDecoder(maxFrame);
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    if (leftover.length > 0) this.onData(leftover);
    if (!this.yielding) socket.resume();
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Queues one frame; it is written with the others at the end of this turn. Throws FrameTooLargeError. */
  write(payload: Buffer): void {
    if (this.ended) return;
    if (payload.length > this.maxFrame) throw new FrameTooLargeError(payload.length, this.maxFrame);
    this.out.push(payload);
    this.outBytes += FRAME_HEADER_BYTES + payload.length;
    if (this.outBytes >= EAGER_FLUSH_BYTES) this.flush();
    else if (!this.flushPending) {
      this.flushPending = true;
      setImmediate(this.flush);
    }
  }

  /** Writes everything queued now, as one buffer (small messages batched, see frameBatch.ts). */
  readonly flush = (): void => {
    this.flushPending = false;
    if (this.out.length === 0 || this.ended) return;
    const { bytes, frames } = packFrames(this.out);
    this.framesOut += frames;
    this.bytesOut += bytes.length;
    this.out = [];
    this.outBytes = 0;
    this.lastSent = performance.now();
    this.socket.write(bytes);
  };

  /** Flushes, then ends the connection (`graceful`) or destroys it at once. */
  close(error?: Error, graceful = error === undefined): void {
    if (this.ended) return;
    if (graceful) {
      this.flush();
      this.finish(undefined);
      this.socket.end();
      this.socket.setTimeout(2000, () => this.socket.destroy());
    } else {
      this.finish(error);
      this.socket.destroy();
    }
  }

  private finish(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.out = [];
    this.outBytes = 0;
    this.socket.off('data', this.onData);
    this.events.closed(error);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.ended) return;
    this.lastReceived = performance.now();
    this.bytesIn += chunk.length;
    try {
      this.decoder.push(chunk);
    } catch (err) {
      return this.close(err instanceof Error ? err : new Error(String(err)), false);
    }
    if (!this.yielding) this.handleFrames();
  };

  /** Hands the complete frames to the owner until the turn's time is spent, then yields to the loop. */
  private handleFrames(): void {
    const turns = this.turns;
    try {
      for (;;) {
        if (!this.decoder.partial) return; // nothing received that is not handled
        if (turns !== undefined && !turns.available) {
          this.yielding = true;
          this.socket.pause();
          setImmediate(this.resumeFrames);
          return;
        }
        const frame = this.decoder.next();
        if (frame === undefined || this.ended) return;
        this.framesIn++;
        if (turns === undefined) this.events.frame(frame);
        else {
          const start = performance.now();
          this.events.frame(frame);
          turns.spend(performance.now() - start);
        }
      }
    } catch (err) {
      this.close(err instanceof Error ? err : new Error(String(err)), false);
    }
  }

  private readonly resumeFrames = (): void => {
    this.yielding = false;
    if (this.ended) return;
    this.handleFrames();
    if (!this.yielding && !this.ended) this.socket.resume();
  };

  private readonly onError = (err: Error): void => {
    this.finish(err);
    this.socket.destroy();
  };

  private readonly onClose = (): void => this.finish(undefined);
}

