/**
 * Finding a registered coroutine (or another registered kind: RCI, channel) across the network:
 * the local registry first, then one given location, or every peer (the first answer wins; peers
 * that come online while the call waits are asked too). Always bounded by the caller's timeout;
 * undefined when nothing answers in time. A hidden node (peering.ts) knows only the few peers it
 * dialled or that dialled it, so a node that is not hidden answers its network-wide locate by
 * asking its own other peers too (one hop: what it asks comes from a node that is not hidden,
 * and is not relayed again).
 * @module
 */
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { checkName, checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import type { Registry } from '../../runtime/Registry.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import type { NodeAddress } from '../../runtime/networkPort.js';
import { Location } from './Location.js';
import { PeerUnreachableError } from './netErrors.js';
import type { Peer } from './Peer.js';
import type { Peering } from './peering.js';

/**
 * What a locator needs of its network.
 * @example
 * ```ts
 * const locator = new PeerLocator(net); // a PeerNetwork is a LocatorHost
 * ```
 */
export interface LocatorHost {
  readonly scheduler: Scheduler;
  readonly location: Location;
  readonly requestTimeout: number;
  readonly options: { readonly peering: Peering };
  readonly locator: PeerLocator;
  route(location: Location): Peer | undefined;
  onlinePeers(): Peer[];
  peerByIncarnation(incarnation: string): Peer | undefined;
  handle(type: string, handler: (body: unknown, peer: Peer) => unknown): () => void;
}

/** A remote locate waits at most this long per ask (it is asked again while the caller waits). */
export const MAX_REMOTE_LOCATE_WAIT = 30_000;

/** Options of a network-wide locate. */
export interface LocateOptions extends WaitOptions {
  /** Ask only the node at this location. */
  location?: NodeAddress | string;
}

/**
 * What a locate looks for: the registry searched (and waited on) at each node, the request type
 * peers answer (body `[name, waitMs, locateId]`, reply a reference or null; `<request>:cancel
 * [locateId]` ends the wait there), which answers count, and optionally how to learn that a
 * found object has ended (its cached location is then forgotten).
 * @example
 * ```ts
 * const COROS: LocateKind = { request: 'locate', registry: (sched) => sched.coroNames, isFound: (v) => v instanceof RemoteCoro || v instanceof Coro };
 * ```
 */
export interface LocateKind {
  readonly request: string;
  registry(scheduler: Scheduler): Registry<any>;
  isFound(value: unknown): boolean;
  watchEnd?(found: unknown, ended: () => void): void;
  /** True when a cached found object is known to be gone (the cache then asks again). */
  gone?(found: unknown): boolean;
}

/**
 * Serves `kind.request` on `net`: looks the name up in this node's registry, waiting up to the
 * asked time (at most MAX_REMOTE_LOCATE_WAIT); replies with the object or null.
 * @example
 * ```ts
 * serveLocate(net, CHANNEL_LOCATE);
 * ```
 */
export function serveLocate(net: LocatorHost, kind: LocateKind): () => void {
  const sched = net.scheduler;
  /** Locates waiting here, by asking peer and locate id, so that the asker can end them. */
  const waiting = new Map<string, AbortController>();
  const dropLocate = net.handle(kind.request, async (body, peer) => {
    if (!Array.isArray(body) || body.length !== 3 || typeof body[0] !== 'string' || body[0].length === 0 || typeof body[1] !== 'number' || typeof body[2] !== 'number') {
      throw new InvalidArgumentError('malformed locate request');
    }
    const wait = Math.max(0, Math.min(body[1], MAX_REMOTE_LOCATE_WAIT));
    const key = `${peer.incarnation}:${body[2]}`;
    const cancel = new AbortController();
    waiting.set(key, cancel);
    try {
      const options = { timeout: wait, signal: cancel.signal };
      const relay = peer.peering === 'hidden' && net.options.peering !== 'hidden';
      return (await (relay ? net.locator.locate(body[0], options, kind, peer) : sched.locateIn(kind.registry(sched), body[0], options))) ?? null;
    } catch (err) {
      if (cancel.signal.aborted) return null; // the asker has its answer: nobody reads this one
      throw err;
    } finally {
      waiting.delete(key);
    }
  });
  const dropCancel = net.handle(`${kind.request}:cancel`, (body, peer) => {
    if (!Array.isArray(body) || body.length !== 1 || typeof body[0] !== 'number') throw new InvalidArgumentError('malformed locate cancel');
    waiting.get(`${peer.incarnation}:${body[0]}`)?.abort();
  });
  return () => {
    dropLocate();
    dropCancel();
  };
}

/** A located remote object: where it lives. */
interface Placed {
  readonly location: Location;
  readonly incarnation: string;
}

function isPlaced(value: unknown): value is Placed {
  return value !== null && typeof value === 'object' && (value as Placed).location instanceof Location && typeof (value as Placed).incarnation === 'string';
}

interface Entry {
  name: string;
  kind: LocateKind;
  location: Location | undefined;
  wait: Wait<unknown>;
  /** Peers asked and not answered yet, with the locate id they were asked under. */
  asked: Map<Peer, number>;
  deadline: number;
  /** The peer whose locate this one relays: not asked back. */
  except: Peer | undefined;
}

/**
 * The pending network locates of one Network.
 * @example
 * ```ts
 * const found = await locator.locate('server_coro', { timeout: 5000 }, CORO_LOCATE);
 * ```
 */
export class PeerLocator {
  private readonly pending = new Set<Entry>();
  /** Names found at other nodes, per kind: kept until their node goes away or the object ends. */
  private readonly found = new Map<LocateKind, Map<string, Placed>>();
  private nextLocateId = 1;

  constructor(private readonly net: LocatorHost) {}

  /**
   * Finds `name`, waiting up to `timeout` ms (forever when omitted, like Scheduler.locateCoro; 0 looks only here).
   * Throws PeerUnreachableError/PeerLostError only when a specific `location` cannot be asked.
   * `kind` says what to look for; `except` is not asked (the peer whose locate this relays).
   */
  locate(name: string, options: LocateOptions | undefined, kind: LocateKind, except?: Peer): Promise<unknown> {
    checkName(name, 'name');
    const opts = options ?? {};
    const timeout = checkWaitOptions(opts);
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    const location = opts.location === undefined ? undefined : Location.parse(opts.location);
    const sched = this.net.scheduler;
    const atHome = location === undefined || location.equals(this.net.location);
    const registry = kind.registry(sched);
    if (location !== undefined && atHome) return sched.locateIn(registry, name, opts);
    const local = atHome ? registry.get(name) : undefined;
    if (local !== undefined) return Promise.resolve(local);
    const cached = this.cached(kind, name, location);
    if (cached !== undefined || timeout === 0) return Promise.resolve(cached);
    const wait = new Wait<unknown>(sched, undefined, WaitKind.Other);
    const entry: Entry = { name, kind, location, wait, asked: new Map(), deadline: performance.now() + timeout, except };
    if (location === undefined) registry.waitFor(name, wait as Wait<object | undefined>);
    const registryCancel = wait.onCancel;
    wait.onCancel = (w) => {
      registryCancel?.(w);
      this.pending.delete(entry);
    };
    const promise = wait.start(timeout, opts.signal);
    if (wait.settled) return promise;
    this.pending.add(entry);
    const done = (): void => this.finished(entry);
    void promise.then(done, done);
    if (timeout === Infinity) sched.holdUntil(promise); // no deadline: held while it waits, as a pending socket
    if (location !== undefined) {
      const peer = this.net.route(location);
      if (peer === undefined) wait.fail(new PeerUnreachableError(`${location} cannot be reached`));
      else this.ask(peer, entry);
    } else for (const peer of this.net.onlinePeers()) if (peer !== except) this.ask(peer, entry);
    return promise;
  }

  /** A peer came online: ask it for every pending network-wide locate. */
  peerOnline(peer: Peer): void {
    for (const entry of this.pending) if (entry.location === undefined && !entry.wait.settled && peer !== entry.except) this.ask(peer, entry);
  }

  /** Ends every pending locate with undefined. */
  stop(): void {
    for (const entry of [...this.pending]) this.settle(entry, undefined);
  }

  /** A located remote object still known to be there: its node is online in the same incarnation. */
  private cached(kind: LocateKind, name: string, location: Location | undefined): Placed | undefined {
    const byName = this.found.get(kind);
    const placed = byName?.get(name);
    if (placed === undefined) return undefined;
    if (this.net.peerByIncarnation(placed.incarnation) === undefined || kind.gone?.(placed) === true) {
      byName!.delete(name);
      return undefined;
    }
    return location === undefined || placed.location.equals(location) ? placed : undefined;
  }

  private remember(kind: LocateKind, name: string, value: unknown): void {
    if (!isPlaced(value)) return;
    let byName = this.found.get(kind);
    if (byName === undefined) this.found.set(kind, (byName = new Map()));
    byName.set(name, value);
    kind.watchEnd?.(value, () => {
      if (byName!.get(name) === value) byName!.delete(name);
    });
  }

  /** The locate has its answer (or gave up): the peers still looking are told to stop. */
  private finished(entry: Entry): void {
    this.pending.delete(entry);
    for (const [peer, id] of entry.asked) if (peer.isOnline) peer.post(`${entry.kind.request}:cancel`, [id]);
    entry.asked.clear();
  }

  private ask(peer: Peer, entry: Entry): void {
    const remaining = entry.deadline - performance.now();
    if (remaining <= 0) return;
    const waitMs = Math.min(remaining, MAX_REMOTE_LOCATE_WAIT);
    const id = this.nextLocateId++;
    entry.asked.set(peer, id);
    peer.request(entry.kind.request, [entry.name, Math.floor(waitMs), id], { timeout: waitMs + this.net.requestTimeout, alarm: null }).then(
      (found) => {
        if (entry.asked.get(peer) === id) entry.asked.delete(peer);
        if (entry.wait.settled) return;
        if (entry.kind.isFound(found)) {
          this.remember(entry.kind, entry.name, found);
          this.settle(entry, found);
        } else if (remaining > MAX_REMOTE_LOCATE_WAIT && peer.isOnline) this.ask(peer, entry);
      },
      (err) => {
        if (entry.asked.get(peer) === id) entry.asked.delete(peer);
        // A specific location that fails is the caller's error; one peer of many failing is not.
        if (entry.location !== undefined) entry.wait.fail(err);
      },
    );
  }

  private settle(entry: Entry, value: unknown): void {
    this.pending.delete(entry);
    const wait = entry.wait;
    if (wait.settled) return;
    const cancel = wait.onCancel;
    wait.queue?.remove(wait);
    cancel?.(wait);
    wait.wake(value);
  }
}
