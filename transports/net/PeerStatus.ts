/**
 * The message a peer-status subscriber receives when a peer comes online or goes offline.
 * @module
 */
import type { Location } from './Location.js';

/**
 * A peer came online (authenticated) or went offline (stopped, died, missed heartbeats).
 *
 * @example
 * ```ts
 * net.peerStatus(watcher);
 * const s = await watcher.receive();
 * if (s instanceof PeerStatus && s.status === 'offline') log(`${s.name} at ${s.location} left`);
 * ```
 */
export class PeerStatus {
  constructor(
    readonly location: Location,
    readonly name: string,
    readonly status: 'online' | 'offline',
    /** The peer's incarnation: a node that restarts at the same location comes back with a new one. */
    readonly incarnation: string,
  ) {}

  toString(): string {
    return `PeerStatus(${this.name}@${this.location} ${this.status})`;
  }
}
