/**
 * How a node takes part in the network's connections (Erlang's `connect_all` and hidden nodes,
 * made explicit). Each node says its peering in its handshake (and a hub in its discovery
 * pings), so that every peer applies the same rules:
 *
 * | peering | others tell of it | it tells newcomers of its peers | it dials what it is told of | it dials a pinger |
 * |---|---|---|---|---|
 * | `mesh` (default) | yes | yes (to newcomers that follow) | yes | any but a hidden one |
 * | `leaf` | yes | no | no | any but a hidden one |
 * | `hub` | yes, and to followers as soon as it comes online | yes | no | a mesh or leaf one |
 * | `hidden` | never | no | no | none |
 *
 * - **mesh**: one seed joins a full mesh (every node dials every node it hears of).
 * - **leaf**: keeps the connections it makes or accepts (a client that uses the nodes it names).
 * - **hub**: a directory without a mesh: it tells newcomers where the others listen, and tells the
 *   mesh nodes it knows of a hub that joins it, but dials only its seeds (a discoronode: nodes
 *   need not know each other; one that others name as their seed knows them all).
 * - **hidden**: known only to whom it dials and who dials it (a discoro server process): nobody
 *   spreads it, and the locates it asks of a non-hidden peer are relayed one hop further by that
 *   peer (its client and the client's servers, its node...), since it knows so few.
 * A node at protocol 2.0 says nothing: it is a mesh node (as it behaves).
 * @module
 */

/**
 * A node's part in the network's connections (see the module).
 * @example
 * ```ts
 * const serverPeering: Peering = 'hidden';
 * ```
 */
export type Peering = 'mesh' | 'leaf' | 'hub' | 'hidden';

/** The peerings, in the order of their byte on the wire. */
export const PEERINGS: readonly Peering[] = ['mesh', 'leaf', 'hub', 'hidden'];

/**
 * The byte a peering travels as (in the handshake and a hub's ping).
 * @example
 * ```ts
 * peeringCode('hub'); // 2
 * ```
 */
export function peeringCode(peering: Peering): number {
  return PEERINGS.indexOf(peering);
}

/**
 * The peering a byte stands for; undefined for an unknown one (a malformed frame).
 * @example
 * ```ts
 * peeringOf(3); // 'hidden'
 * ```
 */
export function peeringOf(code: number): Peering | undefined {
  return PEERINGS[code];
}

/**
 * True when others may tell of a node of this peering.
 * @example
 * ```ts
 * isListed('hidden'); // false
 * ```
 */
export function isListed(peering: Peering): boolean {
  return peering !== 'hidden';
}

/**
 * True when a node of this peering dials the peers it is told of (so it is worth telling).
 * @example
 * ```ts
 * follows('mesh'); // true
 * ```
 */
export function follows(peering: Peering): boolean {
  return peering === 'mesh';
}

/**
 * True when a node of this peering tells newcomers of its peers.
 * @example
 * ```ts
 * shares('hub'); // true
 * ```
 */
export function shares(peering: Peering): boolean {
  return peering === 'mesh' || peering === 'hub';
}

/**
 * True when a node of peering `self` dials a node of peering `pinger` whose discovery ping it heard.
 * @example
 * ```ts
 * dialsPinger('hub', 'hub'); // false: discoronodes do not connect to one another by broadcast
 * ```
 */
export function dialsPinger(self: Peering, pinger: Peering): boolean {
  if (self === 'hidden' || pinger === 'hidden') return false;
  return self !== 'hub' || pinger === 'mesh' || pinger === 'leaf';
}
