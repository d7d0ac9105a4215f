/**
 * One timer structure per scheduler: every deadline (receive, sleep, lock, I/O
 * timeouts) is an entry in an indexed binary min-heap, and a single Node timer
 * is armed for the earliest one. Cancelling removes the entry in O(log n), so a
 * wait that is satisfied before its deadline leaves nothing behind.
 *
 * Waits mostly end long before their deadline, often within the turn of the event loop that
 * started them (a ping-pong with receive timeouts). So `scheduleSoon` does not read the clock
 * (a system call here, ~45 ns) nor touch the heap: the entry waits in a list, cancelled in O(1),
 * and entries still pending when the turn ends enter the heap together, timed from then, under
 * one clock read. A deadline so armed counts from the end of the turn: it fires late by at most
 * the rest of that turn (as Node's own timers count from the loop's cached time), never early.
 * @module
 */

/**
 * A scheduled deadline. Keep the object to cancel it.
 * @example
 * ```ts
 * const t = heap.add(100, () => wake()); heap.cancel(t);
 * ```
 */
export interface TimerEntry {
  /** Absolute time (performance.now() milliseconds) at which it fires. */
  deadline: number;
  /** Position in the heap (-2 - position in the list of entries still to be timed); -1 once fired or cancelled. */
  index: number;
  /** Whether this entry should keep the process alive. */
  ref: boolean;
  /** Called once when the deadline passes. */
  fire(): void;
}

// Node clamps timers beyond 2^31-1 ms; longer deadlines are re-armed in steps.
const MAX_NODE_DELAY = 0x7fffffff;

/**
 * Indexed min-heap of deadlines driven by one Node timer.
 * @example
 * ```ts
 * const heap = new TimerHeap();
 * heap.add(50, () => log('50 ms later'));
 * ```
 */
export class TimerHeap {
  private readonly heap: TimerEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Infinity;
  private refCount = 0;
  private stopped = false;
  /** Entries scheduled this turn, their `deadline` still a delay: timed when the turn ends. */
  private readonly soon: TimerEntry[] = [];
  private soonPending = false;

  /** Number of pending deadlines. */
  get size(): number {
    return this.heap.length + this.soon.length;
  }

  /** The earliest deadline in the heap (performance.now() time), Infinity when none. */
  get nextDeadline(): number {
    return this.heap.length > 0 ? this.heap[0]!.deadline : Infinity;
  }

  /** Schedules `fire` after `delay` ms. `ref` entries keep the process alive. */
  add(delay: number, fire: () => void, ref = false): TimerEntry {
    return this.schedule({ deadline: 0, index: -1, ref, fire }, delay);
  }

  /** Schedules an entry object (no closure needed) to fire after `delay` ms. */
  schedule<E extends TimerEntry>(entry: E, delay: number, now = performance.now()): E {
    entry.deadline = now + delay;
    entry.index = this.heap.length;
    this.heap.push(entry);
    this.up(entry.index);
    if (entry.ref && this.refCount++ === 0) this.timer?.ref();
    if (entry.deadline < this.armedAt) this.arm();
    return entry;
  }

  /**
   * Schedules an entry to fire `delay` ms after the end of this turn of the event loop (see the
   * module comment): no clock read and no heap work for an entry cancelled before then.
   */
  scheduleSoon<E extends TimerEntry>(entry: E, delay: number): E {
    entry.deadline = delay;
    entry.index = -2 - this.soon.length;
    this.soon.push(entry);
    if (!this.soonPending) {
      this.soonPending = true;
      setImmediate(this.timeSoon);
    }
    return entry;
  }

  /** Removes an entry that has not fired; a no-op for one that has. */
  cancel(entry: TimerEntry): void {
    const i = entry.index;
    if (i === -1) return;
    if (i < -1) {
      const soon = this.soon;
      const last = soon.pop()!;
      if (last !== entry) {
        soon[-2 - i] = last;
        last.index = i;
      }
      entry.index = -1;
      return;
    }
    entry.index = -1;
    if (entry.ref && --this.refCount === 0) this.timer?.unref();
    const last = this.heap.pop()!;
    if (last !== entry) {
      this.heap[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
    // The Node timer stays armed: when it fires early it finds nothing due and re-arms.
  }

  /** Cancels everything and releases the Node timer. */
  stop(): void {
    this.stopped = true;
    for (const e of this.heap) e.index = -1;
    this.heap.length = 0;
    for (const e of this.soon) e.index = -1;
    this.soon.length = 0;
    this.refCount = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
  }

  private arm(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
    const first = this.heap[0];
    if (!first) return;
    const delay = Math.min(Math.max(0, first.deadline - performance.now()), MAX_NODE_DELAY);
    this.armedAt = first.deadline;
    this.timer = setTimeout(this.onTimer, Math.ceil(delay));
    if (this.refCount === 0) this.timer.unref();
  }

  /** The turn ended: entries still pending get their deadline from one clock read and enter the heap. */
  private readonly timeSoon = (): void => {
    this.soonPending = false;
    const soon = this.soon;
    if (this.stopped) {
      for (const e of soon) e.index = -1;
      soon.length = 0;
    }
    if (soon.length === 0) return;
    const now = performance.now();
    // Popped, not cleared by `length = 0` afterwards (a call into the runtime on every turn); the heap does not mind the order.
    for (let entry = soon.pop(); entry !== undefined; entry = soon.pop()) {
      entry.index = -1;
      this.schedule(entry, entry.deadline, now);
    }
  };

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = performance.now();
    // Fire in deadline order; entries added while firing wait for the next arm.
    while (this.heap.length > 0 && this.heap[0].deadline <= now + 0.5) {
      const entry = this.heap[0];
      this.cancel(entry);
      entry.fire();
    }
    this.arm();
  };

  private up(i: number): void {
    const h = this.heap;
    const entry = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].deadline <= entry.deadline) break;
      h[i] = h[p];
      h[i].index = i;
      i = p;
    }
    h[i] = entry;
    entry.index = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const entry = h[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r].deadline < h[l].deadline ? r : l;
      if (h[c].deadline >= entry.deadline) break;
      h[i] = h[c];
      h[i].index = i;
      i = c;
    }
    h[i] = entry;
    entry.index = i;
  }
}
