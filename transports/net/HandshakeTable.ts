/**
 * The connections a node accepted that have not authenticated yet, and the addresses that failed
 * to. Nothing here may keep a peer with the secret out:
 * - **Room for everyone while there is room.** Up to `capacity` connections may be in their
 *   handshake, from any addresses (a cluster on one machine dials from one address).
 * - **Under pressure the oldest unproven goes.** When the table is full, a new connection takes
 *   the place of the oldest one that has not proved the secret (the oldest from an address
 *   holding more than `perAddress`, if any). With a secret a peer proves the key in its first
 *   sealed record (the node answers past its greeting only then), with certificates by finishing
 *   TLS; from then on it is
 *   never evicted. A party without the secret never gets that far, so its idle or trickling
 *   connections, however many and from however many addresses, only push each other out, and a
 *   new peer is the youngest.
 * - **Under pressure each address has a rate.** While the table is full, each address may open
 *   two connections at once and one more per second (a connection that proves the secret gives
 *   its share back, so peers are not slowed by their own number): a flood that reopens what was
 *   closed cannot churn the table faster than a peer proves the secret.
 * - **Refusals are slow.** A refused connection is told so at once (a peer fails fast, with a
 *   typed error), but held, unread, for two to six seconds (at random, so that they do not come
 *   back together) before it is closed, at most 1,024 at a time: a flood that reopens what is
 *   closed would otherwise keep the accept queue full, and a peer's connection would wait behind it.
 * - **Silence is short.** A connection that has sent nothing `firstByteMs` after the greeting is closed.
 * - **Failures slow their address down.** After a failed authentication (a wrong secret, a malformed
 *   handshake) connections from that address are refused for a delay that doubles with each
 *   failure (100 ms, 200 ms, ... at most a minute), and until ten quiet minutes have passed that
 *   address gets one handshake at a time: guessing a secret online costs time.
 * Addresses are grouped: an IPv4 address, or the /64 prefix of an IPv6 one (where a host has many).
 * Established sessions are never touched.
 * @module
 */
import type { Socket } from 'node:net';

/** Delay after the first failed authentication from an address, doubling with each one after it. */
export const FAILURE_DELAY_MS = 100;
/** Longest delay after a failed authentication. */
export const MAX_FAILURE_DELAY_MS = 60_000;
/** Failures are forgotten after this long without one. */
export const FAILURE_MEMORY_MS = 10 * 60_000;
/** Connections an address may open at once while the table is under pressure, and more per second. */
const BURST = 2, PER_SECOND = 1;
/** A refused connection is held HOLD_MS plus up to twice that before it is closed, up to MAX_HELD at a time. */
const HOLD_MS = 2000, MAX_HELD = 1024;
/** Most addresses whose failures or rates are remembered (the oldest are forgotten first). */
const MAX_REMEMBERED = 10_000;

/** One accepted connection in its handshake. */
export interface HandshakeEntry {
  readonly socket: Socket;
  readonly group: string;
  readonly at: number;
  /** Key exchange or TLS done (or plain mode): the peer is past what a party without the secret can reach. */
  secured: boolean;
  /** Admitted with one of its address's tokens (given back once it proves the secret or finishes TLS). */
  charged: boolean;
  timer: NodeJS.Timeout | undefined;
}

/** Why a connection was not admitted. */
export type Refusal = 'throttled' | 'full';

interface Failures {
  count: number;
  until: number;
  last: number;
}

/** A token bucket: connections an address may still open while the table is under pressure. */
interface Bucket {
  tokens: number;
  at: number;
}

/**
 * The handshake table of one node.
 * @example
 * ```ts
 * const table = new HandshakeTable({ capacity: 64, perAddress: 8, firstByteMs: 1000 });
 * const entry = table.admit(socket);
 * if (typeof entry === 'string') socket.destroy(); // 'throttled' or 'full'
 * ```
 */
export class HandshakeTable {
  private readonly entries = new Set<HandshakeEntry>();
  private readonly perGroup = new Map<string, number>();
  private readonly failures = new Map<string, Failures>();
  private readonly buckets = new Map<string, Bucket>();
  /** Connections closed to make room, since the last `takeEvicted()`. */
  private evicted = 0;
  /** Refused connections held before they are closed. */
  private readonly held = new Set<Socket>();

  constructor(
    private readonly options: {
      capacity: number;
      perAddress: number;
      firstByteMs: number;
      /** With a secret: a connection to which more than this was written has proved the key (the node answers past its greeting only then). */
      provedAfterBytes?: number;
    },
  ) {}

