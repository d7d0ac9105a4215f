/**
 * Broadcast channels: publish to every subscriber, local or (through the
 * distribution layer) remote.
 * @module
 */
import { Coro } from '../runtime/Coro.js';
import { CoroFinishedError, InvalidArgumentError } from '../runtime/runtimeErrors.js';
import { checkCount, checkFunction, checkName, checkWaitOptions, type WaitOptions } from '../runtime/options.js';
import { Scheduler } from '../runtime/Scheduler.js';
import type { NetworkLocateOptions } from '../runtime/networkPort.js';
import { Wait, WaitKind } from '../runtime/Wait.js';
import { WaiterQueue } from '../runtime/WaiterQueue.js';
import { ChannelClosedError } from './actorErrors.js';
import { type ActingWaitOptions } from '../runtime/coroTypes.js';
import { mailboxStream, type StreamOptions } from '../runtime/mailboxStream.js';

/**
 * What a channel can broadcast to: a local coroutine or channel, or a remote proxy of either.
 * `send` queues without waiting (false when the subscriber is gone); `deliverCount`, when
 * present, delivers with acknowledgement and resolves how many coroutines were reached.
 *
 * @example
 * ```ts
 * const seen: string[] = [];
 * const counter: ChannelSubscriber<string> = { send: (m) => (seen.push(m), true) };
 * ```
 */
export interface ChannelSubscriber<M> {
  send(message: M): boolean | number;
  deliverCount?(message: M, options: { timeout: number; signal?: AbortSignal }): Promise<number>;
  /** Identity of a remote proxy (proxies of one remote object are distinct objects with one key). */
  readonly subscriberKey?: string;
}

/**
 * Options of a channel.
 * @example
 * ```ts
 * new Channel('news', { transform: (name, m) => (m === '' ? undefined : m) });
 * ```
 */
export interface ChannelOptions<M> {
  /** Returns the message to broadcast, or undefined to drop it. A throwing transform drops it too. */
  transform?: (channelName: string, message: M) => M | undefined;
  scheduler?: Scheduler;
}

/**
 * Options of `deliver`: wait for at least `n` subscribers first (0: don't wait).
 * @example
 * ```ts
 * await channel.deliver(msg, { n: 2, timeout: 10_000, coro });
 * ```
 */
export interface ChannelDeliverOptions extends ActingWaitOptions {
  n?: number;
}

/**
 * A named broadcast channel. Subscribers are coroutines or other channels (nested channels
 * re-broadcast); a sender need not subscribe. Messages from one sender reach each subscriber in order.
 *
 * @example
 * ```ts
 * const news = new Channel<string>('news');
 * spawn(async (coro: Coro<string>) => {
 *   await news.subscribe(coro);
 *   log(await coro.receive());
 * });
 * await news.deliver('hello', { n: 1 }); // waits for the subscriber, then returns 1
 * ```
 */
export class Channel<M = unknown> implements ChannelSubscriber<M>, AsyncDisposable {
  readonly name: string;
  readonly scheduler: Scheduler;
  private transform: ((channelName: string, message: M) => M | undefined) | undefined;
  private readonly subs = new Map<unknown, ChannelSubscriber<M>>();
  /** Deliveries waiting for enough subscribers; each wait's `data` is the count it needs. */
  private readonly quorumWaiters = new WaiterQueue();
  private _closed = false;

  constructor(name: string, options: ChannelOptions<M> = {}) {
    this.name = checkName(name, 'channel name');
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('channel options must be an object');
    if (options.transform !== undefined) checkFunction(options.transform, 'transform');
    this.transform = options.transform;
    this.scheduler = options.scheduler ?? Scheduler.default();
  }

  /**
   * Finds a channel registered under `name`, waiting up to `timeout` ms; undefined if not found in time.
   * @example
   * ```ts
   * const ch = await Channel.locate('news', { timeout: 1000 });
   * ```
   */
  static locate<M = unknown>(name: string, options?: NetworkLocateOptions & { scheduler?: Scheduler }): Promise<Channel<M> | ChannelSubscriber<M> | undefined> {
    const sched = options?.scheduler ?? Scheduler.default();
    const net = sched.network;
    if (net !== undefined) return net.locate(sched.channelNames, name, options) as Promise<Channel<M> | ChannelSubscriber<M> | undefined>;
    return sched.locateIn(sched.channelNames, name, options) as Promise<Channel<M> | undefined>;
  }

