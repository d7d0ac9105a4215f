/**
 * FIFO queue of pending waits with O(1) removal, shared by every primitive
 * that queues coroutines (locks, conditions, events, semaphores, channels).
 * A wait that times out or is aborted removes itself. Internal machinery.
 * @module
 */
import type { Wait } from './Wait.js';

/**
 * Intrusive doubly linked FIFO of Wait objects.
 * @example
 * ```ts
 * const q = new WaiterQueue(); q.push(wait); q.shift()?.wake(true);
 * ```
 */
export class WaiterQueue {
  private head: Wait<any> | undefined = undefined;
  private tail: Wait<any> | undefined = undefined;
  /** Number of queued waits. */
  length = 0;

  /** Appends a wait; it will remove itself from here if it ends early. */
  push(w: Wait<any>): void {
    w.queue = this;
    w.prev = this.tail;
    w.next = undefined;
    if (this.tail) this.tail.next = w;
    else this.head = w;
    this.tail = w;
    this.length++;
  }

  /** The oldest wait, without removing it. */
  peek(): Wait<any> | undefined {
    return this.head;
  }

  /** Removes and returns the oldest wait. */
  shift(): Wait<any> | undefined {
    const w = this.head;
    if (w) this.remove(w);
    return w;
  }

  /** Removes a wait from anywhere in the queue (no-op if it is not here). */
  remove(w: Wait<any>): void {
    if (w.queue !== this) return;
    if (w.prev) w.prev.next = w.next;
    else this.head = w.next;
    if (w.next) w.next.prev = w.prev;
    else this.tail = w.prev;
    w.prev = w.next = undefined;
    w.queue = undefined;
    this.length--;
  }

  /** Removes every wait and returns them oldest first. */
  drain(): Wait<any>[] {
    const out: Wait<any>[] = [];
    for (let w = this.shift(); w; w = this.shift()) out.push(w);
    return out;
  }

  *[Symbol.iterator](): IterableIterator<Wait<any>> {
    for (let w = this.head; w; w = w.next) yield w;
  }
}
