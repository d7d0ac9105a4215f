/**
 * Channels across nodes: a registered channel is addressed by its name and its
 * node; elsewhere it is a RemoteChannel proxy with the same calls. Installs the
 * channel requests on every Network and the channel's CBOR reference tag.
 * @module
 */
import { expectArray, expectText, ReferenceTags, type ReferenceType, type WireContext } from '../../transports/net/Codec.js';
import { Coro } from '../../runtime/Coro.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { checkCount, checkWaitOptions, type WaitOptions } from '../../runtime/options.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import { Location } from '../../transports/net/Location.js';
import { PeerNetwork, type NetworkLayer } from '../../transports/net/PeerNetwork.js';
import { referenceFromWire, referenceToWire } from '../../transports/net/wireReference.js';
import { PeerUnreachableError, ProtocolError } from '../../transports/net/netErrors.js';
import type { LocateKind } from '../../transports/net/PeerLocator.js';
import { Channel, type ChannelDeliverOptions, type ChannelSubscriber } from '../Channel.js';
import { RemoteCoro } from './RemoteCoro.js';
import { RemoteWatches } from './RemoteWatches.js';
import { ChannelClosedError } from '../actorErrors.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';

/** Extra time a remote deliver's request gets beyond the wait it asks the channel's node for. */
const REPLY_MARGIN = 2000;
/** Names a remote deliver, so that its sender can cancel it at the channel's node. */
let nextDeliverId = 1;

/**
 * A channel on another node. `send` is fire and forget; `deliver`, `subscribe` and
 * `unsubscribe` are requests to the channel's node (a lost or unreachable node throws
 * PeerLostError/PeerUnreachableError). Subscribers are local coroutines or channels (they are
 * sent as references); messages reach them in the order each sender sent them.
 *
 * @example
 * ```ts
 * const news = await Channel.locate('news', { timeout: 5000 }); // a RemoteChannel when remote
 * if (news instanceof RemoteChannel || news instanceof Channel) await news.subscribe(coro);
 * ```
 */
export class RemoteChannel<M = unknown> implements ChannelSubscriber<M> {
  constructor(
    private readonly net: PeerNetwork,
    readonly location: Location,
    /** The incarnation of the channel's node. */
    readonly incarnation: string,
    readonly name: string,
  ) {}

  /** True once its node said it has no channel of that name (after a send to it). */
  get knownClosed(): boolean {
    return RemoteWatches.of(this.net).known.hasEnded(this.incarnation, this.name);
  }

  /** Identity as a subscriber: every proxy of this channel has the same key. */
  get subscriberKey(): string {
    return `channel:${this.incarnation}:${this.name}`;
  }

  /**
   * Broadcasts without waiting. True means queued to a connected (or connecting) node, not
   * delivered; false when the channel's node cannot be reached or is known to be offline (lost,
   * and not back with the same incarnation), the reference is from a previous incarnation, or the
   * channel is known to be closed there (its node said so after an earlier send).
   * @example
   * ```ts
   * remote.send('tick');
   * ```
   */
  send(message: M): boolean {
    const peer = this.net.route(this.location);
    if (peer === undefined || this.stale(peer.incarnation)) return false;
    const known = RemoteWatches.of(this.net).known;
    if ((!peer.isOnline && known.isLost(this.incarnation)) || known.hasEnded(this.incarnation, this.name)) return false;
    return peer.post('ch-send', [this.name, message]);
  }

  /**
   * Waits (at the channel's node) for at least `n` subscribers, then delivers; resolves the number
   * of coroutines reached (0 if the quorum did not come in time). A deliver that is aborted, times
   * out or loses its reply is cancelled at the channel's node too (as soon as the cancel arrives
   * there), so it is not delivered later.
   * @example
   * ```ts
   * await remote.deliver('start', { n: 2, timeout: 10_000 });
   * ```
   */
  async deliver(message: M, options?: ChannelDeliverOptions): Promise<number> {
    const timeout = checkWaitOptions(options);
    const n = checkCount(options?.n ?? 0, 'n');
    // The channel's node waits for the quorum; the reply gets a margin beyond that wait.
    const replyTimeout = timeout === Infinity ? undefined : timeout + REPLY_MARGIN;
    const id = nextDeliverId++;
    try {
      const reply = await this.request('ch-deliver', [this.name, message, n, timeout === Infinity ? null : timeout, id], options, replyTimeout);
      return typeof reply === 'number' ? reply : 0;
    } catch (err) {
      this.net.post(this.location, 'ch-cancel', [id]);
      throw err;
    }
  }

