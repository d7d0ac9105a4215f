/**
 * Where discovery pings go by default for the addresses a node listens on: the broadcast address
 * of each one's interface (so that every network it listens on hears it), 127.255.255.255 for
 * loopback, 255.255.255.255 for a wildcard or an address of no known interface. IPv6 has no
 * broadcast (use multicast or unicast targets there).
 * @module
 */
import { networkInterfaces } from 'node:os';
import { Location } from './Location.js';
import { isLoopback } from './peerOptions.js';

function toInt(ip: string): number {
  return ip.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0);
}

function fromInt(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

/**
 * The default discovery targets for `hosts` at UDP `port`, without duplicates.
 * @example
 * ```ts
 * broadcastTargets(['127.0.0.1'], 51350); // [127.255.255.255:51350]
 * ```
 */
export function broadcastTargets(hosts: readonly string[], port: number): Location[] {
  const interfaces = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const out = new Map<string, Location>();
  for (const host of hosts) {
    let target: string | undefined;
    if (isLoopback(host)) target = '127.255.255.255';
    else if (host.includes(':') && host !== '::') target = undefined; // IPv6: no broadcast
    else {
      const nic = interfaces.find((a) => a.family === 'IPv4' && a.address === host);
      target = nic === undefined ? '255.255.255.255' : fromInt((toInt(nic.address) & toInt(nic.netmask)) | (~toInt(nic.netmask) >>> 0));
    }
    if (target !== undefined) out.set(target, new Location(target, port));
  }
  return [...out.values()];
}
