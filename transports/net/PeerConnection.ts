/**
 * One authenticated connection to a peer: frames in (FrameDecoder, with the maximum frame
 * size enforced before buffering), frames out coalesced so that the messages queued during
 * one turn of the event loop leave in a single write (one system call), runs of small ones
 * batched into one frame. With a secret, what is written in a turn is sealed in one record
 * (RecordLayer.ts: up to 64 KiB each), and received bytes reach the frame decoder only once
 * their record's tag verified; records are opened one at a time within the turn's read budget
 * (ReadTurns.ts), as frames are handled.
 * @module
 */
import type { Socket } from 'node:net';
import { FrameDecoder } from '../io/FrameDecoder.js';
import { FrameTooLargeError } from '../io/ioErrors.js';
import { packFrames } from './frameBatch.js';
import type { PeerLink, PeerLinkEvents } from './PeerLink.js';
import type { ReadTurns } from './ReadTurns.js';
import type { RecordLayer } from './RecordLayer.js';
import { TurnWriter } from './TurnWriter.js';

/**
 * A framed, write-coalescing TCP connection (sealed records, TLS, or plaintext).
 * @example
 * ```ts
 * const conn = new PeerConnection(socket, true, 1 << 24, leftover, { frame: onFrame, closed: onClosed });
 * conn.write(payload);
 * ```
 */
export class PeerConnection implements PeerLink {
  readonly inProcess = false;
  readonly judgesSilence = true;
  readonly clones = false;
  /** `performance.now()` of the last frame received / written. */
  lastReceived = performance.now();
  lastSent = performance.now();
  /** Traffic so far (payload bytes and frame headers), for snapshots and metrics. */
  bytesIn = 0;
  bytesOut = 0;
  framesIn = 0;
  framesOut = 0;
  private readonly decoder: FrameDecoder;
  private readonly writer: TurnWriter;
  private ended = false;
  /** Frames wait in the decoder for the next turn (the socket is paused meanwhile). */
  private yielding = false;

  constructor(
    readonly socket: Socket,
    /** True when this side opened the connection. */
    readonly initiator: boolean,
    readonly maxFrame: number,
    leftover: Buffer,
    private readonly events: PeerLinkEvents,
    /** The time per turn this connection shares with its network's others for handling frames. */
    private readonly turns?: ReadTurns,
    /** With a secret: seals every write, opens every read. */
    private readonly records?: RecordLayer,
  ) {
    this.decoder = new FrameDecoder(maxFrame);
    this.writer = new TurnWriter(this.send);
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

  ref(): void {
    this.socket.ref();
  }

  unref(): void {
    this.socket.unref();
  }

  /** Queues one frame; it is written with the others at the end of this turn (bytes are copied: nothing is transferred). Throws FrameTooLargeError. */
  write(payload: Buffer): void {
    if (this.ended) return;
    if (payload.length > this.maxFrame) throw new FrameTooLargeError(payload.length, this.maxFrame);
    this.writer.push(payload);
  }

  /** Writes everything queued now, as one buffer (small messages batched, see frameBatch.ts). */
  flush(): void {
    this.writer.flush();
  }

  private readonly send = (frames: Buffer[]): void => {
    const { bytes, frames: count } = packFrames(frames);
    this.framesOut += count;
    this.bytesOut += bytes.length;
    this.lastSent = performance.now();
    this.socket.write(this.records === undefined ? bytes : this.records.seal(bytes));
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
    this.writer.stop();
    this.socket.off('data', this.onData);
    this.events.closed(error);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.ended) return;
    this.lastReceived = performance.now();
    this.bytesIn += chunk.length;
    try {
      if (this.records === undefined) this.decoder.push(chunk);
      else this.records.push(chunk);
    } catch (err) {
      return this.close(err instanceof Error ? err : new Error(String(err)), false);
    }
    if (!this.yielding) this.handleFrames();
  };

  /**
   * Opens the records received one at a time and hands their complete frames to the owner until
   * the turn's time is spent, then yields to the loop. Opening is charged as handling is: a
   * stream of tiny records that complete no frame costs the same share of a turn.
   */
  private handleFrames(): void {
    const { turns, records } = this;
    let last = turns === undefined ? 0 : performance.now();
    try {
      for (;;) {
        if (!this.decoder.partial && records?.pending !== true) return; // nothing received that is not handled
        if (turns !== undefined && !turns.available) {
          this.yielding = true;
          this.socket.pause();
          turns.wait(this.resumeFrames);
          return;
        }
        const frame = this.decoder.next();
        if (frame === undefined) {
          const plain = records?.next();
          if (plain === undefined || this.ended) return; // no whole frame, nor record, yet
          this.decoder.push(plain);
        } else {
          if (this.ended) return;
          this.framesIn++;
          this.events.frame(frame);
        }
        if (turns !== undefined) {
          const now = performance.now();
          turns.spend(now - last);
          last = now;
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