  /** @internal Delivery to this channel as a nested subscriber of a local channel. */
  deliverCount(message: M, options: { timeout: number; signal?: AbortSignal }): Promise<number> {
    return this.deliver(message, { timeout: options.timeout, signal: options.signal });
  }

  /**
   * Subscribes a local coroutine or channel (or another node's, by reference).
   * @example
   * ```ts
   * await remote.subscribe(coro, { timeout: 2000 });
   * ```
   */
  async subscribe(subscriber: ChannelSubscriber<M>, options?: ActingWaitOptions): Promise<void> {
    checkRemoteSubscriber(subscriber);
    checkWaitOptions(options);
    await this.request('ch-sub', [this.name, subscriber], options, options?.timeout ?? this.net.requestTimeout);
  }

  /** Unsubscribes; resolves false if it was not subscribed. */
  async unsubscribe(subscriber: ChannelSubscriber<M>, options?: ActingWaitOptions): Promise<boolean> {
    checkRemoteSubscriber(subscriber);
    checkWaitOptions(options);
    return (await this.request('ch-unsub', [this.name, subscriber], options, options?.timeout ?? this.net.requestTimeout)) === true;
  }

  toString(): string {
    return `channel ${this.name}@${this.location}`;
  }

  private request(type: string, body: unknown[], options: ActingWaitOptions | undefined, timeout: number | undefined): Promise<unknown> {
    if (this.stale(this.net.route(this.location)?.incarnation)) {
      return Promise.reject(new PeerUnreachableError(`${this} belongs to a previous incarnation of its node`));
    }
    return this.net.request(this.location, type, body, { coro: options?.coro, signal: options?.signal, timeout });
  }

  /** True when the node at our location is known to be a later incarnation than this reference's. */
  private stale(incarnation: string | undefined): boolean {
    return incarnation !== undefined && incarnation !== '' && incarnation !== this.incarnation;
  }
}

function checkRemoteSubscriber(subscriber: unknown): void {
  if (!(subscriber instanceof Coro || subscriber instanceof Channel || subscriber instanceof RemoteCoro || subscriber instanceof RemoteChannel)) {
    throw new InvalidArgumentError('a remote channel subscriber must be a coroutine or a channel');
  }
}

/**
 * Channels located across the network: the scheduler's channel registry, request 'ch-locate'.
 * @example
 * ```ts
 * const news = await net.locator.locate('news', { timeout: 1000 }, CHANNEL_LOCATE);
 * ```
 */
export const CHANNEL_LOCATE: LocateKind = {
  request: 'ch-locate',
  registry: (sched) => sched.channelNames,
  isFound: (v) => v instanceof Channel || v instanceof RemoteChannel,
  // Known closed there (a send was answered 'ch-gone'): ask again, it may be registered anew.
  gone: (v) => v instanceof RemoteChannel && v.knownClosed,
};

/** The channel registered under `name` on this node, or a typed error for the caller. */
function homeChannel(net: PeerNetwork, name: unknown): Channel<unknown> {
  const channel = net.scheduler.channelNames.get(expectText(name, 'channel name', 1000)) as Channel<unknown> | undefined;
  if (channel === undefined) throw new ChannelClosedError(`no channel named '${String(name)}' at ${net.location}`);
  return channel;
}

function subscriberFromWire(value: unknown): ChannelSubscriber<unknown> {
  if (value instanceof Coro || value instanceof Channel || value instanceof RemoteCoro || value instanceof RemoteChannel) return value;
  throw new ProtocolError('a channel subscriber must be a coroutine or channel reference');
}

