/**
 * Seeds by name: a seed whose host is a DNS name is dialled at every address the name resolves
 * to (a Kubernetes headless service names one address per pod), and resolved again from time to
 * time, so that the nodes that join behind the name are found. Addresses are dialled as they are.
 * @module
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Location } from './Location.js';

/**
 * Resolves a host name to all its addresses.
 * @example
 * ```ts
 * const resolve: HostLookup = async (host) => (host === 'nodes.svc' ? ['10.0.0.5', '10.0.0.6'] : []);
 * ```
 */
export type HostLookup = (host: string) => Promise<string[]>;

/**
 * Every address of `host` (IPv4 and IPv6), through the system resolver (`dns.lookup`, so
 * /etc/hosts counts).
 * @example
 * ```ts
 * log(await lookupAll('localhost')); // e.g. ['127.0.0.1', '::1']
 * ```
 */
export const lookupAll: HostLookup = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/** Resolve the names again this often (ms). */
export const SEED_REFRESH_MS = 30_000;

/**
 * The seeds of one network, with their names resolved.
 * @example
 * ```ts
 * const seeds = new SeedAddresses([Location.parse('nodes.svc:9706')], lookupAll);
 * for (const seed of await seeds.refresh()) log(String(seed)); // one per address
 * ```
 */
export class SeedAddresses {
  /** What to dial now: the resolved addresses (a name whose lookup failed stays as it is). */
  current: Location[];
  private last = -Infinity;
  private refreshing: Promise<Location[]> | undefined;

  constructor(
    private readonly seeds: readonly Location[],
    private readonly resolve: HostLookup,
  ) {
    this.current = [...seeds];
  }

  /** True when some seed is a name (so there is something to resolve). */
  get hasNames(): boolean {
    return this.seeds.some((s) => isIP(s.host) === 0);
  }

  /** Resolves the names now (a lookup in progress is shared); resolves with `current`. */
  refresh(now = performance.now()): Promise<Location[]> {
    this.last = now;
    this.refreshing ??= (async () => {
      const lists = await Promise.all(this.seeds.map(async (seed) => {
        if (isIP(seed.host) !== 0) return [seed];
        const addresses = await this.resolve(seed.host).catch(() => [] as string[]);
        return addresses.length === 0 ? [seed] : addresses.map((a) => new Location(a, seed.port));
      }));
      this.current = [...new Map(lists.flat().map((l) => [String(l), l])).values()];
      this.refreshing = undefined;
      return this.current;
    })();
    return this.refreshing;
  }

  /** Starts a refresh when names are due to be resolved again (`now` as performance.now()); true when it did. */
  refreshIfDue(now: number): boolean {
    if (!this.hasNames || this.refreshing !== undefined || now - this.last < SEED_REFRESH_MS) return false;
    void this.refresh(now);
    return true;
  }
}
