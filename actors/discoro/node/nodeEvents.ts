/**
 * What happens at a discoronode, as the messages of its one event channel (`DiscoroNode.events`):
 * the node's coroutines publish them, and the status stream to the clients, the PID file, the
 * dashboard's `NodeCluster` and the terminal subscribe. Events about a computation name its id
 * and its client, so that the status stream can tell that client without keeping any state.
 * @module
 */
import type { Location } from '../../../transports/net/Location.js';
import type { JobFailure, NodeAvailability, ServerInfo } from '../protocol.js';
import type { ServicePhase } from './ServiceWindow.js';

/**
 * A client peer as the node knows it: where it listens (where its events go) and its
 * incarnation (what proves a later request comes from the same client process).
 * @example
 * ```ts
 * const client: ClientRef = { location: Location.parse('127.0.0.1:4567'), incarnation: 'n-5f1c' };
 * ```
 */
export interface ClientRef {
  readonly location: Location;
  readonly incarnation: string;
}

/**
 * A computation and its client, for the events that concern every computation.
 * @example
 * ```ts
 * const to: Recipient = { id: 'c-1f2e', client: Location.parse('127.0.0.1:4567') };
 * ```
 */
export interface Recipient {
  readonly id: string;
  readonly client: Location;
}

/**
 * One event of a node.
 * @example
 * ```ts
 * const e: NodeChange = { kind: 'computation-closed', id: 'c-1f2e', client: Location.parse('127.0.0.1:4567'), reason: 'client lost' };
 * ```
 */
export type NodeChange =
  /** A reservation waits for slots, at `position` in the queue (1 first). */
  | { kind: 'computation-waiting'; id: string; client: Location; position: number }
  /** A reservation was dropped from the queue (the client is told `reason`). */
  | { kind: 'waiting-dropped'; id: string; client: Location; reason: string }
  /** Slots granted; `waited` when it had waited in the queue (the client is told then). */
  | { kind: 'computation-granted'; id: string; client: Location; cpus: number; waited: boolean }
  /** A graceful close began: the client places no new jobs there. */
  | { kind: 'computation-closing'; id: string; client: Location; reason: string }
  /** It is gone, its slots free; the client is told `reason` when there is one. */
  | { kind: 'computation-closed'; id: string; client: Location; reason: string | undefined }
  /** A server is ready; a `replacement` of one that was lost is told to the client. */
  | { kind: 'server-up'; id: string; client: Location; server: ServerInfo; replacement: boolean }
  /** A ready server's process ended unexpectedly (the client is told; it is restarted). */
  | { kind: 'server-lost'; id: string; client: Location; server: ServerInfo; reason: string }
  /** The operator held (or released) a server: its client starts no new jobs there. */
  | { kind: 'server-held'; id: string; client: Location; server: string; held: boolean }
  /** A server reported its jobs. */
  | { kind: 'jobs'; id: string; server: string }
  /** Jobs failed on a server (they threw, or were lost with it); `dropped` more were not listed. */
  | { kind: 'jobs-failed'; id: string; name: string; client: Location; server: string; failures: readonly JobFailure[]; dropped: number }
  /** A server or spare process was forked or ended. */
  | { kind: 'processes' }
  /** The node was enabled or disabled by its operator. */
  | { kind: 'node-enabled'; enabled: boolean; to: readonly Recipient[] }
  /** Its service window changed phase (`status` in words). */
  | { kind: 'service'; phase: ServicePhase; status: string; to: readonly Recipient[] }
  /** Its resources, measured every pulse interval. */
  | { kind: 'avail'; avail: NodeAvailability; to: readonly Recipient[] }
  /** It stops: it takes no new computations. */
  | { kind: 'stopping' };