function installChannelHandlers(net: PeerNetwork): void {
  /** Remote delivers waiting for their quorum here, by sender incarnation and deliver id. */
  const waiting = new Map<string, AbortController>();
  net.handle('ch-send', (body, peer) => {
    const [name, message] = expectArray(body, 2, 'channel send');
    const channel = net.scheduler.channelNames.get(expectText(name, 'channel name', 1000)) as Channel<unknown> | undefined;
    if (channel !== undefined && !channel.closed) channel.send(message);
    else peer.post('ch-gone', [name]); // so that the sender's next send() says false
    return null;
  });
  net.handle('ch-gone', (body, peer) => {
    const [name] = expectArray(body, 1, 'channel gone notice');
    if (peer.incarnation !== '') RemoteWatches.of(net).known.ended(peer.incarnation, expectText(name, 'channel name', 1000));
  });
  net.handle('ch-deliver', async (body, peer) => {
    const [name, message, n, timeout, id] = expectArray(body, 5, 'channel deliver');
    if (typeof n !== 'number' || (timeout !== null && typeof timeout !== 'number') || typeof id !== 'number') throw new ProtocolError('malformed channel deliver');
    const key = `${peer.incarnation}:${id}`;
    const cancel = new AbortController();
    waiting.set(key, cancel);
    try {
      return await homeChannel(net, name).deliver(message, { n, timeout: timeout ?? undefined, signal: cancel.signal });
    } catch (err) {
      if (cancel.signal.aborted) return 0; // the sender gave up: nobody reads this reply
      throw err;
    } finally {
      waiting.delete(key);
    }
  });
  net.handle('ch-cancel', (body, peer) => {
    const [id] = expectArray(body, 1, 'channel deliver cancel');
    waiting.get(`${peer.incarnation}:${String(id)}`)?.abort();
  });
  net.handle('ch-sub', async (body) => {
    const [name, subscriber] = expectArray(body, 2, 'channel subscribe');
    await homeChannel(net, name).subscribe(subscriberFromWire(subscriber));
    return true;
  });
  net.handle('ch-unsub', (body) => {
    const [name, subscriber] = expectArray(body, 2, 'channel unsubscribe');
    return homeChannel(net, name).unsubscribe(subscriberFromWire(subscriber));
  });
}

function channelFromWire(data: unknown, context: WireContext | undefined): Channel<unknown> | RemoteChannel<unknown> {
  if (!(context instanceof PeerNetwork)) throw new ProtocolError('channel reference outside a network');
  return referenceFromWire<Channel<unknown> | RemoteChannel<unknown>>(
    data,
    1,
    'channel',
    context,
    ({ fields: [name] }) => context.scheduler.channelNames.get(expectText(name, 'channel name', 1000)) as Channel<unknown> | undefined,
    ({ location, incarnation, fields: [name] }) => {
      const channel = new RemoteChannel(context, location, incarnation, expectText(name, 'channel name', 1000));
      RemoteWatches.of(context).known.revived(incarnation, channel.name); // referenced, so registered when it was sent
      return channel;
    },
  );
}

/** A local channel on the wire: [host, port, incarnation, name]; it must be registered under its name. */
const LOCAL_CHANNEL_REFERENCE: ReferenceType<Channel<unknown>> = {
  tag: ReferenceTags.Channel,
  classes: [Channel],
  encode(channel, context) {
    if (context === undefined) throw new InvalidArgumentError('channels cross the wire only through a Network');
    if (channel.scheduler.channelNames.get(channel.name) !== channel) {
      throw new InvalidArgumentError(`${channel} must be registered (channel.register()) to be sent to another node`);
    }
    return referenceToWire(context, channel, channel.name);
  },
  decode: channelFromWire,
};

const REMOTE_CHANNEL_REFERENCE: ReferenceType<RemoteChannel<unknown>> = {
  tag: ReferenceTags.Channel,
  classes: [RemoteChannel],
  encode: (r) => referenceToWire(r, r, r.name),
  decode: channelFromWire,
};

/**
 * The channel layer: channel references, CHANNEL_LOCATE, and the requests
 * `ch-send`, `ch-deliver`, `ch-sub`, `ch-unsub` served for registered channels.
 * @example
 * ```ts
 * const layers = [FILE_TRANSFER_LAYER, CORO_LAYER, CHANNEL_LAYER, RCI_LAYER];
 * ```
 */
export const CHANNEL_LAYER: NetworkLayer = {
  references: [REMOTE_CHANNEL_REFERENCE, LOCAL_CHANNEL_REFERENCE],
  locates: [CHANNEL_LOCATE],
  install: installChannelHandlers,
};