  get closed(): boolean {
    return this._closed;
  }

  /** Number of direct subscribers. */
  get subscribers(): number {
    return this.subs.size;
  }

  /** Replaces the transform (undefined removes it). */
  setTransform(transform: ((channelName: string, message: M) => M | undefined) | undefined): void {
    if (transform !== undefined) checkFunction(transform, 'transform');
    this.transform = transform;
  }

  /**
   * Adds a subscriber (set semantics: subscribing twice changes nothing). Resolves once subscribed.
   * @example
   * ```ts
   * await channel.subscribe(coro);
   * ```
   */
  async subscribe(subscriber: ChannelSubscriber<M>, _options?: WaitOptions): Promise<void> {
    this.mustBeOpen();
    checkSubscriber(subscriber);
    if (subscriber instanceof Coro && !subscriber.isAlive) throw new CoroFinishedError(`${subscriber} has ended`);
    if (subscriber instanceof Channel) {
      if (subscriber === this || subscriber.reaches(this)) throw new InvalidArgumentError(`subscribing ${subscriber} to ${this} would make a cycle`);
    }
    this.subs.set(keyOf(subscriber), subscriber);
    this.wakeQuorum();
  }

  /**
   * Removes a subscriber; resolves false if it was not subscribed.
   * @example
   * ```ts
   * await channel.unsubscribe(coro);
   * ```
   */
  async unsubscribe(subscriber: ChannelSubscriber<M>, _options?: WaitOptions): Promise<boolean> {
    checkSubscriber(subscriber);
    return this.subs.delete(keyOf(subscriber));
  }

  /**
   * Broadcasts without waiting; returns the number of direct subscribers reached. Subscribers
   * that have ended are unsubscribed.
   * @example
   * ```ts
   * channel.send({ price: 42 });
   * ```
   */
  send(message: M): number {
    this.mustBeOpen();
    const out = this.transformed(message);
    if (out === DROPPED) return 0;
    let reached = 0;
    for (const sub of this.subs.values()) {
      if (this.post(sub, out as M)) reached++;
    }
    return reached;
  }

  /**
   * Waits until at least `n` subscribers exist (resolving 0 if that times out), then delivers to
   * every subscriber and resolves the number of coroutines reached, counted through nested
   * channels; remote subscribers acknowledge within the same `timeout`.
   * @example
   * ```ts
   * const reached = await channel.deliver('start', { n: 2, timeout: 5000 });
   * ```
   */
  async deliver(message: M, options?: ChannelDeliverOptions): Promise<number> {
    const timeout = checkWaitOptions(options);
    const n = checkCount(options?.n ?? 0, 'n');
    const owner = this.scheduler.actor(options?.coro);
    this.mustBeOpen();
    if (options?.signal?.aborted) throw options.signal.reason;
    const deadline = performance.now() + timeout;
    if (this.subs.size < n) {
      const wait = new Wait<boolean>(this.scheduler, owner, WaitKind.Other);
      wait.alarm = false;
      wait.data = n;
      this.quorumWaiters.push(wait);
      const quorum = wait.start(timeout, options?.signal);
      if (timeout === Infinity && owner === undefined) this.scheduler.holdUntil(quorum);
      if (!(await quorum) || this._closed) return 0;
    }
    const remaining = Math.max(0, deadline - performance.now());
    return this.deliverCount(message, { timeout: remaining, signal: options?.signal });
  }

  /** @internal Delivery to this channel as a (possibly nested) subscriber: the coroutines reached. */
  async deliverCount(message: M, options: { timeout: number; signal?: AbortSignal }): Promise<number> {
    if (this._closed) return 0;
    const out = this.transformed(message);
    if (out === DROPPED) return 0;
    let reached = 0;
    const pending: Promise<void>[] = [];
    for (const sub of [...this.subs.values()]) {
      if (sub.deliverCount === undefined || sub instanceof Coro) {
        if (this.post(sub, out as M)) reached++;
        continue;
      }
      pending.push(
        sub.deliverCount(out as M, options).then(
          (count) => void (reached += count),
          (err: unknown) => {
            // A subscriber that has ended or whose peer is gone is dropped, as asyncoro did.
            this.scheduler.logger.debug({ channel: this.name, err }, 'channel subscriber unreachable; unsubscribed');
            this.subs.delete(keyOf(sub));
          },
        ),
      );
    }
    if (pending.length > 0) await Promise.all(pending);
    return reached;
  }

