/**
 * What a worker thread's node serves to the other nodes of its process (its owner and its
 * siblings), beyond the ordinary coroutine, channel and RCI requests: starting a coroutine from
 * a module's export, and a snapshot of its scheduler. Peers over TCP never reach these: to them
 * the request types do not exist.
 * @module
 */
import type { Coro } from '../../runtime/Coro.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { UnknownRequestError } from '../../transports/net/netErrors.js';
import type { Peer } from '../../transports/net/Peer.js';
import type { PeerNetwork } from '../../transports/net/PeerNetwork.js';
import { RemoteWatches } from '../remote/RemoteWatches.js';
import type { ThreadFunctions } from './ThreadFunctions.js';
import { THREAD_SNAPSHOT, THREAD_SPAWN, THREAD_TERMINATE } from './threadProtocol.js';

/** Longest module URL or export name accepted. */
const MAX_URL = 4096, MAX_NAME = 1024;

function fromThisProcess(peer: Peer, type: string): void {
  if (peer.connection?.inProcess !== true) throw new UnknownRequestError(`no handler for request type '${type}'`);
}

/**
 * Installs the thread requests on a thread's network:
 * `thread-spawn [incarnation, moduleUrl, exportName, args, watchId|null, coroName|null]` → the
 * new coroutine (its outcome reported to the caller's watch), or ThreadFunctionError;
 * `thread-snapshot null` → `scheduler.snapshot()`; `thread-terminate [incarnation, id]` → whether
 * coroutine `id` of that incarnation was running (it is terminated).
 * @example
 * ```ts
 * const functions = { get: async () => () => undefined } as unknown as Parameters<typeof installThreadRequests>[1];
 * installThreadRequests(net, functions);
 * ```
 */
export function installThreadRequests(net: PeerNetwork, functions: ThreadFunctions): void {
  const sched = net.scheduler;
  net.handle(THREAD_SPAWN, async (body, peer) => {
    fromThisProcess(peer, THREAD_SPAWN);
    if (!Array.isArray(body) || body.length !== 6) throw new InvalidArgumentError('malformed thread-spawn request');
    const [incarnation, url, name, args, watchId, coroName] = body as unknown[];
    if (typeof incarnation !== 'string' || typeof url !== 'string' || url.length > MAX_URL || typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME || !Array.isArray(args)) {
      throw new InvalidArgumentError('malformed thread-spawn request');
    }
    if ((watchId !== null && typeof watchId !== 'number') || (coroName !== null && (typeof coroName !== 'string' || coroName.length > MAX_NAME))) {
      throw new InvalidArgumentError('malformed thread-spawn request');
    }
    if (incarnation !== net.incarnation) throw new UnknownRequestError(`${net.name} restarted: the request was for an earlier incarnation`);
    const fn = await functions.get(url, name);
    const coro: Coro<any, any> = sched.spawnWith({ name: coroName ?? name }, fn as (coro: Coro<any, any>, ...a: unknown[]) => unknown, ...args);
    // Watched before it first runs (a spawned coroutine starts on the next microtask): no outcome is missed.
    if (watchId !== null) RemoteWatches.of(net).serve(peer, watchId, coro, false);
    return coro;
  });
  net.handle(THREAD_SNAPSHOT, (_body, peer) => {
    fromThisProcess(peer, THREAD_SNAPSHOT);
    return sched.snapshot();
  });
  net.handle(THREAD_TERMINATE, (body, peer) => {
    fromThisProcess(peer, THREAD_TERMINATE);
    const [incarnation, id] = Array.isArray(body) && body.length === 2 ? (body as unknown[]) : [];
    if (typeof incarnation !== 'string' || !Number.isSafeInteger(id) || (id as number) < 1) throw new InvalidArgumentError('malformed thread-terminate request');
    // A coroutine of an earlier thread in this place ended with it: never one of this thread's by the same id.
    return incarnation === net.incarnation && (sched.coro(id as number)?.terminate() ?? false);
  });
}
