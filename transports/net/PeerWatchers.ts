/**
 * Who hears of peers coming and going on a peer network: the subscribers to PeerStatus
 * messages (`net.peerStatus(target)`) and the waits for a peer by name (`net.locatePeer`).
 * @module
 */
import type { MonitorTarget } from '../../runtime/coroTypes.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import type { Location } from './Location.js';
import type { Peer } from './Peer.js';
import { PeerStatus } from './PeerStatus.js';

/**
 * The peer status subscribers and name waits of one network.
 * @example
 * ```ts
 * const watchers = new PeerWatchers(sched);
 * const stop = watchers.subscribe(watcher, []); // watcher receives PeerStatus messages
 * stop();
 * ```
 */
export class PeerWatchers {
  private readonly listeners = new Set<(status: PeerStatus) => void>();
  private readonly byName = new Map<string, WaiterQueue>();

  constructor(private readonly scheduler: Scheduler) {}

  /** Sends `target` Online for each of `current`, then every change; returns the unsubscribe (so does the target ending). */
  subscribe(target: MonitorTarget, current: readonly Peer[]): () => void {
    if (target === null || typeof target !== 'object' || typeof target.send !== 'function') {
      throw new InvalidArgumentError('peerStatus needs a coroutine (or anything with send)');
    }
    const alive = target as { readonly isAlive?: boolean };
    const listener = (status: PeerStatus): void => {
      // A coroutine that ended is dropped before a send: the subscription ends with it, without
      // a dead letter (as a stop's goodbyes would otherwise make for a subscriber ended just before).
      if (alive.isAlive === false || !target.send(status)) this.listeners.delete(listener);
    };
    for (const peer of current) target.send(new PeerStatus(peer.location, peer.name, 'online', peer.incarnation));
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the location of the peer named `name` once it comes online; undefined after `timeout` ms. */
  waitForName(name: string, timeout: number, signal: AbortSignal | undefined): Promise<Location | undefined> {
    const wait = new Wait<Location | undefined>(this.scheduler, undefined, WaitKind.Other);
    let queue = this.byName.get(name);
    if (queue === undefined) this.byName.set(name, (queue = new WaiterQueue()));
    queue.push(wait);
    wait.onCancel = () => {
      if (queue!.length === 0 && this.byName.get(name) === queue) this.byName.delete(name);
    };
    return wait.start(timeout, signal);
  }

  /** A peer was authenticated: subscribers hear Online, its name waiters wake. */
  online(peer: Peer): void {
    this.emit(new PeerStatus(peer.location, peer.name, 'online', peer.incarnation));
    const waiting = this.byName.get(peer.name);
    if (waiting === undefined) return;
    this.byName.delete(peer.name);
    for (const w of waiting.drain()) w.wake(peer.location);
  }

  /** An online peer was lost: subscribers hear Offline. */
  offline(peer: Peer): void {
    this.emit(new PeerStatus(peer.location, peer.name, 'offline', peer.incarnation));
  }

  /** Networking stopped: every name wait ends with undefined. */
  stop(): void {
    for (const queue of this.byName.values()) for (const w of queue.drain()) w.wake(undefined);
    this.byName.clear();
  }

  private emit(status: PeerStatus): void {
    for (const listener of [...this.listeners]) listener(status);
  }
}
