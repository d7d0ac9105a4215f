/**
 * The coroutine layer of a network: coroutine references on the wire, and the requests every
 * node serves for them (messages, monitors, termination, name lookup). Each handler validates its
 * body (a wrong shape is a typed error reply) and checks that a reference names a live coroutine
 * of this incarnation (incarnation, id and name), so a stale reference never reaches a coroutine
 * of a restarted node that reuses the id and name.
 * @module
 */
import { Coro } from '../../runtime/Coro.js';
import { CoroFinishedError, InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { LogThrottle } from '../../runtime/logging.js';
import { MonitorStatus } from '../../runtime/MonitorStatus.js';
import { ReferenceTags, expectText, type ReferenceType, type WireContext } from '../../transports/net/Codec.js';
import { ProtocolError } from '../../transports/net/netErrors.js';
import type { Peer } from '../../transports/net/Peer.js';
import type { LocateKind } from '../../transports/net/PeerLocator.js';
import { PeerNetwork, type NetworkLayer } from '../../transports/net/PeerNetwork.js';
import { incarnationTag, REFERENCE_LIMITS, referenceFromWire, referenceToWire } from '../../transports/net/wireReference.js';
import { RemoteCoro } from './RemoteCoro.js';
import { RetainedOutcomes } from './RetainedOutcomes.js';

/**
 * Coroutines located across the network: the scheduler's coroNames, request 'locate'.
 * @example
 * ```ts
 * const found = await net.locator.locate('server', { timeout: 1000 }, CORO_LOCATE);
 * ```
 */
export const CORO_LOCATE: LocateKind = {
  request: 'locate',
  registry: (sched) => sched.coroNames,
  isFound: (v) => v instanceof RemoteCoro || v instanceof Coro,
  // A cached remote coroutine is forgotten when it ends (or its node is lost).
  watchEnd: (found, ended) => {
    if (found instanceof RemoteCoro) void found.notify({ passive: true, send: () => (ended(), true) }).catch(ended);
  },
};

function coroFromWire(data: unknown, context: WireContext | undefined): Coro<any, any> | RemoteCoro {
  return referenceFromWire<Coro<any, any> | RemoteCoro>(
    data,
    2,
    'coroutine',
    context,
    ({ fields: [id, name] }) => {
      const coro = typeof id === 'number' ? context!.scheduler.coro(id) : undefined;
      return coro !== undefined && coro.name === name ? coro : undefined;
    },
    ({ location, incarnation, fields: [id, name] }) => {
      if (typeof id !== 'number' || !Number.isInteger(id)) throw new ProtocolError('malformed coroutine reference');
      return new RemoteCoro(context instanceof PeerNetwork ? context : undefined, location, incarnation, id, expectText(name, 'name', REFERENCE_LIMITS.name));
    },
  );
}

/** A local coroutine on the wire: [host, port, incarnation, id, name] of the node it lives on. */
const LOCAL_CORO_REFERENCE: ReferenceType<Coro<any, any>> = {
  tag: ReferenceTags.Coro,
  classes: [Coro],
  encode(coro, context, sent) {
    const home = coro.scheduler.network ?? (context?.scheduler === coro.scheduler ? context : undefined);
    const wire = referenceToWire(home, String(coro), coro.id, coro.name);
    sent(coro);
    return wire;
  },
  decode: coroFromWire,
};

const REMOTE_CORO_REFERENCE: ReferenceType<RemoteCoro> = {
  tag: ReferenceTags.Coro,
  classes: [RemoteCoro],
  encode: (r) => referenceToWire(r, String(r), r.id, r.name),
  decode: coroFromWire,
};

/**
 * The coroutine layer: references, the CORO_LOCATE registry, and the request handlers
 * `send [incarnationTag, id, name, message]` (one-way; the tag is the incarnation's first 48 bits), `deliver [incarnation, id, name, message, timeout]` → boolean,
 * `terminate [incarnation, id, name]` → boolean, `monitor [incarnation, id, name, watchId]` → boolean,
 * `exited [watchId, MonitorStatus]` (one-way), `locate [name, waitMs]` → coroutine reference or null.
 * A coroutine whose reference is sent has its outcome retained for late monitors.
 * @example
 * ```ts
 * const layers = [FILE_TRANSFER_LAYER, CORO_LAYER, CHANNEL_LAYER, RCI_LAYER];
 * ```
 */
export const CORO_LAYER: NetworkLayer = {
  references: [REMOTE_CORO_REFERENCE, LOCAL_CORO_REFERENCE],
  locates: [CORO_LOCATE],
  install: installCoroHandlers,
  referenceSent(live: object): void {
    if (live instanceof Coro) RetainedOutcomes.of(live.scheduler).retain(live);
  },
};

function installCoroHandlers(net: PeerNetwork): void {
  const sched = net.scheduler;
  const deadLetters = new LogThrottle(1000);

  /** Validates a body that starts with [incarnation, id, name]; the coroutine if it is alive here. */
  const find = (body: unknown, length: number): { coro: Coro<any, any> | undefined; label: string; rest: unknown[] } => {
    if (!Array.isArray(body) || body.length !== length) throw new InvalidArgumentError('malformed request body');
    const [incarnation, id, name] = body;
    if (typeof incarnation !== 'string' || typeof id !== 'number' || typeof name !== 'string') throw new InvalidArgumentError('malformed coroutine reference');
    const label = `${name.slice(0, 60)}/${id}`;
    const rest = body.slice(3);
    if (incarnation !== net.incarnation) return { coro: undefined, label, rest };
    const coro = sched.coro(id);
    return { coro: coro !== undefined && coro.name === name ? coro : undefined, label, rest };
  };

  const ownTag = incarnationTag(net.incarnation);
  net.handle('send', (body, peer) => {
    if (!Array.isArray(body) || body.length !== 4 || typeof body[0] !== 'number' || typeof body[1] !== 'number' || typeof body[2] !== 'string') {
      throw new InvalidArgumentError('malformed send');
    }
    const candidate = body[0] === ownTag ? sched.coro(body[1]) : undefined;
    const coro = candidate !== undefined && candidate.name === body[2] ? candidate : undefined;
    if (coro !== undefined) coro.send(body[3]);
    else if (deadLetters.hit()) net.logger.warn({ peer: String(peer), count: deadLetters.take() }, 'dead letters: remote messages to coroutines that have ended');
  });

  net.handle('deliver', (body) => {
    const { coro, label, rest } = find(body, 5);
    if (coro === undefined) throw new CoroFinishedError(`coroutine ${label} has ended`);
    const timeout = rest[1];
    if (timeout !== null && (typeof timeout !== 'number' || timeout < 0)) throw new InvalidArgumentError('malformed deliver timeout');
    return coro.deliver(rest[0], { timeout: timeout ?? undefined });
  });

  net.handle('terminate', (body) => find(body, 3).coro?.terminate() ?? false);

  net.handle('monitor', (body, peer) => {
    const { coro, rest } = find(body, 4);
    const watchId = rest[0];
    if (typeof watchId !== 'number') throw new InvalidArgumentError('malformed watch id');
    const monitor = remoteMonitor(net, peer.incarnation, watchId);
    if (coro !== undefined) {
      coro.notify(monitor);
      return true;
    }
    // Ended already: report the kept outcome, if its reference ever left this node.
    const [incarnation, id, name] = body as [string, number, string]; // validated by find()
    const kept = incarnation === net.incarnation ? RetainedOutcomes.of(sched).outcome(id, name) : undefined;
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
}

/**
 * The monitor a remote node installs on a local coroutine: forwards the MonitorStatus back to the
 * watch `watchId` of the peer `incarnation` (also used by RCI calls with a monitor).
 * @example
 * ```ts
 * coro.notify(remoteMonitor(net, peer.incarnation, watchId));
 * ```
 */
export function remoteMonitor(net: PeerNetwork, incarnation: string, watchId: number): { send(status: unknown): boolean } {
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