  /** Connections in their handshake now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Admits an accepted connection, closing a less advanced one when the table is full; returns
   * why not when its address is throttled or nothing can make room (the caller closes it).
   */
  admit(socket: Socket, now = performance.now()): HandshakeEntry | Refusal {
    const group = addressGroup(socket.remoteAddress ?? '?');
    const failed = this.failures.get(group);
    if (failed !== undefined) {
      if (now - failed.last > FAILURE_MEMORY_MS) this.failures.delete(group);
      else if (now < failed.until || (this.perGroup.get(group) ?? 0) > 0) return 'throttled';
    }
    const charged = this.entries.size >= this.options.capacity;
    if (charged && !this.takeToken(group, now)) return 'throttled';
    if (charged && !this.evictOne()) return 'full';
    const entry: HandshakeEntry = { socket, group, at: now, secured: false, charged, timer: undefined };
    entry.timer = setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, this.options.firstByteMs);
    entry.timer.unref();
    this.entries.add(entry);
    this.perGroup.set(group, (this.perGroup.get(group) ?? 0) + 1);
    return entry;
  }

  /** The connection proved the secret or finished TLS: it is no longer evicted, and its token is given back. */
  secured(entry: HandshakeEntry): void {
    entry.secured = true;
    const bucket = entry.charged ? this.buckets.get(entry.group) : undefined;
    if (bucket !== undefined) bucket.tokens = Math.min(BURST, bucket.tokens + 1);
  }

  /** The handshake ended (either way). Idempotent. */
  release(entry: HandshakeEntry): void {
    if (!this.entries.delete(entry)) return;
    clearTimeout(entry.timer);
    const n = (this.perGroup.get(entry.group) ?? 1) - 1;
    if (n === 0) this.perGroup.delete(entry.group);
    else this.perGroup.set(entry.group, n);
  }

  /** An authentication from `address` failed: its next connections wait longer. */
  failed(address: string, now = performance.now()): void {
    const group = addressGroup(address);
    const previous = this.failures.get(group);
    const count = previous === undefined || now - previous.last > FAILURE_MEMORY_MS ? 1 : previous.count + 1;
    this.failures.delete(group); // re-inserted last: the map stays ordered by the latest failure
    this.failures.set(group, { count, last: now, until: now + Math.min(MAX_FAILURE_DELAY_MS, FAILURE_DELAY_MS * 2 ** Math.min(count - 1, 30)) });
    if (this.failures.size > MAX_REMEMBERED) this.failures.delete(this.failures.keys().next().value!);
  }

  /** Milliseconds until `address` may connect again (0 when it may now). */
  throttledFor(address: string, now = performance.now()): number {
    const failed = this.failures.get(addressGroup(address));
    return failed === undefined ? 0 : Math.max(0, failed.until - now);
  }

  /**
   * Writes `refusal` (which tells a peer at once why) and closes the connection after one to three
   * HOLD_MS (at once when MAX_HELD are held already).
   */
  refuse(socket: Socket, refusal?: Buffer): void {
    if (refusal !== undefined) socket.write(refusal);
    if (this.held.size >= MAX_HELD) return void socket.destroy();
    this.held.add(socket);
    const close = (): void => {
      this.held.delete(socket);
      socket.destroy();
    };
    socket.once('close', close);
    socket.once('error', close);
    setTimeout(close, HOLD_MS * (1 + 2 * Math.random())).unref();
  }

  /** Returns how many connections were closed to make room since the last call. */
  takeEvicted(): number {
    const n = this.evicted;
    this.evicted = 0;
    return n;
  }

  /** Closes every connection in its handshake, and the refused ones held. */
  closeAll(): void {
    for (const socket of [...this.held]) socket.destroy();
    for (const entry of [...this.entries]) {
      this.release(entry);
      entry.socket.destroy();
    }
  }

  /** Takes one of the group's tokens (refilled at PER_SECOND, up to BURST); false when none is left. */
  private takeToken(group: string, now: number): boolean {
    let bucket = this.buckets.get(group);
    if (bucket === undefined) {
      bucket = { tokens: BURST, at: now };
      if (this.buckets.size >= MAX_REMEMBERED) this.buckets.delete(this.buckets.keys().next().value!);
    } else this.buckets.delete(group); // re-inserted last: the map stays ordered by use
    this.buckets.set(group, bucket);
    bucket.tokens = Math.min(BURST, bucket.tokens + ((now - bucket.at) / 1000) * PER_SECOND);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /**
   * Closes the oldest connection that has not proved itself (one from an address over its share
   * first, among those as old as the newest); false when every one has.
   */
  private evictOne(): boolean {
    let victim: HandshakeEntry | undefined;
    const proved = this.options.provedAfterBytes ?? Infinity;
    for (const entry of this.entries) { // oldest first
      if (entry.secured || entry.socket.bytesWritten > proved) continue;
      if (victim === undefined) victim = entry;
      if ((this.perGroup.get(entry.group) ?? 0) > this.options.perAddress) {
        victim = entry;
        break;
      }
    }
    if (victim === undefined) return false;
    this.release(victim);
    victim.socket.destroy();
    this.evicted++;
    return true;
  }
}

/**
 * The group an address counts in: an IPv4 address itself, the /64 prefix of an IPv6 address.
 * @example
 * ```ts
 * addressGroup('2001:db8::1'); // '2001:db8:0:0::/64'
 * addressGroup('::ffff:10.0.0.5'); // '10.0.0.5'
 * ```
 */
export function addressGroup(address: string): string {
  const a = address.toLowerCase().replace(/%.*$/, '');
  if (a.startsWith('::ffff:') && a.includes('.')) return a.slice(7);
  if (!a.includes(':')) return a;
  const [head, tail] = a.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const words = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${words.slice(0, 4).map((w) => (parseInt(w, 16) || 0).toString(16)).join(':')}::/64`;
}
