/**
 * The status stream from a discoronode to its clients: a coroutine (`client-status`) subscribed
 * to the node's event channel that posts each event concerning a computation to its client, as
 * the protocol's `NodeEvent`s, in the order they happened. It keeps no state: the events name
 * their computations and clients.
 * @module
 */
import type { Coro } from '../../../runtime/Coro.js';
import type { Location } from '../../../transports/net/Location.js';
import type { Channel } from '../../Channel.js';
import { CLIENT_EVENT, type NodeEvent } from '../protocol.js';
import type { NodeChange } from './nodeEvents.js';
import { Flush } from './nodeMessages.js';

/**
 * Where the events go: the network's one-way post.
 * @example
 * ```ts
 * const poster: ClientPoster = { post: (to, type, body) => net.post(to, type, body) };
 * ```
 */
export interface ClientPoster {
  post(to: Location, type: string, body: unknown): unknown;
}

/**
 * What each event tells which client: `[client, computation id, event]` triples.
 * @example
 * ```ts
 * for (const [client, id, event] of clientEvents(change)) net.post(client, CLIENT_EVENT, [id, event]);
 * ```
 */
export function clientEvents(e: NodeChange): Array<[Location, string, NodeEvent]> {
  switch (e.kind) {
    case 'computation-granted':
      return e.waited ? [[e.client, e.id, { kind: 'granted', cpus: e.cpus }]] : [];
    case 'waiting-dropped':
      return [[e.client, e.id, { kind: 'closed', reason: e.reason }]];
    case 'computation-closing':
      return [[e.client, e.id, { kind: 'closing', reason: e.reason }]];
    case 'computation-closed':
      return e.reason === undefined ? [] : [[e.client, e.id, { kind: 'closed', reason: e.reason }]];
    case 'server-up':
      return e.replacement ? [[e.client, e.id, { kind: 'server-up', server: e.server }]] : [];
    case 'server-lost':
      return [[e.client, e.id, { kind: 'server-lost', server: e.server, reason: e.reason }]];
    case 'server-held':
      return [[e.client, e.id, { kind: 'held', server: e.server, held: e.held }]];
    case 'node-enabled':
      return e.to.map((r) => [r.client, r.id, { kind: 'held', held: !e.enabled }]);
    case 'service':
      return e.to.map((r) => [r.client, r.id, { kind: 'service', service: e.status }]);
    case 'avail':
      return e.to.map((r) => [r.client, r.id, { kind: 'avail', avail: e.avail }]);
    default:
      return [];
  }
}

/**
 * The body of the `client-status` coroutine: subscribes to `events` and posts until terminated;
 * a `Flush` is answered once everything before it has been posted.
 * @example
 * ```ts
 * await sup.startChild({ id: 'client-status', start: (coro: Coro<any, void>) => clientStatus(coro, events, net) });
 * ```
 */
export async function clientStatus(coro: Coro<NodeChange | Flush, void>, events: Channel<NodeChange>, poster: ClientPoster): Promise<void> {
  await events.subscribe(coro);
  try {
    for (;;) {
      const m = await coro.receive();
      if (m instanceof Flush) m.replyTo.send({ ok: true, value: true });
      else for (const [client, id, event] of clientEvents(m)) poster.post(client, CLIENT_EVENT, [id, event]);
    }
  } finally {
    if (!events.closed) await events.unsubscribe(coro);
  }
}
