/**
 * A reference to a coroutine on another node. It has the shape of a local Coro where that
 * makes sense: `send`, `deliver`, `terminate`, being monitored, `finish`/`value`. Passing a
 * Coro in a message sends such a reference; a reference that comes home is the live Coro again.
 * @module
 */
import { Coro, type MonitorTarget } from '../../runtime/Coro.js';
import { CoroFinishedError, CoroTerminatedError, InvalidArgumentError, TimeoutError } from '../../runtime/runtimeErrors.js';
import { MonitorStatus } from '../../runtime/MonitorStatus.js';
import { checkSendOptions, checkWaitOptions, type SendOptions } from '../../runtime/options.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import type { Location } from '../../transports/net/Location.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import type { CoroRef } from '../../runtime/networkPort.js';
import { PeerLostError, PeerUnreachableError } from '../../transports/net/netErrors.js';
import type { PeerNetwork } from '../../transports/net/PeerNetwork.js';
import { incarnationTag } from '../../transports/net/wireReference.js';
import type { Peer } from '../../transports/net/Peer.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';
import type { AskReply, RemoteAskTarget } from '../ask.js';
import { RemoteWatches } from './RemoteWatches.js';

/**
 * A remote coroutine. Messages from one sender arrive in the order sent.
 *
 * @example
 * ```ts
 * const server = await Coro.locate('server_coro', { timeout: 5000 }); // a RemoteCoro if it lives elsewhere
 * server?.send({ from: me, n: 1 });
 * await me.monitor(server!);        // MonitorStatus when it ends, or 'peer-lost'
 * ```
 */
export class RemoteCoro<M = unknown, R = unknown> implements CoroRef<M, R>, RemoteAskTarget<M> {
  private tag: number | undefined;
  /**
   * The last online peer found to run this coroutine's incarnation, reused while it stays online:
   * an online peer's incarnation never changes (a reconnect is a new Peer), so it is compared once.
   */
  private matchedPeer: Peer | undefined;
  /** Its network's watches, looked up once (every send asks them whether it is known to have ended). */
  private watches: RemoteWatches | undefined;

  constructor(
    private readonly net: PeerNetwork | undefined,
    /** Where its node listens. */
    readonly location: Location,
    /** Its node's incarnation: a restarted node has a new one, and old references are dead. */
    readonly incarnation: string,
    readonly id: number,
    readonly name: string,
  ) {}

  /**
   * Queues a message to it (fire and forget; connects to its node if needed). Returns true when
   * the message is queued to its node's connection (connected, or connecting): that is not
   * delivery, which `deliver` confirms. Returns false when there is no networking, its node is
   * known to be offline (lost, and not back with the same incarnation) or cannot be reached, the
   * reference is from a previous incarnation of its node, or the coroutine is known to have
   * ended (a monitor, an ask or its node said so). Throws InvalidArgumentError if `message`
   * cannot be encoded. `transfer` lists buffers in `message` that move to a coroutine on another
   * thread of this process instead of being copied: they are detached here at once (see SendOptions).
   * @example
   * ```ts
   * remote.send({ req: 'time', reply: coro });
   * remote.send({ frame: buf }, { transfer: [buf] }); // to a thread: buf is moved, not copied
   * ```
   */
  send(message: M, options?: SendOptions): boolean {
    const transfer = checkSendOptions(options);
    if (this.isHome()) {
      if (this.id < 0) return this.remoteWatches().reply(-this.id, message, undefined);
      const coro = this.local();
      return coro !== undefined ? coro.send(message) : false;
    }
    const peer = this.route();
    if (peer === undefined) return false;
    // To a thread of this process the link itself names the incarnation: a shorter message.
    const posted = peer.connection?.inProcess === true && peer.isOnline
      ? peer.post('tell', [this.id, message], transfer)
      : peer.post('send', [(this.tag ??= incarnationTag(this.incarnation)), this.id, this.name, message], transfer);
    if (!posted) return false;
    // A reply to an ask from there: the asking node stops watching for it, so drop our watch too.
    if (this.id < 0) this.remoteWatches().unserve(peer, -this.id);
    return true;
  }

  /** The request of an `ask` (internal to `ask`): sent with a watch that settles `reply` when this coroutine ends or its node is lost. */
  askSend(message: M, reply: AskReply<any>): boolean {
    if (this.isHome()) {
      const coro = this.local();
      if (coro === undefined || !coro.watchEnd(reply)) return false;
      return coro.send(message);
    }
    // A coroutine known to have ended is still asked: its node answers with how it ended.
    const peer = this.reach();
    if (peer instanceof CoroFinishedError) return false;
    if (peer instanceof Error) throw peer;
    this.remoteWatches().ask(peer, this, message, reply);
    return true;
  }

