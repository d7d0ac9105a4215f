/**
 * Finding a registered coroutine across the network: the local registry first, then one given
 * location, or every peer (the first answer wins; peers that come online while the call waits
 * are asked too). Always bounded by the caller's timeout; undefined when nothing answers in time.
 * @module
 */
import { RemoteCoro } from '../actors/RemoteCoro.js';
import { Coro } from '../runtime/Coro.js';
import { checkName, checkWaitOptions, type WaitOptions } from '../runtime/options.js';
import { Wait, WaitKind } from '../runtime/Wait.js';
import { Location } from './Location.js';
import type { Network } from './Network.js';
import { PeerUnreachableError } from './netErrors.js';
import type { Peer } from './Peer.js';
import { MAX_REMOTE_LOCATE_WAIT } from './PeerRequests.js';

/** Options of a network-wide locate. */
export interface LocateOptions extends WaitOptions {
  /** Ask only the node at this location. */
  location?: Location | string;
}

interface Entry {
  name: string;
  location: Location | undefined;
  wait: Wait<Coro<any, any> | RemoteCoro | undefined>;
  deadline: number;
}

/**
 * The pending network locates of one Network.
 * @example
 * ```ts
 * const found = await locator.locate('server_coro', { timeout: 5000 });
 * ```
 */
export class PeerLocator {
  private readonly pending = new Set<Entry>();

  constructor(private readonly net: Network) {}

  /**
   * Finds `name`, waiting up to `timeout` ms (forever when omitted, like Scheduler.locateCoro; 0 looks only here).
   * Throws PeerUnreachableError/PeerLostError only when a specific `location` cannot be asked.
   */
  locate(name: string, options?: LocateOptions): Promise<Coro<any, any> | RemoteCoro | undefined> {
    checkName(name, 'name');
    const opts = options ?? {};
    const timeout = checkWaitOptions(opts);
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    const location = opts.location === undefined ? undefined : Location.parse(opts.location);
    const sched = this.net.scheduler;
    const atHome = location === undefined || location.equals(this.net.location);
    if (location !== undefined && atHome) return sched.locateIn(sched.coroNames, name, opts);
    const local = atHome ? sched.coroNames.get(name) : undefined;
    if (local !== undefined || timeout === 0) return Promise.resolve(local);
    const wait = new Wait<Coro<any, any> | RemoteCoro | undefined>(sched, undefined, WaitKind.Other);
    const entry: Entry = { name, location, wait, deadline: performance.now() + timeout };
    if (location === undefined) sched.coroNames.waitFor(name, wait as Wait<Coro<any, any> | undefined>);
    const registryCancel = wait.onCancel;
    wait.onCancel = (w) => {
      registryCancel?.(w);
      this.pending.delete(entry);
    };
    const promise = wait.start(timeout, opts.signal);
    if (wait.settled) return promise;
    this.pending.add(entry);
    void promise.then(() => this.pending.delete(entry), () => {});
    if (location !== undefined) {
      const peer = this.net.route(location);
      if (peer === undefined) wait.fail(new PeerUnreachableError(`${location} cannot be reached`));
      else this.ask(peer, entry);
    } else for (const peer of this.net.onlinePeers()) this.ask(peer, entry);
    return promise;
  }

  /** A peer came online: ask it for every pending network-wide locate. */
  peerOnline(peer: Peer): void {
    for (const entry of this.pending) if (entry.location === undefined && !entry.wait.settled) this.ask(peer, entry);
  }

  /** Ends every pending locate with undefined. */
  stop(): void {
    for (const entry of [...this.pending]) this.settle(entry, undefined);
  }

  private ask(peer: Peer, entry: Entry): void {
    const remaining = entry.deadline - performance.now();
    if (remaining <= 0) return;
    const waitMs = Math.min(remaining, MAX_REMOTE_LOCATE_WAIT);
    peer.request('locate', [entry.name, Math.floor(waitMs)], { timeout: waitMs + this.net.requestTimeout, alarm: null }).then(
      (found) => {
        if (entry.wait.settled) return;
        if (found instanceof RemoteCoro || found instanceof Coro) this.settle(entry, found);
        else if (remaining > MAX_REMOTE_LOCATE_WAIT && peer.isOnline) this.ask(peer, entry);
      },
      (err) => {
        // A specific location that fails is the caller's error; one peer of many failing is not.
        if (entry.location !== undefined) entry.wait.fail(err);
      },
    );
  }

  private settle(entry: Entry, value: Coro<any, any> | RemoteCoro | undefined): void {
    this.pending.delete(entry);
    const wait = entry.wait;
    if (wait.settled) return;
    const cancel = wait.onCancel;
    wait.queue?.remove(wait);
    cancel?.(wait);
    wait.wake(value);
  }
}
