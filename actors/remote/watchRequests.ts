/**
 * The requests of remote watches (see RemoteWatches): a peer watches, unwatches or asks a
 * coroutine here, and is told of the ends of coroutines it watches elsewhere. Each handler
 * validates its body; a watch on a coroutine that is gone is answered at once with its kept
 * outcome (RetainedOutcomes) or a 'failed' status.
 * @module
 */
import type { Coro } from '../../runtime/Coro.js';
import { MonitorStatus } from '../../runtime/MonitorStatus.js';
import { CoroFinishedError, InvalidArgumentError, MailboxFullError } from '../../runtime/runtimeErrors.js';
import type { Peer } from '../../transports/net/Peer.js';
import type { PeerNetwork } from '../../transports/net/PeerNetwork.js';
import { incarnationTag } from '../../transports/net/wireReference.js';
import { RemoteCoro } from './RemoteCoro.js';
import { RemoteWatches } from './RemoteWatches.js';
import { RetainedOutcomes } from './RetainedOutcomes.js';

/** Finds the live coroutine a body starting with [incarnation, id, name] names (validating it). */
export type FindCoro = (body: unknown, length: number) => Coro<any, any> | undefined;

/**
 * Installs `watch`, `unwatch`, `monitor` (a watch answered true/false, for older peers), `ask`,
 * `exited`, `refused` and `gone` on `net`.
 * @example
 * ```ts
 * installWatchHandlers(net, (body) => (Array.isArray(body) ? sched.coro(body[1] as number) : undefined));
 * ```
 */
export function installWatchHandlers(net: PeerNetwork, find: FindCoro): void {
  const watches = RemoteWatches.of(net);
  const ownTag = incarnationTag(net.incarnation);

  /** How a coroutine that is gone ended: its kept outcome, else 'failed' with CoroFinishedError. */
  const goneStatus = (id: number, name: string): MonitorStatus => {
    const kept = RetainedOutcomes.of(net.scheduler).outcome(id, name);
    if (kept !== undefined) return kept;
    const ref = new RemoteCoro(net, net.location, net.incarnation, id, name);
    return new MonitorStatus(ref, 'failed', undefined, new CoroFinishedError(`coroutine ${name.slice(0, 60)}/${id} has ended`));
  };

  net.handle('watch', (body, peer) => {
    const coro = find(body, 4);
    const [, id, name, watchId] = body as [string, number, string, unknown];
    if (!isWatchId(watchId)) throw new InvalidArgumentError('malformed watch id');
    if (coro !== undefined) watches.serve(peer, watchId, coro, false);
    else peer.post('exited', [watchId, goneStatus(id, name)]);
  });

  net.handle('monitor', (body, peer) => {
    const coro = find(body, 4);
    const [incarnation, id, name, watchId] = body as [string, number, string, unknown];
    if (!isWatchId(watchId)) throw new InvalidArgumentError('malformed watch id');
    if (coro !== undefined) {
      watches.serve(peer, watchId, coro, false);
      return true;
    }
    const kept = incarnation === net.incarnation ? RetainedOutcomes.of(net.scheduler).outcome(id, name) : undefined;
    if (kept === undefined) return false;
    queueMicrotask(() => peer.post('exited', [watchId, kept])); // after the reply, so the watch is installed first
    return true;
  });

  net.handle('unwatch', (body, peer) => {
    if (!Array.isArray(body) || body.length !== 1 || !isWatchId(body[0])) throw new InvalidArgumentError('malformed unwatch');
    watches.unserve(peer, body[0]);
  });

  net.handle('ask', (body, peer) => {
    if (!Array.isArray(body) || body.length !== 5 || typeof body[0] !== 'number' || typeof body[1] !== 'number' || typeof body[2] !== 'string' || !isWatchId(body[3])) {
      throw new InvalidArgumentError('malformed ask');
    }
    const [tag, id, name, askId, message] = body as [number, number, string, number, unknown];
    const coro = tag === ownTag ? net.scheduler.coro(id) : undefined;
    if (coro === undefined || coro.name !== name) return void peer.post('exited', [askId, goneStatus(id, name)]);
    watches.serve(peer, askId, coro, true);
    let refusal: unknown;
    try {
      if (!coro.send(message)) refusal = new MailboxFullError(`${coro}'s full mailbox dropped the request`);
    } catch (err) {
      refusal = err;
    }
    if (refusal === undefined) return;
    watches.unserve(peer, askId);
    peer.post('refused', [askId, refusal]);
  });

  net.handle('exited', (body, peer) => {
    if (!Array.isArray(body) || body.length !== 2 || !isWatchId(body[0]) || !(body[1] instanceof MonitorStatus)) {
      throw new InvalidArgumentError('malformed exit notice');
    }
    watches.ended(peer, body[0], body[1]);
  });

  net.handle('refused', (body, peer) => {
    if (!Array.isArray(body) || body.length !== 2 || !isWatchId(body[0]) || !(body[1] instanceof Error)) throw new InvalidArgumentError('malformed refusal');
    watches.refused(peer, body[0], body[1]);
  });

  net.handle('gone', (body, peer: Peer) => {
    if (!Array.isArray(body) || body.length !== 1 || typeof body[0] !== 'number' || !Number.isInteger(body[0])) throw new InvalidArgumentError('malformed gone notice');
    if (peer.incarnation !== '') watches.known.ended(peer.incarnation, body[0]);
  });
}

function isWatchId(id: unknown): id is number {
  return typeof id === 'number' && Number.isInteger(id) && id > 0;
}
