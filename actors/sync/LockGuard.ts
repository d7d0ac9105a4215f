/**
 * A held lock (or permit) as a disposable, for `using` and `await using`.
 * @module
 */

/**
 * Releases what it guards exactly once: on `release()`, or when a `using` block ends.
 * @example
 * ```ts
 * {
 *   using held = await lock.guard(coro, { timeout: 100 });
 *   // ... critical section ...
 * } // released here, however the block exits
 * ```
 */
export class LockGuard {
  private released = false;

  constructor(private readonly releaseFn: () => void) {}

  /** Releases now; later calls (and the end of a `using` block) do nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.releaseFn();
  }

  [Symbol.dispose](): void {
    this.release();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }
}
