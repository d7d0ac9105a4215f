/**
 * Where a node's discovery pings go by default: the broadcast addresses of the subnets it
 * listens on. The limited broadcast 255.255.255.255 alone is not enough: Linux routes it like
 * any address, so a host without a default route (a network namespace, an isolated lab
 * network) refuses it (ENETUNREACH), and a host with one sends it out of the default
 * interface only. A directed broadcast (192.0.2.255 for 192.0.2.11/24) leaves by its subnet's
 * interface on every host.
 * @module
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { Location } from './Location.js';
import { isLoopback } from './peerOptions.js';

/**
 * The interfaces as `os.networkInterfaces()` lists them.
 * @example
 * ```ts
 * const lab: InterfaceList = { eth0: [{ address: '192.0.2.11', netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: '192.0.2.11/24' }] };
 * broadcastAddresses('192.0.2.11', lab); // ['192.0.2.255']
 * ```
 */
export type InterfaceList = NodeJS.Dict<NetworkInterfaceInfo[]>;

const LIMITED_BROADCAST = '255.255.255.255';
const LOOPBACK_BROADCAST = '127.255.255.255';

function toInt(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function toAddress(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * The directed broadcast address of an IPv4 interface address; undefined for other families and
 * for /31 and /32 networks, which have none.
 * @example
 * ```ts
 * directedBroadcast('192.0.2.11', '255.255.255.0'); // '192.0.2.255'
 * ```
 */
export function directedBroadcast(address: string, netmask: string): string | undefined {
  const a = toInt(address);
  const m = toInt(netmask);
  if (a === undefined || m === undefined) return undefined;
  if ((~m >>> 0) < 3) return undefined; // /31, /32: no broadcast address
  return toAddress((a | ~m) >>> 0);
}

/**
 * The broadcast addresses for a node listening on `host`: 127.255.255.255 on loopback; the
 * directed broadcast of the subnet that holds `host` when it is an address of this host; else
 * (a wildcard, a host name) 255.255.255.255 and the directed broadcast of every external IPv4
 * interface.
 * @example
 * ```ts
 * broadcastAddresses('192.0.2.11'); // ['192.0.2.255'] where 192.0.2.11/24 is on an interface
 * broadcastAddresses('0.0.0.0');    // ['255.255.255.255', '10.0.0.255', ...]
 * ```
 */
export function broadcastAddresses(host: string, interfaces: InterfaceList = networkInterfaces()): string[] {
  if (isLoopback(host)) return [LOOPBACK_BROADCAST];
  const external = Object.values(interfaces).flatMap((list) => list ?? []).filter((a) => a.family === 'IPv4' && !a.internal);
  const own = external.filter((a) => a.address === host);
  const directed = (own.length > 0 ? own : external).map((a) => directedBroadcast(a.address, a.netmask)).filter((b) => b !== undefined);
  return [...new Set(own.length > 0 && directed.length > 0 ? directed : [LIMITED_BROADCAST, ...directed])];
}

/**
 * The default discovery targets of a node listening on `hosts` at UDP `port`: the broadcast
 * addresses of each host (none for IPv6, which has no broadcast), without duplicates.
 * @example
 * ```ts
 * broadcastTargets(['127.0.0.1', '::1'], 51350); // [127.255.255.255:51350]
 * ```
 */
export function broadcastTargets(hosts: readonly string[], port: number, interfaces: InterfaceList = networkInterfaces()): Location[] {
  const out = new Map<string, Location>();
  for (const host of hosts) {
    if (host.includes(':') && host !== '::') continue;
    for (const b of broadcastAddresses(host === '::' ? '0.0.0.0' : host, interfaces)) out.set(b, new Location(b, port));
  }
  return [...out.values()];
}
