/**
 * A growable ring buffer: O(1) push and shift at both ends, indexed access and
 * removal from the middle (for selective receive). Internal machinery.
 * @module
 */

/**
 * Double-ended queue over a power-of-two ring buffer.
 * @example
 * ```ts
 * const q = new Deque<number>(); q.push(1); q.push(2); q.shift(); // 1
 * ```
 */
export class Deque<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private mask: number;
  /** Number of items held. */
  length = 0;

  constructor(initialCapacity = 8) {
    let cap = 2;
    while (cap < initialCapacity) cap <<= 1;
    this.buf = new Array(cap);
    this.mask = cap - 1;
  }

  /** Appends at the tail. */
  push(item: T): void {
    if (this.length > this.mask) this.grow();
    this.buf[(this.head + this.length) & this.mask] = item;
    this.length++;
  }

  /** Removes and returns the head, or undefined when empty. */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return item;
  }

  /** The head without removing it. */
  peek(): T | undefined {
    return this.length === 0 ? undefined : this.buf[this.head];
  }

  /** Item at position `i` from the head (0-based). */
  at(i: number): T | undefined {
    return i < 0 || i >= this.length ? undefined : this.buf[(this.head + i) & this.mask];
  }

  /** Removes and returns the item at position `i`, keeping the order of the rest. */
  removeAt(i: number): T | undefined {
    if (i < 0 || i >= this.length) return undefined;
    if (i === 0) return this.shift();
    const item = this.buf[(this.head + i) & this.mask];
    for (let j = i; j < this.length - 1; j++) {
      this.buf[(this.head + j) & this.mask] = this.buf[(this.head + j + 1) & this.mask];
    }
    this.buf[(this.head + this.length - 1) & this.mask] = undefined;
    this.length--;
    return item;
  }

  /** Removes everything and returns the items in order. */
  drain(): T[] {
    const out: T[] = [];
    while (this.length > 0) out.push(this.shift() as T);
    return out;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.length; i++) yield this.buf[(this.head + i) & this.mask] as T;
  }

  private grow(): void {
    const old = this.buf;
    const n = old.length;
    // One copy, in order, into a ring twice the size. Measured faster than unrolling with
    // slice/concat and then extending the length: that path copied twice and reallocated again.
    const next = new Array<T | undefined>(n * 2);
    for (let i = 0; i < n; i++) next[i] = old[(this.head + i) & this.mask];
    this.buf = next;
    this.head = 0;
    this.mask = n * 2 - 1;
  }
}
