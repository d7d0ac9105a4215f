/**
 * Which Network belongs to which scheduler, and the `scheduler.network` and `coro.location`
 * properties that expose it (added to those classes here, so the runtime does not depend on
 * the distribution layer).
 * @module
 */
import { networkInterfaces } from 'node:os';
import { Coro } from '../runtime/Coro.js';
import { Scheduler } from '../runtime/Scheduler.js';
import type { Location } from './Location.js';
import type { Network } from './Network.js';

/** @internal The Network started on each scheduler. */
export const networks = new WeakMap<Scheduler, Network>();

declare module '../runtime/Scheduler.js' {
  interface Scheduler {
    /** The networking started on this scheduler, if any (see Network.start). */
    readonly network: Network | undefined;
  }
}
declare module '../runtime/Coro.js' {
  interface Coro<M, R> {
    /** Where this coroutine's node listens, once networking is started on its scheduler. */
    readonly location: Location | undefined;
  }
}
Object.defineProperty(Scheduler.prototype, 'network', { configurable: true, get(this: Scheduler) { return networks.get(this); } });
Object.defineProperty(Coro.prototype, 'location', { configurable: true, get(this: Coro) { return networks.get(this.scheduler)?.location; } });

/**
 * The address to advertise for a listening host: a wildcard becomes the first external IPv4 address.
 * @example
 * ```ts
 * advertisedHost('0.0.0.0'); // e.g. '10.0.0.5'
 * ```
 */
export function advertisedHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
