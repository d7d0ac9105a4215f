/**
 * The requests a discoronode serves on the peer network, as thin handlers: each checks its body
 * (a malformed one is InvalidArgumentError, and nothing changes) and asks the node's coroutine,
 * which refuses a request about a computation from any client but its owner
 * (NotComputationOwnerError); a setup or a pulse then goes to the computation's own coroutine.
 * @module
 */
import type { Coro } from '../../../runtime/Coro.js';
import type { Peer } from '../../../transports/net/Peer.js';
import type { Network } from '../../remote/Network.js';
import { NodeRequests, type NodeInfo } from '../protocol.js';
import type { ClientRef } from './nodeEvents.js';
import type { NodeComputation } from './NodeComputation.js';
import { Authorize, call, CloseAtNode, PULSE, Reserve, Setup } from './nodeMessages.js';
import { computationId, reserveBody, setupBody } from './nodeRequestBodies.js';

/**
 * What the handlers need of the node.
 * @example
 * ```ts
 * const served: ServedNode = { coro: mainCoro, what: 'discoronode n1', info: () => node.info() };
 * ```
 */
export interface ServedNode {
  /** The node's coroutine. */
  readonly coro: Coro<any, void>;
  /** The node, for errors ('discoronode n1'). */
  readonly what: string;
  info(): Promise<NodeInfo>;
}

/**
 * The client peer a request comes from: where it listens and its incarnation.
 * @example
 * ```ts
 * const client = clientOf(peer);
 * ```
 */
export function clientOf(peer: Peer): ClientRef {
  return { location: peer.location, incarnation: peer.incarnation };
}

function first(body: unknown): unknown {
  return Array.isArray(body) ? body[0] : undefined;
}

/**
 * Installs the handlers of `NodeRequests` on `net` (the node's coroutine hears of peers itself,
 * while it runs: DiscoroNode).
 * @example
 * ```ts
 * installNodeRequests(net, { coro: mainCoro, what: 'discoronode n1', info: () => node.info() });
 * ```
 */
export function installNodeRequests(net: Network, node: ServedNode): void {
  const authorize = (id: string, peer: Peer): Promise<NodeComputation> => call<NodeComputation>(node.coro, (r) => new Authorize(id, clientOf(peer), r), node.what);
  net.handle(NodeRequests.info, () => node.info());
  net.handle(NodeRequests.reserve, async (body, peer) => {
    const { id, want, zombiePeriod, name } = reserveBody(body);
    return call(node.coro, (r) => new Reserve(id, want, zombiePeriod, clientOf(peer), r, name), node.what);
  });
  net.handle(NodeRequests.setup, async (body, peer) => {
    const { id, manifest } = setupBody(body);
    const comp = await authorize(id, peer);
    return call(comp.coro, (r) => new Setup(manifest, r), `computation ${id}`);
  });
  net.handle(NodeRequests.pulse, async (body, peer) => {
    (await authorize(computationId(first(body)), peer)).coro.send(PULSE);
    return null;
  });
  net.handle(NodeRequests.close, async (body, peer) => {
    const id = computationId(first(body));
    await call<number>(node.coro, (r) => new CloseAtNode(id, clientOf(peer), 0, undefined, r), node.what);
    return true;
  });
}
