/**
 * The live coroutines of a scheduler by id. Ids are handed out in sequence, so the table is a
 * run of fixed-size chunks of slots, one chunk per 64 consecutive ids, dropped once all its
 * coroutines have ended: adding and removing cost a slot write (no hashing, no rehashing as a
 * Map has when a burst of coroutines ends), and a live coroutine costs about one slot.
 * Internal machinery.
 * @module
 */

// Division, not shifts: ids pass 2^32 in a process that spawns long enough.
const SLOTS = 64;

/** The slots of 64 consecutive ids, and how many of them hold a live coroutine. */
interface Chunk<T> {
  live: number;
  readonly slots: (T | undefined)[];
}

/**
 * Objects with sequential ids (each added once, in increasing id order), found by id.
 * @example
 * ```ts
 * const table = new CoroTable<{ id: number }>(); table.add(1, { id: 1 }); table.get(1);
 * ```
 */
export class CoroTable<T extends { readonly id: number }> {
  /** In increasing key order (chunks are created in id order and never re-created). */
  private readonly chunks = new Map<number, Chunk<T>>();
  private lastKey = -1;
  private last: Chunk<T> | undefined = undefined;
  /** The chunk of the last removal: coroutines mostly end in about the order they started. */
  private endKey = -1;
  private ending: Chunk<T> | undefined = undefined;
  /** Number of objects held. */
  size = 0;

  /** Adds `item` under `id` (its id, which it may not carry yet). */
  add(id: number, item: T): void {
    const key = Math.floor(id / SLOTS);
    let chunk = this.last;
    if (key !== this.lastKey || chunk === undefined) {
      chunk = this.chunks.get(key);
      if (chunk === undefined) this.chunks.set(key, (chunk = { live: 0, slots: new Array(SLOTS) }));
      this.lastKey = key;
      this.last = chunk;
    }
    chunk.slots[id % SLOTS] = item;
    chunk.live++;
    this.size++;
  }

  /** Removes `item`; a no-op if it is not held. */
  delete(item: T): void {
    const key = Math.floor(item.id / SLOTS);
    const chunk = key === this.endKey ? this.ending : key === this.lastKey ? this.last : this.chunks.get(key);
    if (chunk === undefined || chunk.slots[item.id % SLOTS] !== item) return;
    chunk.slots[item.id % SLOTS] = undefined;
    this.size--;
    if (--chunk.live > 0) {
      this.endKey = key;
      this.ending = chunk;
      return;
    }
    // Dropped: its ids may still be handed out (the chunk is then made again), so no cursor keeps it.
    this.chunks.delete(key);
    if (key === this.lastKey) this.last = undefined;
    if (key === this.endKey) this.ending = undefined;
    this.endKey = -1;
  }

  /** The object with this id, if held. */
  get(id: number): T | undefined {
    if (!Number.isSafeInteger(id) || id < 0) return undefined;
    const key = Math.floor(id / SLOTS);
    const chunk = key === this.lastKey ? this.last : this.chunks.get(key);
    return chunk?.slots[id % SLOTS];
  }

  /** Every object held, in id order. */
  *values(): IterableIterator<T> {
    for (const chunk of this.chunks.values()) {
      for (const item of chunk.slots) if (item !== undefined) yield item;
    }
  }
}
