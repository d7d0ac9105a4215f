/**
 * Where a coroutine goes in a group of threads: a thread by index, the least loaded one, or the
 * thread a key hashes to. Keys use rendezvous (highest random weight) hashing over the running
 * threads: one key always lands on one thread while it runs; when a thread is lost only its keys
 * move (to the other threads, evenly), and they come back to its replacement.
 * @module
 */
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { describe } from '../../runtime/options.js';

/**
 * Where `spawnOnWith` places a coroutine: `{ thread: n }` (1-based index), `{ key }` (sticky),
 * or `{ leastLoaded: true }` (the default: fewest coroutines placed there still running, then the
 * least busy event loop).
 * @example
 * ```ts
 * const byUser: Placement = { key: 'user-42' };
 * ```
 */
export type Placement = { thread: number } | { key: string | number } | { leastLoaded: true };

/** What placement needs of a thread. */
export interface Placeable {
  readonly index: number;
  readonly state: string;
  readonly life: { readonly placed: number };
  measure(): number;
}

/**
 * The placement `options` ask for (validated); the least loaded when they name none.
 * Throws InvalidArgumentError for a malformed or contradictory placement.
 * @example
 * ```ts
 * placementOf({ key: 'user-42' }); // { key: 'user-42' }
 * ```
 */
export function placementOf(options: { thread?: unknown; key?: unknown; leastLoaded?: unknown }): Placement {
  const given = ['thread', 'key', 'leastLoaded'].filter((k) => (options as Record<string, unknown>)[k] !== undefined);
  if (given.length > 1) throw new InvalidArgumentError(`give one placement (thread, key or leastLoaded), not ${given.join(' and ')}`);
  if (options.thread !== undefined) {
    if (typeof options.thread !== 'number' || !Number.isInteger(options.thread) || options.thread < 1) throw new InvalidArgumentError(`thread must be an index from 1, got ${describe(options.thread)}`);
    return { thread: options.thread };
  }
  if (options.key !== undefined) {
    const key = options.key;
    if (!(typeof key === 'string' && key.length <= 4096) && !(typeof key === 'number' && Number.isFinite(key))) throw new InvalidArgumentError(`key must be a string (at most 4096 characters) or a finite number, got ${describe(key)}`);
    return { key };
  }
  if (options.leastLoaded !== undefined && options.leastLoaded !== true) throw new InvalidArgumentError('leastLoaded must be true when given');
  return { leastLoaded: true };
}

/**
 * The running thread `placement` picks among `slots` (undefined when none runs; for an index, the
 * thread at that index whatever its state: the caller says why it cannot take the coroutine).
 * Throws InvalidArgumentError for an index beyond the group.
 * @example
 * ```ts
 * const slot = pick(slots, { key: 'user-42' });
 * ```
 */
export function pick<S extends Placeable>(slots: readonly S[], placement: Placement): S | undefined {
  if ('thread' in placement) {
    if (placement.thread > slots.length) throw new InvalidArgumentError(`thread ${placement.thread} does not exist: the group has ${slots.length}`);
    return slots[placement.thread - 1];
  }
  const running = slots.filter((s) => s.state === 'up');
  if ('key' in placement) {
    const h = hashText(String(placement.key));
    let best: S | undefined, top = -1;
    for (const s of running) {
      const weight = mix(h ^ Math.imul(s.index, 0x9e3779b1));
      if (weight > top) [best, top] = [s, weight];
    }
    return best;
  }
  let best: S | undefined, bestPlaced = Infinity, bestBusy = Infinity;
  for (const s of running) {
    const busy = s.measure();
    if (s.life.placed < bestPlaced || (s.life.placed === bestPlaced && busy < bestBusy)) [best, bestPlaced, bestBusy] = [s, s.life.placed, busy];
  }
  return best;
}

/** FNV-1a over the UTF-16 code units, 32 bits. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A 32-bit finaliser (murmur3's), so that neighbouring indices get unrelated weights. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