  /**
   * Delivers a message and resolves true once it is in the recipient's mailbox, false if
   * `timeout` passes first. Throws PeerLostError/PeerUnreachableError when its node is lost or
   * cannot be reached, and an error with code ERR_CORO_FINISHED when it has ended.
   * @example
   * ```ts
   * if (!(await remote.deliver(job, { timeout: 1000 }))) log('not acknowledged in time');
   * ```
   */
  async deliver(message: M, options?: ActingWaitOptions & SendOptions): Promise<boolean> {
    checkWaitOptions(options);
    checkSendOptions(options);
    if (this.isHome()) return this.mustBeLocal().deliver(message, options);
    const peer = this.mustRoute();
    const timeout = options?.timeout;
    // One shape of options for every call (a spread of the caller's would make a new one each time).
    const request = { timeout, signal: options?.signal, coro: options?.coro, transfer: options?.transfer, alarm: false };
    return (await peer.request('deliver', [this.incarnation, this.id, this.name, message, timeout ?? null], request)) === true;
  }

  /**
   * Terminates it; resolves false if it had already ended. Throws when its node cannot be reached.
   * @example
   * ```ts
   * await remote.terminate();
   * ```
   */
  async terminate(options?: ActingWaitOptions): Promise<boolean> {
    checkWaitOptions(options);
    if (this.isHome()) return this.local()?.terminate() ?? false;
    return (await this.mustRoute().request('terminate', [this.incarnation, this.id, this.name], options ?? { timeout: this.net!.requestTimeout })) === true;
  }

  /**
   * Raises `error` inside it at its pending runtime call (or its next one), as `Coro.throw` does
   * (asyncoro's remote `throw`, pycos's KeyboardInterrupt before a termination): it arrives as a
   * RemoteError with the original name and message. Resolves false if it had already ended.
   * Throws InvalidArgumentError for anything but an Error, and when its node cannot be reached.
   * @example
   * ```ts
   * class Interrupt extends Error { override name = 'Interrupt'; }
   * await remote.throw(new Interrupt('wrap up: terminated in 5 s'));
   * ```
   */
  async throw(error: Error, options?: ActingWaitOptions): Promise<boolean> {
    checkWaitOptions(options);
    if (!(error instanceof Error)) throw new InvalidArgumentError('throw() needs an Error instance');
    if (this.isHome()) {
      const coro = this.local();
      if (coro === undefined || !coro.isAlive) return false;
      coro.throw(error);
      return true;
    }
    return (await this.mustRoute().request('throw', [this.incarnation, this.id, this.name, error], options ?? { timeout: this.net!.requestTimeout })) === true;
  }

  /**
   * Installs `monitor` as a monitor of this coroutine: it receives a MonitorStatus when the
   * coroutine ends, or one with reason 'peer-lost' if its node is lost first (or cannot be reached).
   * `localCoro.monitor(remote)` calls this.
   * @example
   * ```ts
   * await supervisor.monitor(remote);
   * ```
   */
  async notify(monitor: MonitorTarget): Promise<void> {
    if (monitor === null || typeof monitor !== 'object' || typeof monitor.send !== 'function') {
      throw new InvalidArgumentError('monitor must be a coroutine or remote coroutine reference');
    }
    this.watch(monitor);
  }

  /**
   * Waits for it to end: resolves with its value, throws its error (a RemoteError keeping the
   * original name and code), CoroTerminatedError, or PeerLostError; returns `alarm` on timeout.
   * @example
   * ```ts
   * const result = await remote.finish({ timeout: 5000, alarm: null });
   * ```
   */
  async finish<A = undefined>(options?: ActingWaitOptions & { alarm?: A }): Promise<R | A> {
    const timeout = checkWaitOptions(options);
    if (this.isHome()) return this.mustBeLocal().finish(options) as Promise<R | A>;
    const sched = this.net!.scheduler;
    const owner = sched.actor(options?.coro);
    const wait = new Wait<MonitorStatus<R> | typeof TIMED_OUT>(sched, owner, WaitKind.Other);
    wait.alarm = TIMED_OUT;
    wait.what = 'remote finish';
    const promise = wait.start(timeout, options?.signal);
    if (wait.settled) return promise as Promise<never>;
    const watchId = this.watch({ send: (s: unknown) => wait.wake(s as MonitorStatus<R>) });
    wait.onCancel = () => this.remoteWatches().drop(watchId);
    // Waiting on a live peer (its loss ends the wait) keeps the process alive, as a pending socket would.
    if (timeout === Infinity && owner === undefined) sched.holdUntil(promise);
    const status = await promise;
    return status === TIMED_OUT ? (options?.alarm as A) : outcomeOf(status, this);
  }

  /**
   * Its result: its value, or its error thrown; PeerLostError when its node is lost, and
   * TimeoutError when `timeout` ms pass first.
   * @example
   * ```ts
   * log(await remote.value({ timeout: 5000 }));
   * ```
   */
  async value(options?: ActingWaitOptions): Promise<R> {
    const outcome = await this.finish({ ...options, alarm: TIMED_OUT });
    if (outcome === TIMED_OUT) throw new TimeoutError(`${this} did not end within ${options?.timeout} ms`);
    return outcome as R;
  }

  /** The scheduler whose networking this reference uses (undefined without networking). */
  get scheduler(): Scheduler | undefined {
    return this.net?.scheduler;
  }

  /** Identity as a channel subscriber: every proxy of this coroutine has the same key. */
  get subscriberKey(): string {
    return `coro:${this.incarnation}:${this.id}`;
  }

