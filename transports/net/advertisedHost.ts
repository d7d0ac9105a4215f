/**
 * The host a node advertises to its peers.
 * @module
 */
import { networkInterfaces } from 'node:os';

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
