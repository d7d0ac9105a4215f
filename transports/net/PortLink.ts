/**
 * A peer link over a MessagePort: how two nodes of one process (the owner of worker threads and
 * its threads, or two threads) talk. The frames are the peer protocol's own (CBOR, batched per
 * turn exactly as over TCP, see frameBatch.ts); each turn's frames leave in one buffer that is
 * transferred, not copied. Both ends were made by the threads' owner, so there is no handshake
 * and no secret: the owner tells each side who is at the other end. A thread that ends (exits,
 * throws at top level, runs out of memory, is terminated) closes its ports, and the other ends
 * see it at once.
 * @module
 */
import type { MessagePort, Transferable } from 'node:worker_threads';
import { FRAME_HEADER_BYTES } from '../io/FrameDecoder.js';
import { FrameTooLargeError } from '../io/ioErrors.js';
import { packFrames } from './frameBatch.js';
import { ProtocolError } from './netErrors.js';
import type { PeerLink, PeerLinkEvents } from './PeerLink.js';
import { TurnWriter } from './TurnWriter.js';

/**
 * How one end of a port link behaves.
 * @example
 * ```ts
 * const options: PortLinkOptions = { initiator: true, judgesSilence: true, maxFrame: 1 << 20 };
 * ```
 */
export interface PortLinkOptions {
  /** True at the end that asked for the link (the owner, or the thread that joined later). */
  initiator: boolean;
  /** True at the owner's end: only the owner declares a silent thread lost (and can stop it). */
  judgesSilence: boolean;
  /** Largest frame sent or accepted, in bytes. */
  maxFrame: number;
  /**
   * Receives what the other end posts with `post` (anything but frames: links to siblings handed
   * on by the owner), in order with the frames. Without it such a message drops the link.
   */
  control?: (message: unknown) => void;
}

/**
 * One end of a link between two nodes of this process.
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const link = new PortLink(port1, { initiator: true, judgesSilence: true, maxFrame: 1 << 20 }, { frame: onFrame, closed: onClosed });
 * link.write(payload);
 * ```
 */
export class PortLink implements PeerLink {
  readonly inProcess = true;
  readonly initiator: boolean;
  readonly judgesSilence: boolean;
  lastReceived = performance.now();
  lastSent = performance.now();
  bytesIn = 0;
  bytesOut = 0;
  framesIn = 0;
  framesOut = 0;
  private readonly maxFrame: number;
  private readonly control: ((message: unknown) => void) | undefined;
  private readonly writer: TurnWriter;
  private ended = false;

  constructor(
    private readonly port: MessagePort,
    options: PortLinkOptions,
    private readonly events: PeerLinkEvents,
  ) {
    this.initiator = options.initiator;
    this.judgesSilence = options.judgesSilence;
    this.maxFrame = options.maxFrame;
    this.control = options.control;
    this.writer = new TurnWriter(options.maxFrame, this.send);
    port.on('message', this.onMessage);
    port.on('messageerror', this.onMessageError);
    port.on('close', this.onClose);
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Queues one frame; the turn's frames leave together at its end. Throws FrameTooLargeError. */
  write(payload: Buffer): void {
    this.writer.push(payload);
  }

  /**
   * Posts `message` (structured clone; `transfer` moved) after the frames already queued, so the
   * other end gets it in order with them (its `control` receives it). False once closed.
   */
  post(message: object, transfer: readonly Transferable[] = []): boolean {
    if (this.ended) return false;
    this.writer.flush();
    this.port.postMessage(message, [...transfer]);
    return true;
  }

  /** Closes the port (the other end sees it at once): after what is queued (`graceful`), or dropping it. */
  close(error?: Error, graceful = error === undefined): void {
    if (this.ended) return;
    if (graceful) this.writer.flush();
    this.finish(graceful ? undefined : error);
    this.port.close();
  }

  ref(): void {
    this.port.ref();
  }

  unref(): void {
    this.port.unref();
  }

  private readonly send = (frames: Buffer[]): void => {
    // A buffer of its own (not a slice of Node's pool), so that it can be transferred.
    const { bytes, frames: count } = packFrames(frames, Buffer.allocUnsafeSlow);
    this.framesOut += count;
    this.bytesOut += bytes.length;
    this.lastSent = performance.now();
    const buffer = bytes.buffer as ArrayBuffer;
    this.port.postMessage(buffer, [buffer]);
  };

  private finish(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.writer.stop();
    this.port.off('message', this.onMessage);
    this.events.closed(error);
  }

  private readonly onMessage = (data: unknown): void => {
    if (this.ended) return;
    this.lastReceived = performance.now();
    try {
      if (!(data instanceof ArrayBuffer)) {
        if (this.control === undefined || data === null || typeof data !== 'object') throw new ProtocolError('a port link carries frames only');
        return this.control(data);
      }
      const bytes = Buffer.from(data);
      this.bytesIn += bytes.length;
      for (let at = 0; at < bytes.length && !this.ended; ) {
        if (bytes.length - at < FRAME_HEADER_BYTES) throw new ProtocolError('truncated frame header');
        const length = bytes.readUInt32BE(at);
        if (length > this.maxFrame) throw new FrameTooLargeError(length, this.maxFrame);
        at += FRAME_HEADER_BYTES;
        if (at + length > bytes.length) throw new ProtocolError('truncated frame');
        this.framesIn++;
        this.events.frame(bytes.subarray(at, at + length));
        at += length;
      }
    } catch (err) {
      this.close(err instanceof Error ? err : new Error(String(err)), false);
    }
  };

  private readonly onMessageError = (err: Error): void => this.close(err, false);

  private readonly onClose = (): void => this.finish(undefined);
}