  /**
   * Closes the channel: subscribers are dropped, the name is unregistered, waiting deliveries
   * resolve 0, and later calls throw ChannelClosedError.
   * @example
   * ```ts
   * channel.close();
   * ```
   */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this.subs.clear();
    this.scheduler.channelNames.deleteAll(this);
    for (const w of this.quorumWaiters.drain()) w.wake(false);
  }

  /**
   * A subscription for `for await`: a private daemon coroutine subscribes and its messages are
   * yielded in order; breaking out of the loop (or aborting `signal`) unsubscribes it. A bounded
   * `mailbox` keeps a slow loop from holding everything the channel broadcasts.
   * @example
   * ```ts
   * for await (const news of channel.subscription()) if (news === 'stop') break;
   * ```
   */
  subscription(options?: StreamOptions): AsyncGenerator<M, void, undefined> {
    return mailboxStream<M>(
      this.scheduler,
      `${this.name}-subscription`,
      async (sub) => {
        await this.subscribe(sub);
        return () => !this._closed && this.unsubscribe(sub);
      },
      options,
    );
  }

  /**
   * `await using ch = new Channel(...)` closes it at the end of the block.
   * @example
   * ```ts
   * { await using ch = new Channel('tmp'); await ch.subscribe(coro); }
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /**
   * Registers the channel under `name` (default: its own) so `Channel.locate` finds it.
   * @example
   * ```ts
   * channel.register();
   * ```
   */
  register(name: string = this.name): void {
    this.mustBeOpen();
    this.scheduler.channelNames.add(name, this);
  }

  /** Removes a registration; false if `name` was not registered to this channel. */
  unregister(name: string = this.name): boolean {
    return this.scheduler.channelNames.delete(name, this);
  }

  toString(): string {
    return `channel ${this.name}`;
  }

  /** True if `target` is this channel or is reachable through its (local) nested channels. */
  private reaches(target: Channel<any>): boolean {
    const seen = new Set<Channel<any>>();
    const visit = (ch: Channel<any>): boolean => {
      if (ch === target) return true;
      if (seen.has(ch)) return false;
      seen.add(ch);
      for (const sub of ch.subs.values()) if (sub instanceof Channel && visit(sub)) return true;
      return false;
    };
    return visit(this);
  }

  /** Sends to one subscriber; one that has ended (or a closed nested channel) is unsubscribed. */
  private post(sub: ChannelSubscriber<M>, message: M): boolean {
    if (sub instanceof Channel && sub.closed) {
      this.subs.delete(keyOf(sub));
      return false;
    }
    if (sub.send(message) !== false) return true;
    this.subs.delete(keyOf(sub));
    return false;
  }

  private wakeQuorum(): void {
    for (const w of [...this.quorumWaiters]) {
      if ((w.data as number) <= this.subs.size) {
        this.quorumWaiters.remove(w);
        w.wake(true);
      }
    }
  }

  private transformed(message: M): M | typeof DROPPED {
    if (this.transform === undefined) return message;
    try {
      const out = this.transform(this.name, message);
      return out === undefined ? DROPPED : out;
    } catch (err) {
      this.scheduler.logger.warn({ channel: this.name, err }, 'channel transform failed; message dropped');
      return DROPPED;
    }
  }

  private mustBeOpen(): void {
    if (this._closed) throw new ChannelClosedError(`${this} is closed`);
  }
}

const DROPPED: unique symbol = Symbol('dropped');

/** A local subscriber is its own key; a remote proxy is keyed by what it refers to. */
function keyOf(subscriber: ChannelSubscriber<unknown>): unknown {
  return subscriber.subscriberKey ?? subscriber;
}

function checkSubscriber(subscriber: unknown): void {
  if (typeof subscriber !== 'object' || subscriber === null || typeof (subscriber as ChannelSubscriber<unknown>).send !== 'function') {
    throw new InvalidArgumentError('a subscriber must be a coroutine or a channel (local or remote)');
  }
}
