/**
 * A coroutine's message queue: FIFO delivery, one pending receive (optionally
 * selective), an optional capacity with an overflow policy, and deliveries
 * that wait for room. Internal machinery; coroutines expose it through
 * `send`, `deliver`, `receive` and `poll`.
 * @module
 */
import { Deque } from './Deque.js';
import { InvalidArgumentError, MailboxFullError } from './runtimeErrors.js';
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
 * spawnWith({ mailbox: { capacity: 1000, overflow: 'drop-oldest' } }, async (coro) => {
 *   for (;;) log(await coro.receive());
 * });
 * ```
 */
export interface MailboxOptions {
  /** Most messages held at once; Infinity (default) for no bound. */
  capacity?: number;
  /** Policy when a `send` finds the mailbox full; `reject` by default. */
  overflow?: OverflowPolicy;
}

/**
 * The queue of a coroutine's undelivered messages, with an optional bound. The
 * pending receive lives on the coroutine, so a coroutine that only ever waits
 * for messages never allocates a mailbox.
 * @example
 * ```ts
 * const box = new Mailbox<string>({ capacity: 2 }); box.push('a');
 * ```
 */
export class Mailbox<M> extends Deque<M> {
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  /** Deliveries waiting for room in a full mailbox. */
  private roomWaiters: WaiterQueue | undefined = undefined;
  /** Messages discarded by the overflow policy. */
  dropped = 0;

  constructor(
    options: MailboxOptions = {},
    private readonly onDrop?: (message: M) => void,
  ) {
    super(2); // most mailboxes hold a message or two at a time; a busy one grows
    const capacity = options.capacity ?? Infinity;
    if (capacity !== Infinity) checkCount(capacity, 'mailbox capacity', 1);
    const overflow = options.overflow ?? 'reject';
    if (overflow !== 'reject' && overflow !== 'drop-oldest' && overflow !== 'drop-newest') {
      throw new InvalidArgumentError(`mailbox overflow must be 'reject', 'drop-oldest' or 'drop-newest'`);
    }
    this.capacity = capacity;
    this.overflow = overflow;
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  /**
   * Queues `msg`, applying the overflow policy when full: throws MailboxFullError (`reject`)
   * or passes the discarded message to `onDrop`. Returns false when `msg` itself was dropped.
   */
  enqueue(msg: M): boolean {
    if (this.length >= this.capacity) {
      if (this.overflow === 'reject') throw new MailboxFullError(`mailbox full (capacity ${this.capacity})`);
      this.dropped++;
      if (this.overflow === 'drop-newest') {
        this.onDrop?.(msg);
        return false;
      }
      this.onDrop?.(this.shift() as M);
    }
    this.push(msg);
    return true;
  }

  /** Index of the first queued message `filter` accepts, or -1. A throwing filter propagates. */
  find(filter: ((m: M) => boolean) | undefined): number {
    if (filter === undefined) return this.length > 0 ? 0 : -1;
    for (let i = 0; i < this.length; i++) if (filter(this.at(i) as M)) return i;
    return -1;
  }

  /** Removes the message at `index` and lets a delivery waiting for room in. */
  take(index: number): M {
    const msg = (index === 0 ? this.shift() : this.removeAt(index)) as M;
    if (this.roomWaiters !== undefined && this.roomWaiters.length > 0) this.roomWaiters.shift()!.wake(true);
    return msg;
  }

  /** Queues a wait for room (used by `deliver` into a full mailbox). */
  waitForRoom(wait: Wait<boolean>): void {
    (this.roomWaiters ??= new WaiterQueue()).push(wait);
  }

  /** Empties the mailbox when its owner ends: returns the deliveries that waited for room. */
  close(): Wait<any>[] {
    while (this.length > 0) this.shift();
    const waiting = this.roomWaiters;
    return waiting === undefined || waiting.length === 0 ? [] : waiting.drain();
  }
}
