/**
 * A peer link over a MessagePort: how two nodes of one process (the owner of worker threads and
 * its threads, or two threads) talk. Messages are the peer protocol's own, carried as values by
 * structured clone (see CloneWire: faster than CBOR between threads), and a turn's messages leave
 * in one `postMessage`. Both ends were made by the threads' owner, so there is no handshake and
 * no secret: the owner tells each side who is at the other end. A thread that ends (exits, throws
 * at top level, runs out of memory, is terminated) closes its ports, and the other ends see it at
 * once. Arrivals are paced by the receiving scheduler: while its coroutines are behind (this
 * turn's budget is spent), the port is not read, so messages wait there, not in mailboxes.
 * @module
 */
import type { MessagePort, Transferable } from 'node:worker_threads';
import { ProtocolError } from './netErrors.js';
import type { PeerLink, PeerLinkEvents } from './PeerLink.js';
import { TurnWriter } from './TurnWriter.js';

/** What a message value counts toward the eager flush (a flush every 4096 messages at most). */
const MESSAGE_WEIGHT = 64;
/** Request type names numbered per link, at most (layers add a few dozen). */
const MAX_TYPES = 4096;
/** Bodies that are arrays of at most this many items are spread into the batch. */
const MAX_SPREAD = 16;
/** Starts a run of one-way requests of one type (no message kind of the peer protocol is negative). */
const RUN = -2;

/** True for an integer from 0 to `max`. */
function isCount(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}

/**
 * How one end of a port link behaves.
 * @example
 * ```ts
 * const options: PortLinkOptions = { initiator: true, judgesSilence: true };
 * ```
 */
export interface PortLinkOptions {
  /** True at the end that asked for the link (the owner, or the thread that joined later). */
  initiator: boolean;
  /** True at the owner's end: only the owner declares a silent thread lost (and can stop it). */
  judgesSilence: boolean;
  /**
   * Receives what the other end posts with `post` (anything but messages: links to siblings
   * handed on by the owner), in order with the messages. Without it such a post drops the link.
   */
  control?: (message: unknown) => void;
  /** While this returns true (the receiving scheduler is behind), the port is not read. */
  hold?: () => boolean;
  /**
   * The other end closed the port (its thread ended): called instead of ending the link at once,
   * by an owner that learns why a moment later (the thread's exit) and then ends the link with
   * that reason (`close(error, false)`).
   */
  remoteClosed?: () => void;
}

/**
 * One end of a link between two nodes of this process.
 * @example
 * ```ts
 * const { port1 } = new MessageChannel();
 * const link = new PortLink(port1, { initiator: true, judgesSilence: true }, { frame: (m) => log(m), closed: () => undefined });
 * link.write([2]);
 * ```
 */
export class PortLink implements PeerLink {
  readonly inProcess = true;
  readonly clones = true;
  readonly initiator: boolean;
  readonly judgesSilence: boolean;
  lastReceived = performance.now();
  lastSent = performance.now();
  /** Not counted: values cross, not bytes. */
  readonly bytesIn = 0;
  readonly bytesOut = 0;
  framesIn = 0;
  framesOut = 0;
  private readonly control: ((message: unknown) => void) | undefined;
  private readonly hold: (() => boolean) | undefined;
  private readonly remoteClosed: (() => void) | undefined;
  /** Times the batches (the first message of a turn at once, the others at its end); the messages are in `flat`. */
  private readonly writer: TurnWriter<number>;
  /** The batch being built, flat (see append). */
  private flat: unknown[] = [];
  /** Where the count of the run being built is in `flat` (-1: none), and its request type and body length. */
  private runAt = -1;
  private runType: unknown = undefined;
  private runLength = 0;
  /** Request type names by their index on this link, each way. */
  private readonly typesOut = new Map<string, number>();
  private readonly typesIn: string[] = [];
  /** Memory the queued messages move with them. */
  private moving: ArrayBuffer[] = [];
  private ended = false;
  private reading = true;
  private wanted: 'ref' | 'unref' = 'ref';

