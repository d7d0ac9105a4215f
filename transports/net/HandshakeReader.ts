/**
 * Reads the few bounded, fixed-layout frames of a peer handshake from a socket; whatever follows
 * them is handed back untouched. Nothing read here is given to the CBOR decoder.
 * @module
 */
import type { Socket } from 'node:net';
import { AuthenticationError, PeerUnreachableError, ProtocolError } from './netErrors.js';

/** Largest handshake frame accepted (a hello with a 255-byte host and name fits). */
export const MAX_HANDSHAKE_FRAME = 640;

/**
 * Reads handshake frames (4-byte length, at most MAX_HANDSHAKE_FRAME bytes) until detached; fails
 * with PeerUnreachableError after `timeout` ms, on hang-up or on a socket error.
 * @example
 * ```ts
 * const reader = new HandshakeReader(socket, 5000);
 * const frame = await reader.next();
 * const rest = reader.detach();
 * ```
 */
export class HandshakeReader {
  private buf: Buffer = Buffer.alloc(0);
  private waiter: { resolve(b: Buffer): void; reject(e: Error): void } | undefined;
  private failure: Error | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly socket: Socket, timeout: number) {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
    socket.resume(); // accepted sockets start paused
    this.timer = setTimeout(() => this.fail(new PeerUnreachableError(`handshake timed out after ${timeout} ms`)), timeout);
    this.timer.unref();
  }

  next(): Promise<Buffer> {
    const frame = this.take();
    if (frame !== undefined) return Promise.resolve(frame);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Stops reading (the socket is paused) and returns the bytes received beyond the handshake. */
  detach(): Buffer {
    this.socket.pause();
    this.dispose();
    return this.buf;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
  }

  private take(): Buffer | undefined {
    if (this.buf.length < 4) return undefined;
    const length = this.buf.readUInt32BE(0);
    if (length > MAX_HANDSHAKE_FRAME) {
      // 0x16 0x03: a TLS handshake record where a plaintext frame was expected.
      if (this.buf[0] === 0x16 && this.buf[1] === 0x03) return void this.fail(new AuthenticationError('the peer speaks TLS (it has certificates); this node has none'));
      this.fail(new ProtocolError(`handshake frame of ${length} bytes exceeds ${MAX_HANDSHAKE_FRAME}`));
      return undefined;
    }
    if (this.buf.length < 4 + length) return undefined;
    const frame = this.buf.subarray(4, 4 + length);
    this.buf = this.buf.subarray(4 + length);
    return frame;
  }

  private readonly onData = (chunk: Buffer): void => {
    // Bounded: a waiting read takes at most one frame of MAX_HANDSHAKE_FRAME bytes at a time.
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.waiter === undefined) return;
    const frame = this.take();
    if (frame !== undefined) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(frame);
    }
  };

  private readonly onClose = (): void => this.fail(new PeerUnreachableError('the peer closed the connection during the handshake'));
  private readonly onError = (err: Error): void => this.fail(new PeerUnreachableError(`connection failed during the handshake: ${err.message}`, { cause: err }));

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(error);
  }
}