  /** @internal Channel delivery: 1 once the message is in its mailbox, 0 on timeout. */
  async deliverCount(message: M, options: { timeout: number; signal?: AbortSignal }): Promise<number> {
    return (await this.deliver(message, { timeout: options.timeout === Infinity ? undefined : options.timeout, signal: options.signal })) ? 1 : 0;
  }

  /** True when `other` references the same coroutine (same node incarnation and id). */
  equals(other: unknown): boolean {
    if (other instanceof RemoteCoro) return other.incarnation === this.incarnation && other.id === this.id;
    return other instanceof Coro && this.isHome() && other.id === this.id && other.scheduler === this.net!.scheduler;
  }

  toString(): string {
    return `${this.name}/${this.id}@${this.location}`;
  }

  /** Installs a watch on the owning node; reports failures to reach it to `target` as 'peer-lost'. Returns its id (0 when none is kept). */
  private watch(target: MonitorTarget): number {
    if (this.isHome()) {
      const coro = this.local();
      if (coro !== undefined) coro.notify(target);
      else target.send(new MonitorStatus(this, 'failed', undefined, new CoroFinishedError(`${this} has ended`)));
      return 0;
    }
    const peer = this.reach();
    if (peer instanceof Error) {
      target.send(new MonitorStatus(this, peer instanceof CoroFinishedError ? 'failed' : 'peer-lost', undefined, peer));
      return 0;
    }
    return this.remoteWatches().watch(peer, this, target);
  }

  /**
   * The peer of its node, for a request that learns this coroutine's fate there (even when it is
   * known to have ended); else why not: its node is lost (PeerLostError), cannot be reached
   * (PeerUnreachableError), or runs another incarnation (CoroFinishedError).
   */
  private reach(): Peer | Error {
    if (this.net === undefined) return new PeerUnreachableError(`${this}: networking is not started`);
    const peer = this.net.route(this.location);
    if (peer?.isOnline === true) return peer.incarnation === this.incarnation ? peer : new CoroFinishedError(`${this} belonged to a previous incarnation of ${this.location}`);
    if (this.remoteWatches().known.isLost(this.incarnation)) return new PeerLostError(`${this.location} was lost`);
    return peer ?? new PeerUnreachableError(`${this.location} cannot be reached`);
  }

  /** Its node is known to be lost (and not back), or it is known to have ended. */
  private knownGone(): boolean {
    if (this.net === undefined) return false;
    const known = this.remoteWatches().known;
    return known.isLost(this.incarnation) || known.hasEnded(this.incarnation, this.id);
  }

  private isHome(): boolean {
    return this.net !== undefined && this.incarnation === this.net.incarnation;
  }

  private local(): Coro<M, R> | undefined {
    const coro = this.net!.scheduler.coro(this.id);
    return coro !== undefined && coro.name === this.name ? coro : undefined;
  }

  private mustBeLocal(): Coro<M, R> {
    const coro = this.local();
    if (coro === undefined) throw new CoroFinishedError(`${this} has ended`);
    return coro;
  }

  /** The peer to send to: undefined when it cannot be reached, runs another incarnation, is known lost, or this coroutine is known to have ended. */
  private route(): Peer | undefined {
    const matched = this.matchedPeer;
    if (matched !== undefined && matched.isOnline) return this.knownEnded() ? undefined : matched;
    const peer = this.net?.route(this.location);
    if (peer === undefined) return undefined;
    if (peer.isOnline) {
      if (peer.incarnation !== this.incarnation) return undefined;
      this.matchedPeer = peer;
      return this.knownEnded() ? undefined : peer;
    }
    return this.knownGone() ? undefined : peer;
  }

  private remoteWatches(): RemoteWatches {
    return (this.watches ??= RemoteWatches.of(this.net!));
  }

  private knownEnded(): boolean {
    return this.remoteWatches().known.hasEnded(this.incarnation, this.id);
  }

  private mustRoute(): Peer {
    if (this.net === undefined) throw new PeerUnreachableError(`${this}: networking is not started`);
    const peer = this.net.route(this.location);
    if (peer === undefined) throw new PeerUnreachableError(`${this.location} cannot be reached`);
    // An online peer's incarnation never changes (a reconnect is a new Peer): compared once per peer.
    if (peer.isOnline && peer !== this.matchedPeer) {
      if (peer.incarnation !== this.incarnation) throw new CoroFinishedError(`${this} belonged to a previous incarnation of ${this.location}`);
      this.matchedPeer = peer;
    }
    return peer;
  }
}

const TIMED_OUT = Symbol('timed out');

/**
 * How `finish()` ends once a remote coroutine's status is known: its value, or its error thrown
 * (CoroTerminatedError when it was terminated).
 * @example
 * ```ts
 * const value = outcomeOf(new MonitorStatus(remote, 'finished', 42), remote); // 42
 * ```
 */
export function outcomeOf<R>(status: MonitorStatus, who: object): R {
  if (status.reason === 'finished') return status.value as R;
  if (status.reason === 'terminated') throw new CoroTerminatedError(`${String(who)} was terminated`);
  throw status.error;
}
