/**
 * When a location may be dialled again after its dials failed: 100 ms after the first failure,
 * doubling with each one after it up to 5 s, each delay drawn between half and one and a half
 * times its value (so that the peers a node refused do not all come back at once), and a minute
 * after a failed authentication (a wrong secret does not become right by retrying). A connection
 * made forgets the failures. On one machine, every peer dials from one address: a node under
 * pressure refuses some of them for a moment (its handshake table, HandshakeTable.ts), and they
 * come back after these delays until they get in.
 * @module
 */

/** Delay after the first failed dial; it doubles with each failure after it. */
export const BACKOFF_FIRST_MS = 100;
/** Longest delay between two dials of a location. */
export const BACKOFF_MAX_MS = 5000;
/** Delay after a failed authentication. */
export const AUTH_FAILURE_WAIT_MS = 60_000;
/** Most locations whose failures are remembered (the oldest are forgotten first). */
const MAX_REMEMBERED = 10_000;

/**
 * Why a dial failed: a failed authentication; refused for now by the peer (busy); cut short in its
 * handshake for another reason (a cause that may come back every time); anything else.
 */
export type DialFailure = 'auth' | 'busy' | 'cut' | 'other';

interface Failures {
  count: number;
  /** Of which handshakes cut short. */
  cuts: number;
  /** Not dialled implicitly before this (performance.now()). */
  until: number;
}

/**
 * The failed dials of one network, by location.
 * @example
 * ```ts
 * const backoff = new DialBackoff();
 * const delay = backoff.failed('127.0.0.1:9705', 'busy'); // ~100 ms, then ~200, ~400, ... 5 s
 * if (backoff.waitFor('127.0.0.1:9705') === 0) log('may dial now');
 * ```
 */
export class DialBackoff {
  private readonly failures = new Map<string, Failures>();

  /** Milliseconds until `key` may be dialled without being asked to (0: now). */
  waitFor(key: string, now = performance.now()): number {
    const f = this.failures.get(key);
    return f === undefined ? 0 : Math.max(0, f.until - now);
  }

  /** How many dials of `key` failed in a row, and how many of them were cut short in their handshake. */
  count(key: string): { failures: number; cuts: number } {
    const f = this.failures.get(key);
    return { failures: f?.count ?? 0, cuts: f?.cuts ?? 0 };
  }

  /** A dial of `key` failed: returns the delay before the next one (and records it). */
  failed(key: string, why: DialFailure, now = performance.now()): number {
    const previous = this.failures.get(key);
    const count = (previous?.count ?? 0) + 1;
    const cuts = (previous?.cuts ?? 0) + (why === 'cut' ? 1 : 0);
    const delay = why === 'auth' ? AUTH_FAILURE_WAIT_MS : Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(count - 1, 20)) * (0.5 + Math.random());
    this.failures.delete(key); // re-inserted last: the map stays ordered by the latest failure
    this.failures.set(key, { count, cuts, until: now + delay });
    if (this.failures.size > MAX_REMEMBERED) this.failures.delete(this.failures.keys().next().value!);
    return delay;
  }

  /** Lets the next dial of `key` go at once (it was asked for), keeping the count for the delays after it. */
  allowNow(key: string): void {
    const f = this.failures.get(key);
    if (f !== undefined) f.until = 0;
  }

  /** A connection to `key` was made: its failures are forgotten. */
  succeeded(key: string): void {
    this.failures.delete(key);
  }
}
