/**
 * The request types every node serves: messages to coroutines, monitors, termination and
 * name lookup. Each handler validates its body (a wrong shape is a typed error reply) and
 * checks that a coroutine reference names a live coroutine of this incarnation (id and name).
 * @module
 */
import type { Coro } from '../runtime/Coro.js';
import { CoroFinishedError, InvalidArgumentError } from '../runtime/errors.js';
import { LogThrottle } from '../runtime/logging.js';
import { MonitorStatus } from '../runtime/MonitorStatus.js';
import type { Network } from './Network.js';
import type { Peer } from './Peer.js';
import { CORO_LOCATE, serveLocate } from './PeerLocator.js';
import { retainedOutcome } from './RetainedOutcomes.js';

export { MAX_REMOTE_LOCATE_WAIT } from './PeerLocator.js';

const layerHandlers = new Set<(net: Network) => void>();

/**
 * Adds handlers every Network installs when it starts, after the built-in ones (for layers
 * built on the network: RCI, channels). Call it once, at module load.
 * @example
 * ```ts
 * onNetworkStart((net) => net.handle('rci-run', runHandler));
 * ```
 */
export function onNetworkStart(install: (net: Network) => void): void {
  layerHandlers.add(install);
}

/**
 * Registers the built-in request handlers (and those added with onNetworkStart) on `net`:
 * `send [id, name, message]` (one-way), `deliver [incarnation, id, name, message, timeout]` → boolean,
 * `terminate [incarnation, id, name]` → boolean, `monitor [incarnation, id, name, watchId]` → boolean,
 * `exited [watchId, MonitorStatus]` (one-way), `locate [name, waitMs]` → coroutine reference or null.
 * @example
 * ```ts
 * installBuiltinHandlers(net);
 * ```
 */
export function installBuiltinHandlers(net: Network): void {
  const sched = net.scheduler;
  const deadLetters = new LogThrottle(1000);

  /** Validates a body that starts with a coroutine reference; the coroutine if it is alive here. */
  const find = (body: unknown, length: number, withIncarnation: boolean): { coro: Coro<any, any> | undefined; label: string; rest: unknown[] } => {
    if (!Array.isArray(body) || body.length !== length) throw new InvalidArgumentError('malformed request body');
    const offset = withIncarnation ? 1 : 0;
    const id = body[offset], name = body[offset + 1];
    if (typeof id !== 'number' || typeof name !== 'string') throw new InvalidArgumentError('malformed coroutine reference');
    const label = `${name.slice(0, 60)}/${id}`;
    const rest = body.slice(offset + 2);
    if (withIncarnation && body[0] !== net.incarnation) return { coro: undefined, label, rest };
    const coro = sched.coro(id);
    return { coro: coro !== undefined && coro.name === name ? coro : undefined, label, rest };
  };

  net.handle('send', (body, peer) => {
    const { coro, rest } = find(body, 3, false);
    if (coro !== undefined) coro.send(rest[0]);
    else if (deadLetters.hit()) net.logger.warn({ peer: String(peer), count: deadLetters.take() }, 'dead letters: remote messages to coroutines that have ended');
  });

  net.handle('deliver', (body) => {
    const { coro, label, rest } = find(body, 5, true);
    if (coro === undefined) throw new CoroFinishedError(`coroutine ${label} has ended`);
    const timeout = rest[1];
    if (timeout !== null && (typeof timeout !== 'number' || timeout < 0)) throw new InvalidArgumentError('malformed deliver timeout');
    return coro.deliver(rest[0], { timeout: timeout ?? undefined });
  });

  net.handle('terminate', (body) => find(body, 3, true).coro?.terminate() ?? false);

  net.handle('monitor', (body, peer) => {
    const { coro, rest } = find(body, 4, true);
    const watchId = rest[0];
    if (typeof watchId !== 'number') throw new InvalidArgumentError('malformed watch id');
    const monitor = remoteMonitor(net, peer.incarnation, watchId);
    if (coro !== undefined) {
      coro.notify(monitor);
      return true;
    }
    // Ended already: report the kept outcome, if its reference ever left this node.
    const [incarnation, id, name] = body as [string, number, string]; // validated by find()
    const kept = incarnation === net.incarnation ? retainedOutcome(net, id, name) : undefined;
    if (kept === undefined) return false;
    queueMicrotask(() => monitor.send(kept)); // after the reply, so the watch is installed first
    return true;
  });

  net.handle('exited', (body, peer) => {
    if (!Array.isArray(body) || body.length !== 2 || typeof body[0] !== 'number' || !(body[1] instanceof MonitorStatus)) {
      throw new InvalidArgumentError('malformed exit notice');
    }
    const status = body[1];
    peer.endWatch(body[0], () => status);
  });

  serveLocate(net, CORO_LOCATE);
  for (const install of layerHandlers) install(net);
}

/**
 * @internal The monitor a remote node installs on a local coroutine: forwards the MonitorStatus
 * back to the watch `watchId` of the peer `incarnation` (also used by RCI calls with a monitor).
 */
export function remoteMonitor(net: Network, incarnation: string, watchId: number): { send(status: unknown): boolean } {
  return {
    send(status: unknown): boolean {
      const peer: Peer | undefined = net.peerByIncarnation(incarnation);
      if (peer === undefined) return false;
      try {
        return peer.post('exited', [watchId, status]);
      } catch (err) {
        // The result or error cannot cross the wire: report the outcome without it.
        const s = status as MonitorStatus;
        return peer.post('exited', [watchId, new MonitorStatus(s.coro, s.reason, undefined, new InvalidArgumentError(`outcome not encodable: ${(err as Error).message}`))]);
      }
    },
  };
}

/** Re-exported for handlers written elsewhere. */
export type { Peer };
