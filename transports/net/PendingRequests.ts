/**
 * The requests a peer waits on, by id. The latest one sits in a field of its own and only the
 * older ones in a Map: a caller that awaits each request before the next (the usual round trip)
 * never touches the Map, whose table V8 shrinks, reallocating it, each time its last entry goes.
 * @module
 */

/**
 * Pending requests keyed by id, in the order they were added.
 * @example
 * ```ts
 * const pending = new PendingRequests<string>();
 * pending.set(1, 'waiting');
 * pending.take(1); // 'waiting'
 * ```
 */
export class PendingRequests<W> {
  private latestId = -1;
  private latest: W | undefined = undefined;
  private readonly older = new Map<number, W>();

  /** How many are pending. */
  get size(): number {
    return this.older.size + (this.latestId === -1 ? 0 : 1);
  }

  /** Adds request `id` (not pending already; ids only grow). */
  set(id: number, wait: W): void {
    if (this.latestId !== -1) this.older.set(this.latestId, this.latest!);
    this.latestId = id;
    this.latest = wait;
  }

  /** Removes request `id` and returns what waited on it (undefined when it is not pending). */
  take(id: number): W | undefined {
    if (id === this.latestId) {
      const wait = this.latest;
      this.latestId = -1;
      this.latest = undefined;
      return wait;
    }
    const wait = this.older.get(id);
    if (wait !== undefined) this.older.delete(id);
    return wait;
  }

  /** Removes every request and returns them, oldest first. */
  drain(): W[] {
    const all = [...this.older.values()];
    if (this.latestId !== -1) all.push(this.latest!);
    this.older.clear();
    this.latestId = -1;
    this.latest = undefined;
    return all;
  }
}
