/**
 * A reference to a coroutine on another node. It has the shape of a local Coro where that
 * makes sense: `send`, `deliver`, `terminate`, being monitored, `finish`/`value`. Passing a
 * Coro in a message sends such a reference; a reference that comes home is the live Coro again.
 * @module
 */
import { Coro, type MonitorTarget } from '../../runtime/Coro.js';
import { CoroFinishedError, CoroTerminatedError, InvalidArgumentError, TimeoutError } from '../../runtime/runtimeErrors.js';
import { MonitorStatus } from '../../runtime/MonitorStatus.js';
import { checkWaitOptions } from '../../runtime/options.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import type { Location } from '../../transports/net/Location.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import type { CoroRef } from '../../runtime/networkPort.js';
import { PeerUnreachableError } from '../../transports/net/netErrors.js';
import type { PeerNetwork } from '../../transports/net/PeerNetwork.js';
import { incarnationTag } from '../../transports/net/wireReference.js';
import type { Peer } from '../../transports/net/Peer.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';

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
export class RemoteCoro<M = unknown, R = unknown> implements CoroRef<M, R> {
  private tag: number | undefined;

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
   * Queues a message to it (fire and forget; connects to its node if needed). Returns false
   * when there is no networking, its node is known to be unreachable, or it belonged to a
   * previous incarnation of its node. Throws InvalidArgumentError if `message` cannot be encoded.
   * @example
   * ```ts
   * remote.send({ req: 'time', reply: coro });
   * ```
   */
  send(message: M): boolean {
    if (this.isHome()) {
      const coro = this.local();
      return coro !== undefined ? coro.send(message) : false;
    }
    const peer = this.route();
    return peer !== undefined && peer.post('send', [(this.tag ??= incarnationTag(this.incarnation)), this.id, this.name, message]);
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
  async deliver(message: M, options?: ActingWaitOptions): Promise<boolean> {
    checkWaitOptions(options);
    if (this.isHome()) return this.mustBeLocal().deliver(message, options);
    const peer = this.mustRoute();
    const timeout = options?.timeout;
    return (await peer.request('deliver', [this.incarnation, this.id, this.name, message, timeout ?? null], { ...options, alarm: false })) === true;
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
    await this.watch(monitor);
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
    const wait = new Wait<MonitorStatus<R> | typeof TIMED_OUT>(sched, sched.actor(options?.coro), WaitKind.Other);
    wait.alarm = TIMED_OUT;
    const promise = wait.start(timeout, options?.signal);
    if (wait.settled) return promise as Promise<never>;
    const watched = this.watch({ send: (s: unknown) => wait.wake(s as MonitorStatus<R>) });
    wait.onCancel = () => void watched.then(({ peer, watchId }) => peer?.dropWatch(watchId), () => {});
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

  /** Installs a watch on the owning node; reports failures to reach it to `target` as 'peer-lost'. */
  private async watch(target: MonitorTarget): Promise<{ peer: Peer | undefined; watchId: number }> {
    if (this.isHome()) {
      const coro = this.local();
      if (coro !== undefined) coro.notify(target);
      else target.send(new MonitorStatus(this, 'failed', undefined, new CoroFinishedError(`${this} has ended`)));
      return { peer: undefined, watchId: 0 };
    }
    const peer = this.route();
    if (peer === undefined) {
      target.send(new MonitorStatus(this, 'peer-lost', undefined, new PeerUnreachableError(`${this.location} cannot be reached`)));
      return { peer, watchId: 0 };
    }
    const watchId = peer.addWatch(target, this);
    try {
      const ok = await peer.request('monitor', [this.incarnation, this.id, this.name, watchId], { timeout: this.net!.requestTimeout });
      if (ok !== true) peer.endWatch(watchId, (s) => new MonitorStatus(s, 'failed', undefined, new CoroFinishedError(`${this} has ended`)));
    } catch (err) {
      // A lost peer has already told the watch; anything else (timeout, refusal) is told now.
      peer.endWatch(watchId, (s) => new MonitorStatus(s, 'peer-lost', undefined, err));
    }
    return { peer, watchId };
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

  private route(): Peer | undefined {
    const peer = this.net?.route(this.location);
    if (peer === undefined || (peer.isOnline && peer.incarnation !== this.incarnation)) return undefined;
    return peer;
  }

  private mustRoute(): Peer {
    if (this.net === undefined) throw new PeerUnreachableError(`${this}: networking is not started`);
    const peer = this.net.route(this.location);
    if (peer === undefined) throw new PeerUnreachableError(`${this.location} cannot be reached`);
    if (peer.isOnline && peer.incarnation !== this.incarnation) {
      throw new CoroFinishedError(`${this} belonged to a previous incarnation of ${this.location}`);
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
