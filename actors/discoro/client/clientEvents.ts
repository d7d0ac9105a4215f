/**
 * Where the events nodes post to a client go: one `CLIENT_EVENT` handler per client network (a
 * network extension), which forwards `[computationId, NodeEvent]` to that computation's
 * coroutine, with the node it came from. The handler is installed with the first computation of
 * a network and removed with the last.
 * @module
 */
import type { MonitorTarget } from '../../../runtime/coroTypes.js';
import type { Location } from '../../../transports/net/Location.js';
import type { Network } from '../../remote/Network.js';
import { CLIENT_EVENT, type NodeEvent } from '../protocol.js';

/**
 * What a computation's coroutine receives for each event a node posts about it.
 * @example
 * ```ts
 * const m: NodeEventMail = { kind: 'node-event', node: loc, event: { kind: 'granted', cpus: 2 } };
 * ```
 */
export interface NodeEventMail {
  kind: 'node-event';
  node: Location;
  event: NodeEvent;
}

/** The computations of one client network, by id. */
class ClientEventRoute {
  private readonly targets = new Map<string, MonitorTarget>();
  private remove: (() => void) | undefined = undefined;

  constructor(private readonly net: Network) {}

  add(id: string, target: MonitorTarget): () => void {
    this.remove ??= this.net.handle(CLIENT_EVENT, (body, peer) => {
      if (!Array.isArray(body) || body.length !== 2 || typeof body[0] !== 'string' || typeof body[1] !== 'object' || body[1] === null) return null;
      this.targets.get(body[0])?.send({ kind: 'node-event', node: peer.location, event: body[1] as NodeEvent } satisfies NodeEventMail);
      return null;
    });
    this.targets.set(id, target);
    return () => {
      if (this.targets.get(id) !== target) return;
      this.targets.delete(id);
      if (this.targets.size > 0) return;
      this.remove?.();
      this.remove = undefined;
    };
  }
}

/**
 * Sends the events nodes post about computation `id` to `target`; returns the function that stops.
 * @example
 * ```ts
 * const stop = routeNodeEvents(net, 'c-1f2e', coro);
 * ```
 */
export function routeNodeEvents(net: Network, id: string, target: MonitorTarget): () => void {
  return net.extension(ClientEventRoute, (n) => new ClientEventRoute(n)).add(id, target);
}
