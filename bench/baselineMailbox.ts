/**
 * The baseline the messaging benchmarks compare with: a hand-rolled promise
 * mailbox, an array queue and one pending resolver, the least a mailbox can do.
 * @module
 */

/**
 * Minimal mailbox: `send` never blocks, `receive` returns a queued message or waits for one.
 * @example
 * ```ts
 * const box = new BaselineMailbox<number>(); box.send(1); await box.receive();
 * ```
 */
export class BaselineMailbox<T> {
  private readonly queue: T[] = [];
  private head = 0;
  private waiter: ((m: T) => void) | undefined;

  send(m: T): void {
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w(m);
    } else this.queue.push(m);
  }

  receive(): Promise<T> | T {
    if (this.head < this.queue.length) {
      const m = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      return m;
    }
    return new Promise((resolve) => (this.waiter = resolve));
  }
}