  constructor(
    private readonly port: MessagePort,
    options: PortLinkOptions,
    private readonly events: PeerLinkEvents,
  ) {
    this.initiator = options.initiator;
    this.judgesSilence = options.judgesSilence;
    this.control = options.control;
    this.hold = options.hold;
    this.remoteClosed = options.remoteClosed;
    this.writer = new TurnWriter<number>(this.send, () => MESSAGE_WEIGHT, true);
    port.on('message', this.onMessage);
    port.on('messageerror', this.onMessageError);
    port.on('close', this.onClose);
  }

  get closed(): boolean {
    return this.ended;
  }

  /**
   * Queues one message (`[kind, id, type, body]`, or shorter); the turn's messages leave together
   * at its end, or at once, with what was queued before it, when it moves memory (`transfer`,
   * detached here when this returns).
   */
  write(message: unknown, transfer?: ReadonlyArray<ArrayBuffer | ArrayBufferView>): void {
    if (this.ended) return;
    const m = message as unknown[];
    this.append(m[0], m[1], m[2], m[3]);
    this.queued(transfer);
  }

  /**
   * Queues a one-way request of `type` with its body in clone form, as `write([0, 0, type, body])`
   * does, without the message array.
   */
  request(type: string, body: unknown, transfer?: ReadonlyArray<ArrayBuffer | ArrayBufferView>): void {
    if (this.ended) return;
    this.append(0, 0, type, body);
    this.queued(transfer);
  }

  /** A message was appended: it leaves with the turn's others, or at once when it moves memory. */
  private queued(transfer: ReadonlyArray<ArrayBuffer | ArrayBufferView> | undefined): void {
    if (transfer !== undefined) {
      for (const item of transfer) {
        // A view that is only part of its memory (a Buffer cut from Node's pool) is copied, not moved: moving would take the rest too.
        const memory = ArrayBuffer.isView(item) ? (item.byteOffset === 0 && item.byteLength === item.buffer.byteLength ? item.buffer : undefined) : item;
        if (memory instanceof ArrayBuffer && !this.moving.includes(memory)) this.moving.push(memory);
      }
    }
    this.writer.push(1);
    // What moves leaves at once (with what was queued before it): the sender's buffers are detached when send returns.
    if (this.moving.length > 0) this.writer.flush();
  }

  /**
   * Appends a message to the batch, flat (no array per message, which is most of what cloning a
   * small message costs): `kind, id, type, n` then the body's `n` items when the body is a short
   * array, or `kind, id, type, -1, body`; one-way requests of one type with bodies of one length
   * `n` are a run, `RUN, type, n, count` then the bodies' items (two slots a message for a
   * coroutine's sends). A request type's name is sent once, then its number (both ends number
   * them in order).
   */
  private append(kind: unknown, id: unknown, type: unknown, body: unknown): void {
    const flat = this.flat;
    if (!Array.isArray(body) || body.length > MAX_SPREAD) {
      flat.push(kind, id, this.typeOut(type), -1, body);
      this.runAt = -1;
      return;
    }
    const n = body.length;
    if (kind !== 0 || id !== 0) {
      flat.push(kind, id, this.typeOut(type), n);
      this.runAt = -1;
    } else if (this.runAt >= 0 && type === this.runType && n === this.runLength) {
      flat[this.runAt] = (flat[this.runAt] as number) + 1;
    } else {
      flat.push(RUN, this.typeOut(type), n, 1);
      this.runAt = flat.length - 1;
      this.runType = type;
      this.runLength = n;
    }
    for (let k = 0; k < n; k++) flat.push(body[k]);
  }

