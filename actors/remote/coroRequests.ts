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
import { ProtocolError, UnknownRequestError } from '../../transports/net/netErrors.js';
import type { Peer } from '../../transports/net/Peer.js';
import type { LocateKind } from '../../transports/net/PeerLocator.js';
import { PeerNetwork, type NetworkLayer } from '../../transports/net/PeerNetwork.js';
import { incarnationTag, REFERENCE_LIMITS, referenceFromWire, referenceToWire } from '../../transports/net/wireReference.js';
import { RemoteCoro } from './RemoteCoro.js';
import { RetainedOutcomes } from './RetainedOutcomes.js';
import { RemoteWatches } from './RemoteWatches.js';
import { installWatchHandlers } from './watchRequests.js';
import { AskReply } from '../ask.js';

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

/** The name a reply address has on the wire. */
const ASK_REPLY_NAME = 'ask-reply';

function coroFromWire(data: unknown, context: WireContext | undefined): Coro<any, any> | RemoteCoro {
  return referenceFromWire<Coro<any, any> | RemoteCoro>(
    data,
    2,
    'coroutine',
    context,
    ({ fields: [id, name] }) => {
      if (typeof id === 'number' && id < 0) return name === ASK_REPLY_NAME && context instanceof PeerNetwork ? (RemoteWatches.of(context).replyAddress(-id) as unknown as Coro<any, any>) : undefined;
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
    const wire = referenceToWire(home, coro, coro.id, coro.name);
    sent(coro);
    return wire;
  },
  decode: coroFromWire,
};

/** A pending ask's reply address on the wire: a coroutine reference with the negative id `-wireId`. */
const ASK_REPLY_REFERENCE: ReferenceType<AskReply<unknown>> = {
  tag: ReferenceTags.Coro,
  classes: [AskReply],
  encode(reply, context) {
    if (!(context instanceof PeerNetwork) || reply.host !== context.scheduler) throw new InvalidArgumentError(`${reply} cannot be referenced remotely: its scheduler has no networking here`);
    return referenceToWire(context, reply, -RemoteWatches.of(context).replyId(reply), ASK_REPLY_NAME);
  },
  decode: coroFromWire,
};

const REMOTE_CORO_REFERENCE: ReferenceType<RemoteCoro> = {
  tag: ReferenceTags.Coro,
  classes: [RemoteCoro],
  encode: (r) => referenceToWire(r, r, r.id, r.name),
  decode: coroFromWire,
};

/**
 * The coroutine layer: references (coroutines, and the reply addresses of pending asks with
 * negative ids), the CORO_LOCATE registry, and the request handlers
 * `send [incarnationTag, id, name, message]` (one-way; the tag is the incarnation's first 48 bits;
 * answered by a one-way `gone [id]` when the coroutine has ended), `deliver [incarnation, id, name, message, timeout]` → boolean,
 * `terminate [incarnation, id, name]` → boolean, `throw [incarnation, id, name, error]` → boolean
 * (false: it has ended), `locate [name, waitMs]` → coroutine reference or
 * null, and the watch requests of RemoteWatches (`watch`, `unwatch`, `monitor`, `exited`, `ask`,
 * `refused`). A coroutine whose reference is sent has its outcome retained for late monitors.
 * @example
 * ```ts
 * const layers = [FILE_TRANSFER_LAYER, CORO_LAYER, CHANNEL_LAYER, RCI_LAYER];
 * ```
 */
export const CORO_LAYER: NetworkLayer = {
  references: [REMOTE_CORO_REFERENCE, LOCAL_CORO_REFERENCE, ASK_REPLY_REFERENCE],
  peerClosed: (net, peer) => RemoteWatches.of(net).peerClosed(peer),
  locates: [CORO_LOCATE],
  install: installCoroHandlers,
  referenceSent(live: object): void {
    if (live instanceof Coro) RetainedOutcomes.of(live.scheduler).retain(live);
  },
};

function installCoroHandlers(net: PeerNetwork): void {
  const sched = net.scheduler;
  const deadLetters = new LogThrottle(1000);
  const watches = RemoteWatches.of(net);

  /** Validates a body that starts with [incarnation, id, name] (its other items follow); the coroutine if it is alive here. */
  const find = (body: unknown, length: number): Coro<any, any> | undefined => {
    if (!Array.isArray(body) || body.length !== length) throw new InvalidArgumentError('malformed request body');
    const incarnation: unknown = body[0], id: unknown = body[1], name: unknown = body[2];
    if (typeof incarnation !== 'string' || typeof id !== 'number' || typeof name !== 'string') throw new InvalidArgumentError('malformed coroutine reference');
    if (incarnation !== net.incarnation) return undefined;
    const coro = sched.coro(id);
    return coro !== undefined && coro.name === name ? coro : undefined;
  };

  const ownTag = incarnationTag(net.incarnation);
  net.handle('send', (body, peer) => {
    if (!Array.isArray(body) || body.length !== 4 || typeof body[0] !== 'number' || typeof body[1] !== 'number' || typeof body[2] !== 'string') {
      throw new InvalidArgumentError('malformed send');
    }
    const [tag, id, name, message] = body as [number, number, string, unknown];
    sendHere(tag === ownTag, id, name, message, peer);
  });

  // A link inside the process joins exactly two incarnations (a restarted thread gets a new
  // one): a send over it needs neither the incarnation tag nor the name, which is a third of
  // what cloning a small message costs. Peers over TCP never reach it.
  net.handle('tell', (body, peer) => {
    if (peer.connection?.inProcess !== true) throw new UnknownRequestError("no handler for request type 'tell'");
    if (!Array.isArray(body) || body.length !== 2 || typeof body[0] !== 'number') throw new InvalidArgumentError('malformed tell');
    sendHere(true, body[0], undefined, body[1], peer);
  });

  /** A message for coroutine `id` here (or for a reply address, id < 0) from `peer`. */
  function sendHere(ours: boolean, id: number, name: string | undefined, message: unknown, peer: Peer): void {
    if (ours && id < 0) {
      if (!watches.reply(-id, message, peer)) sched.deadLetter({ toString: () => label(id, name ?? 'reply') }, 'ended', message); // a late reply
      return;
    }
    const candidate = ours ? sched.coro(id) : undefined;
    if (candidate !== undefined && (name === undefined || candidate.name === name)) return void candidate.send(message);
    // Tell the sender, so that its next send() to this coroutine returns false.
    if (ours) peer.post('gone', [id]);
    if (deadLetters.hit()) net.logger.warn({ peer: String(peer), count: deadLetters.take() }, 'dead letters: remote messages to coroutines that have ended');
  }

  net.handle('deliver', (body, peer) => {
    const coro = find(body, 5);
    const items = body as unknown[], id = items[1] as number, message = items[3], timeout = items[4];
    if (timeout !== null && (typeof timeout !== 'number' || timeout < 0)) throw new InvalidArgumentError('malformed deliver timeout');
    if (id < 0 && items[0] === net.incarnation && watches.reply(-id, message, peer)) return true;
    if (coro === undefined) throw new CoroFinishedError(`coroutine ${label(id, items[2] as string)} has ended`);
    return coro.deliver(message, { timeout: timeout ?? undefined });
  });

  net.handle('terminate', (body) => find(body, 3)?.terminate() ?? false);

  net.handle('throw', (body) => {
    const coro = find(body, 4);
    const error = (body as unknown[])[3];
    if (!(error instanceof Error)) throw new InvalidArgumentError('throw needs an error');
    if (coro === undefined || !coro.isAlive) return false;
    coro.throw(error);
    return true;
  });

  installWatchHandlers(net, find);
}

function label(id: number, name: string): string {
  return `${name.slice(0, 60)}/${id}`;
}
