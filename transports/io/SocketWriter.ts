/**
 * The send side of an AsyncSocket: writes in call order, and a writer to a slow
 * peer waits for 'drain' instead of growing node's write buffer without bound.
 * Internal machinery.
 * @module
 */
import type { Socket } from 'node:net';
import { TimeoutError } from '../../runtime/runtimeErrors.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind, type WaitOwner } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import type { SocketError } from './ioErrors.js';

/** A queued write: its bytes, whether it waits for the drain, and whether it was written already. */
interface WriteRequest {
  bytes: Uint8Array;
  all: boolean;
  written: boolean;
  writer: SocketWriter;
}

/**
 * FIFO of writers on one socket.
 * @example
 * ```ts
 * const writer = new SocketWriter(socket);
 * await writer.write(sched, undefined, data, true, Infinity, undefined);
 * ```
 */
export class SocketWriter {
  private readonly queue = new WaiterQueue();
  private error: SocketError | undefined = undefined;
  private flushQueued = false;
  private corked = false;

  constructor(private readonly sock: Socket) {
    // A shared listener finds the writer on the socket: no closures per connection.
    (sock as WriterSocket)[WRITER] = this;
    sock.on('drain', onDrain);
  }

  /** Writers waiting (for their turn or for the drain). */
  get pending(): number {
    return this.queue.length;
  }

  /** Fails every waiting writer, and every later write, with `error`. */
  fail(error: SocketError): void {
    if (this.error !== undefined) return;
    this.error = error;
    for (const w of this.queue.drain()) w.fail(error);
  }

  /**
   * Writes `bytes` when its turn comes and node's buffer is under its high-water mark; with `all`,
   * also waits for the drain if this write filled the buffer. Resolves with the byte count, or
   * with undefined for `all` writes.
   */
  write(sched: Scheduler, owner: WaitOwner | undefined, bytes: Uint8Array, all: boolean, timeout: number, signal: AbortSignal | undefined): Promise<number | undefined> {
    if (this.error !== undefined) return Promise.reject(this.error);
    const request: WriteRequest = { bytes, all, written: false, writer: this };
    if (this.queue.length === 0 && !this.sock.writableNeedDrain) {
      const interrupt = owner?.pendingInterrupt(WaitKind.Other);
      if (interrupt !== undefined) return Promise.reject(interrupt);
      if (signal?.aborted) return Promise.reject(signal.reason);
      request.written = true;
      // Writes made in one burst of coroutine steps leave as one writev, not one system call each.
      if (!this.corked) {
        this.corked = true;
        this.sock.cork();
        process.nextTick(uncork, this);
      }
      if (this.sock.write(bytes) || !all) return sched.ready(all ? undefined : bytes.length);
      if (timeout === 0) return Promise.reject(new TimeoutError('timed out waiting for the peer to read (the bytes stay queued)'));
    }
    const wait = new Wait<number | undefined>(sched, owner, WaitKind.Other);
    wait.throwOnTimeout = true;
    wait.data = request;
    wait.onCancel = onWriteCancelled;
    this.queue.push(wait);
    const promise = wait.start(timeout, signal);
    if (wait.settled) this.queue.remove(wait);
    return promise;
  }

  /** @internal Ends a burst: the corked writes leave as one. */
  uncork(): void {
    this.corked = false;
    this.sock.uncork();
  }

  /** @internal A waiting writer left early. */
  writeCancelled(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  /** On 'drain' (or after a writer left): completes drained writers and writes the next ones. */
  flush(): void {
    this.flushQueued = false;
    for (let w = this.queue.peek(); w !== undefined; w = this.queue.peek()) {
      if (w.settled) {
        this.queue.remove(w);
        continue;
      }
      const request = w.data as WriteRequest;
      if (!request.written) {
        if (this.sock.writableNeedDrain) return;
        request.written = true;
        if (!this.sock.write(request.bytes) && request.all) return;
      } else if (this.sock.writableNeedDrain) return;
      this.queue.remove(w);
      w.wake(request.all ? undefined : request.bytes.length);
    }
  }
}

const WRITER = Symbol('asyncoro.SocketWriter');
type WriterSocket = Socket & { [WRITER]: SocketWriter };

function onDrain(this: Socket): void {
  (this as WriterSocket)[WRITER].flush();
}

function uncork(writer: SocketWriter): void {
  writer.uncork();
}

function onWriteCancelled(wait: Wait<any>): void {
  (wait.data as WriteRequest).writer.writeCancelled();
}
