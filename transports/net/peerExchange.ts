/**
 * Peers spread through seeds, by the rules of each node's peering (peering.ts): when a peer that
 * follows (a mesh node) comes online, a node that shares (mesh or hub) tells it where its other
 * listed peers listen (`peers [[host, port], ...]`, one-way), and a mesh node connects to the
 * ones it is told of. When a hub comes online, the nodes that share tell their followers of it at
 * once (a hub dials nobody it is told of, so they must come to it). One seed is then enough for a
 * mesh node (or a discovering client) to find every node where broadcast does not reach (other
 * subnets, clouds, Kubernetes), and hubs and hidden nodes stay out of the mesh. Only authenticated
 * peers are heard; lists are bounded and every entry is validated. Hidden nodes are never told of,
 * nor are nodes that do not listen (port 0: worker threads reached only through their owner), nor
 * are a process's threads told of one another.
 * @module
 */
import { Location } from './Location.js';
import type { Peer } from './Peer.js';
import type { NetworkLayer, PeerNetwork } from './PeerNetwork.js';
import type { PeerStatus } from './PeerStatus.js';
import { follows, isListed, shares } from './peering.js';

/** Most locations one `peers` message may carry; the rest are ignored. */
export const MAX_PEER_LIST = 1024;

function install(net: PeerNetwork): void {
  const self = net.options.peering;
  if (follows(self)) {
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
        if (!location.equals(net.location)) net.links.heardOf(location); // connects unless known or failing recently
      }
    });
  }
  if (!shares(self)) return;
  net.peerStatus({
    send(status: unknown): boolean {
      const s = status as PeerStatus;
      const peer = s.status === 'online' ? net.peerByIncarnation(s.incarnation) : undefined;
      if (peer !== undefined) {
        if (follows(peer.peering)) tellOthers(net, peer);
        if (peer.peering === 'hub' && peer.location.port !== 0) tellFollowers(net, peer);
      }
      return !net.isStopped;
    },
  });
}

/** Tells `peer` (a follower) where the other listed peers listen. */
function tellOthers(net: PeerNetwork, peer: Peer): void {
  // Nodes at port 0 listen nowhere; the threads of this process are linked to one another by their owner.
  const toThread = peer.connection?.inProcess === true;
  const others = net.onlinePeers().filter((p) => p !== peer && isListed(p.peering) && p.location.port !== 0 && !(toThread && p.connection?.inProcess === true)).slice(0, MAX_PEER_LIST);
  if (others.length > 0) peer.post('peers', others.map((p) => [p.location.host, p.location.port]));
}

/** Tells every follower (but the hub itself) where the hub that came online listens. */
function tellFollowers(net: PeerNetwork, hub: Peer): void {
  const entry = [[hub.location.host, hub.location.port]];
  for (const p of net.onlinePeers()) if (p !== hub && follows(p.peering)) p.post('peers', entry);
}

/**
 * The layer that spreads peers (installed by `Network.start`; what it does depends on the
 * network's `peering`).
 * @example
 * ```ts
 * const layers = [FILE_TRANSFER_LAYER, PEER_EXCHANGE_LAYER, CORO_LAYER];
 * ```
 */
export const PEER_EXCHANGE_LAYER: NetworkLayer = { install };
