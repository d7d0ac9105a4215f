/**
 * A coroutine's message queue: FIFO delivery, one pending receive (optionally
 * selective), an optional capacity with an overflow policy, and deliveries
 * that wait for room. Internal machinery; coroutines expose it through
 * `send`, `deliver`, `receive` and `poll`.
 * @module
 */
import { Deque } from './Deque.js';
import { InvalidArgumentError, MailboxFullError } from './errors.js';
import { checkCount } from './options.js';
import type { Wait } from './Wait.js';
import { WaiterQueue } from './WaiterQueue.js';

/**
 * What a full bounded mailbox does with a `send`: throw `MailboxFullError`
 * (`reject`), discard the oldest queued message, or discard the new one.
 */
export type OverflowPolicy = 'reject' | 'drop-oldest' | 'drop-newest';

/**
 * Bounds of a mailbox. Unbounded by default.
 * @example
 * ```ts
 * spawnWith({ mailbox: { capacity: 1000, overflow: 'drop-oldest' } }, worker);
 * ```
 */
export interface MailboxOptions {
  /** Most messages held at once; Infinity (default) for no bound. */
  capacity?: number;
  /** Policy when a `send` finds the mailbox full; `reject` by default. */
  overflow?: OverflowPolicy;
}

/** The result of posting a message: handed to a waiting receiver, queued, or dropped. */
export const Posted = { Handed: 0, Queued: 1, Dropped: 2 } as const;
export type Posted = (typeof Posted)[keyof typeof Posted];

/**
 * Message queue with a single receiver slot.
 * @example
 * ```ts
 * const box = new Mailbox<string>({ capacity: 2 }); box.post('a');
 * ```
 */
export class Mailbox<M> {
  readonly queue = new Deque<M>();
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  /** The pending receive, if the owner is waiting. */
  receiver: Wait<M> | undefined = undefined;
  /** Deliveries waiting for room in a full mailbox. */
  private roomWaiters: WaiterQueue | undefined = undefined;
  /** Messages discarded by the overflow policy. */
  dropped = 0;

  constructor(options: MailboxOptions = {}) {
    const capacity = options.capacity ?? Infinity;
    if (capacity !== Infinity) checkCount(capacity, 'mailbox capacity', 1);
    const overflow = options.overflow ?? 'reject';
    if (overflow !== 'reject' && overflow !== 'drop-oldest' && overflow !== 'drop-newest') {
      throw new InvalidArgumentError(`mailbox overflow must be 'reject', 'drop-oldest' or 'drop-newest'`);
    }
    this.capacity = capacity;
    this.overflow = overflow;
  }

  /** Number of queued messages. */
  get length(): number {
    return this.queue.length;
  }

  get full(): boolean {
    return this.queue.length >= this.capacity;
  }

  /**
   * Hands `msg` to the waiting receiver if it accepts it, else queues it,
   * applying the overflow policy. Returns what happened; `onDrop` sees discarded messages.
   */
  post(msg: M, onDrop: (m: M) => void): Posted {
    const receiver = this.receiver;
    if (receiver !== undefined && this.accepts(receiver, msg)) {
      this.receiver = undefined;
      receiver.wake(msg);
      return Posted.Handed;
    }
    if (this.queue.length >= this.capacity) {
      if (this.overflow === 'reject') throw new MailboxFullError(`mailbox full (capacity ${this.capacity})`);
      this.dropped++;
      if (this.overflow === 'drop-newest') {
        onDrop(msg);
        return Posted.Dropped;
      }
      onDrop(this.queue.shift() as M);
    }
    this.queue.push(msg);
    return Posted.Queued;
  }

  /** Index of the first queued message `filter` accepts, or -1. A throwing filter propagates. */
  find(filter: ((m: M) => boolean) | undefined): number {
    if (filter === undefined) return this.queue.length > 0 ? 0 : -1;
    const q = this.queue;
    for (let i = 0; i < q.length; i++) if (filter(q.at(i) as M)) return i;
    return -1;
  }

  /** Removes the message at `index` and lets a delivery waiting for room in. */
  take(index: number): M {
    const msg = this.queue.removeAt(index) as M;
    if (this.roomWaiters !== undefined && this.roomWaiters.length > 0) this.roomWaiters.shift()!.wake(true);
    return msg;
  }

  /** Queues a wait for room (used by `deliver` into a full mailbox). */
  waitForRoom(wait: Wait<boolean>): void {
    (this.roomWaiters ??= new WaiterQueue()).push(wait);
  }

  /** Empties the mailbox when its owner ends: returns what was queued and the waits for room. */
  close(): { messages: M[]; waiting: Wait<any>[] } {
    return { messages: this.queue.drain(), waiting: this.roomWaiters?.drain() ?? [] };
  }

  /** A selective receiver's filter that throws gets the error instead of the message. */
  private accepts(receiver: Wait<M>, msg: M): boolean {
    const filter = receiver.data as ((m: M) => boolean) | undefined;
    if (filter === undefined) return true;
    try {
      return filter(msg);
    } catch (err) {
      this.receiver = undefined;
      receiver.fail(err);
      return false;
    }
  }
}