  /**
   * Posts `message` (structured clone; `transfer` moved) after the messages already queued, so
   * the other end gets it in order with them (its `control` receives it). False once closed.
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
    this.wanted = 'ref';
    this.port.ref();
  }

  unref(): void {
    this.wanted = 'unref';
    this.port.unref();
  }

  /** One postMessage for the turn's batch (`count` messages). */
  private readonly send = (count: number[]): void => {
    const flat = this.flat;
    this.flat = [];
    this.runAt = -1;
    this.framesOut += count.length;
    this.lastSent = performance.now();
    const moving = this.moving;
    this.moving = [];
    this.port.postMessage(flat, moving);
  };

  /** A request type as this link sends it: its name the first time, then its number. */
  private typeOut(type: unknown): unknown {
    if (typeof type !== 'string') return type;
    const index = this.typesOut.get(type);
    if (index !== undefined) return index;
    if (this.typesOut.size < MAX_TYPES) this.typesOut.set(type, this.typesOut.size);
    return type;
  }

  /** A request type as this link received it. Throws ProtocolError for an unknown number. */
  private typeIn(type: unknown): unknown {
    if (typeof type === 'string') {
      if (this.typesIn.length < MAX_TYPES) this.typesIn.push(type);
      return type;
    }
    if (typeof type !== 'number') return type;
    const name = this.typesIn[type];
    if (name === undefined) throw new ProtocolError('unknown request type index');
    return name;
  }

  private finish(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.writer.stop();
    this.flat = [];
    this.port.off('message', this.onMessage);
    this.events.closed(error);
  }

  private readonly onMessage = (data: unknown): void => {
    if (this.ended) return;
    this.lastReceived = performance.now();
    try {
      if (!Array.isArray(data)) {
        if (this.control === undefined || data === null || typeof data !== 'object') throw new ProtocolError('a port link carries messages only');
        return this.control(data);
      }
      for (let i = 0; i < data.length && !this.ended; ) {
        if (data[i] === RUN) {
          const type = this.typeIn(data[i + 1]), n = data[i + 2], count = data[i + 3];
          if (typeof type !== 'string' || !isCount(n, MAX_SPREAD) || !isCount(count, data.length) || i + 4 + n * count > data.length) throw new ProtocolError('malformed run on a port link');
          i += 4;
          const events = this.events;
          for (let k = 0; k < count && !this.ended; k++, i += n) {
            this.framesIn++;
            const body = n === 2 ? [data[i], data[i + 1]] : data.slice(i, i + n);
            if (events.request !== undefined) events.request(type, body);
            else events.frame([0, 0, type, body]);
          }
          continue;
        }
        const type = this.typeIn(data[i + 2]);
        const n = data[i + 3];
        const size = 4 + (n === -1 ? 1 : (n as number));
        if ((n !== -1 && !isCount(n, MAX_SPREAD)) || i + size > data.length) throw new ProtocolError('malformed message on a port link');
        const body = n === -1 ? data[i + 4] : data.slice(i + 4, i + size);
        this.framesIn++;
        if (data[i] === 0 && data[i + 1] === 0 && typeof type === 'string' && this.events.request !== undefined) this.events.request(type, body);
        else this.events.frame([data[i], data[i + 1], type, body]);
        i += size;
      }
    } catch (err) {
      return this.close(err instanceof Error ? err : new Error(String(err)), false);
    }
    if (this.hold?.() === true && this.reading) this.pause();
  };

  /** Stops reading until the scheduler has caught up (the messages wait in the port meanwhile). */
  private pause(): void {
    this.reading = false;
    this.port.off('message', this.onMessage);
    this.port[this.wanted](); // taking the listener off changes how the port holds the loop
    setImmediate(this.resume);
  }

  private readonly resume = (): void => {
    if (this.ended) return;
    if (this.hold?.() === true) return void setImmediate(this.resume);
    this.reading = true;
    this.port.on('message', this.onMessage);
    this.port[this.wanted]();
  };

  private readonly onMessageError = (err: Error): void => this.close(err, false);

  private readonly onClose = (): void => {
    if (this.ended) return;
    if (this.remoteClosed === undefined) return this.finish(undefined);
    this.writer.stop(); // nothing more can leave
    this.flat = [];
    this.remoteClosed();
  };
}
