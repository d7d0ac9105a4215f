/**
 * Peers spread through seeds: when a peer comes online, this node tells it where the other peers
 * it knows listen (`peers [[host, port], ...]`, one-way), and connects to the ones it is told
 * of. One seed is then enough for a node (or a client) to join a full mesh where broadcast does
 * not reach (other subnets, clouds, Kubernetes). Only authenticated peers are heard; lists are
 * bounded and every entry is validated. Nodes that do not listen (port 0: worker threads reached
 * only through their owner) are never told of, nor are a process's threads told of one another.
 * @module
 */
import { Location } from './Location.js';
import type { NetworkLayer, PeerNetwork } from './PeerNetwork.js';
import type { PeerStatus } from './PeerStatus.js';

/** Most locations one `peers` message may carry; the rest are ignored. */
export const MAX_PEER_LIST = 1024;

function install(net: PeerNetwork): void {
  if (!net.options.meshPeers) return;
  net.handle('peers', (body) => {
    if (!Array.isArray(body)) return;
    for (const entry of body.slice(0, MAX_PEER_LIST)) {
      if (!Array.isArray(entry) || entry.length !== 2) continue;
      let location: Location;
      try {
        location = new Location(entry[0] as string, entry[1] as number);
      } catch {
        continue;
      }
      if (!location.equals(net.location)) net.route(location); // connects unless known or failing recently
    }
  });
  net.peerStatus({
    send(status: unknown): boolean {
      const s = status as PeerStatus;
      if (s.status !== 'online') return true;
      // Nodes at port 0 listen nowhere; the threads of this process are linked to one another by their owner.
      const toThread = net.peerByIncarnation(s.incarnation)?.connection?.inProcess === true;
      const others = net.onlinePeers().filter((p) => p.incarnation !== s.incarnation && p.location.port !== 0 && !(toThread && p.connection?.inProcess === true)).slice(0, MAX_PEER_LIST);
      if (others.length > 0) net.post(s.location, 'peers', others.map((p) => [p.location.host, p.location.port]));
      return !net.isStopped;
    },
  });
}

/**
 * The layer that spreads peers (installed by `Network.start`; off with `meshPeers: false`).
 * @example
 * ```ts
 * const layers = [FILE_TRANSFER_LAYER, PEER_EXCHANGE_LAYER, CORO_LAYER];
 * ```
 */
export const PEER_EXCHANGE_LAYER: NetworkLayer = { install };
