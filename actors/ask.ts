/**
 * Request/reply in one call: `ask(target, (replyTo) => message)` sends the message built around a
 * private reply address and resolves with the first message sent to it. Like Erlang's
 * `gen_server:call`, it watches its target while it waits, so it settles exactly once: with the
 * reply, CoroFinishedError as soon as the target ends, PeerLostError when the target's node is
 * lost, or TimeoutError at its timeout. The reply address is the pending call itself (no
 * coroutine is spawned), and it can cross the wire: a remote target replies to it like to any
 * coroutine reference.
 * @module
 */
import type { Address } from '../runtime/address.js';
import { Coro } from '../runtime/Coro.js';
import type { ActingCoro, CoroHost } from '../runtime/coroTypes.js';
import type { MonitorStatus } from '../runtime/MonitorStatus.js';
import { checkFunction, checkWaitOptions, describe, type WaitOptions } from '../runtime/options.js';
import { CoroFinishedError, InvalidArgumentError, MailboxFullError, TimeoutError } from '../runtime/runtimeErrors.js';
import { Scheduler } from '../runtime/Scheduler.js';
import { Wait, WaitKind, type WaitOwner } from '../runtime/Wait.js';

/**
 * Options of `ask`: how long to wait for the reply (forever when omitted), a signal, the acting
 * coroutine (so that its `terminate()` interrupts the wait), and the scheduler the call belongs
 * to (default: the target's, else the default scheduler; for a remote target it must be the one
 * whose networking reaches the target's node).
 * @example
 * ```ts
 * const options: AskOptions = { timeout: 1000, coro };
 * ```
 */
export interface AskOptions extends WaitOptions {
  scheduler?: Scheduler;
  coro?: ActingCoro;
}

/**
 * An address that picks, for each message, the address that takes it (a `Pool` routes to one of
 * its workers). `ask` watches the address it picked, so a worker that ends fails the ask at once.
 * @example
 * ```ts
 * const router: Router<number> = { send: (n) => coros[n % 2]!.send(n), routeFor: (n) => coros[n % 2] };
 * ```
 */
export interface Router<M> extends Address<M> {
  /** The address `message` goes to now; undefined when none can take it. */
  routeFor(message: M): Address<M> | undefined;
}

/** What a remote layer needs to bind an ask to the node of its target (internal to the remote layer). */
export interface AskBinding {
  /** The ask settled (replied, ended, timed out, aborted): forget it. */
  settled(reply: AskReply<any>): void;
}

/**
 * The reply address of one `ask`, which is also its pending wait: `send` settles it. Remote
 * layers implement `askSend(message, reply)` on their references to take part. Internal: users
 * see it as the `Address` their builder gets.
 */
export class AskReply<R> extends Wait<R> implements Address<R> {
  /** Its id on the wire once a remote layer sent it (0 until then). */
  wireId = 0;
  /** The remote layer that watches the target for it. */
  binding: AskBinding | undefined = undefined;
  /** True while it holds the process alive (no timeout, called from outside any coroutine). */
  holding = false;

  constructor(host: CoroHost, owner: WaitOwner | undefined, readonly target: object) {
    super(host, owner, WaitKind.Other);
    this.what = 'reply';
    this.onCancel = releaseReply;
  }

  /** Settles the ask with `message` (the first one sent wins); false once it has settled. */
  send(message: R): boolean {
    if (this.settled) {
      (this.host as CoroHost).deadLetter(this, 'ended', message);
      return false;
    }
    this.queue?.remove(this); // from the target's end watchers
    this.release();
    return this.wake(message);
  }

  /** @internal Fails it because its target ended or its node was lost, with that reason. */
  targetEnded(status: MonitorStatus): void {
    if (status.reason === 'peer-lost') this.fail(status.error);
    else this.fail(finishedError(this.target, status));
  }

  /** Timer callback: the timeout passed with no reply. */
  override fire(): void {
    if (!this.settled) this.fail(new TimeoutError(`no reply from ${String(this.target)} within ${this.data as number} ms`));
  }

  /** @internal Undoes what the pending call holds: the process, the remote watch. */
  release(): void {
    if (this.holding) {
      this.holding = false;
      (this.host as Scheduler).keepAlive.release();
    }
    const binding = this.binding;
    if (binding !== undefined) {
      this.binding = undefined;
      binding.settled(this);
    }
  }

  override toString(): string {
    return `reply to ${String(this.target)}`;
  }
}

function releaseReply(w: Wait<any>): void {
  (w as AskReply<unknown>).release();
}

/**
 * The reply type of a request type: what its `Address<...>` field takes (unknown without one).
 * @example
 * ```ts
 * type R = ReplyOf<{ x: number; replyTo: Address<number> }>; // number
 * ```
 */
export type ReplyOf<M> = M extends object ? ReplyField<{ [K in keyof M]-?: M[K] extends Address<infer R> ? R : never }[keyof M]> : unknown;
type ReplyField<R> = [R] extends [never] ? unknown : R;
type AddressKeys<M> = { [K in keyof M]-?: M[K] extends Address<any> ? K : never }[keyof M];
/** The variants of the request union `M` that a built request `B` is one of (its fields other than the reply address match). */
type VariantOf<M, B> = M extends unknown ? (Omit<B, AddressKeys<M>> extends Omit<M, AddressKeys<M>> ? M : never) : never;
/**
 * The reply type of the request a builder returned: the `ReplyOf` of the variant of the target's
 * request union that the built request is (all the variants' replies when it cannot tell).
 * @example
 * ```ts
 * type Get = { get: string; replyTo: Address<string> };
 * type Put = { put: string; replyTo: Address<boolean> };
 * type R = ReplyTo<Get | Put, { get: string; replyTo: Address<never> }>; // string
 * ```
 */
export type ReplyTo<M, B> = [VariantOf<M, B>] extends [never] ? ReplyOf<M> : ReplyOf<VariantOf<M, B>>;

/**
 * Sends `makeMessage(replyTo)` to `target` and resolves with the first message sent to `replyTo`.
 * Settles exactly once, with one of:
 * - the reply;
 * - CoroFinishedError as soon as the target ends (or at once if it has ended, or cannot take the
 *   request), with the target's `reason` and its error as `cause`;
 * - PeerLostError when the target's node is lost (at once if its connection closes, within the
 *   network's `peerTimeout` if it goes silent), with or without a timeout;
 * - TimeoutError when `timeout` ms pass first; the signal's reason when it aborts;
 * - InvalidArgumentError for bad arguments, and the builder's own error if it throws (always as a
 *   rejection, never a synchronous throw).
 *
 * Nothing is left behind once it settles. A pending ask keeps the process alive (through its
 * timer, or while its target lives), unless it is made by a daemon coroutine named as `coro`.
 * @example
 * ```ts
 * const y = await ask(squarer, (replyTo) => ({ x: 12, replyTo }), { timeout: 1000 }); // 144
 * ```
 * The request type comes from the target; the reply type from the variant of it the builder
 * returns (`ReplyTo`). The two-parameter form names both: `ask<Request, number>(...)`.
 */
export function ask<M, const B extends M = M>(target: Address<M>, makeMessage: (replyTo: Address<ReplyOf<M>>) => B, options?: AskOptions): Promise<ReplyTo<M, B>>;
export function ask<M, R>(target: Address<M>, makeMessage: NoInfer<(replyTo: Address<R>) => M>, options?: AskOptions): Promise<R>;
export function ask<M, R>(target: Address<M>, makeMessage: (replyTo: Address<R>) => M, options?: AskOptions): Promise<R> {
  let reply: AskReply<R>;
  let promise: Promise<R>;
  try {
    if (target === null || typeof target !== 'object' || typeof target.send !== 'function') {
      throw new InvalidArgumentError(`ask needs an address (a coroutine, a remote coroutine or a pool), got ${describe(target)}`);
    }
    checkFunction(makeMessage, 'message builder');
    let timeout = Infinity;
    let sched: Scheduler;
    if (options === undefined) sched = target instanceof Coro ? target.scheduler : (schedulerOf(target) ?? Scheduler.default());
    else {
      timeout = checkWaitOptions(options);
      if (options.scheduler !== undefined && !(options.scheduler instanceof Scheduler)) throw new InvalidArgumentError('scheduler must be a Scheduler');
      sched = options.scheduler ?? schedulerOf(target) ?? Scheduler.default();
    }
    const owner = sched.actor(options?.coro);
    reply = new AskReply<R>(sched, owner, target);
    if (timeout !== Infinity) reply.data = timeout; // for the TimeoutError's message
    promise = reply.start(timeout, options?.signal);
    if (reply.settled) return promise; // interrupted or aborted already
    if (timeout === Infinity && owner === undefined) {
      reply.holding = true;
      sched.keepAlive.hold();
    }
  } catch (err) {
    return Promise.reject(err);
  }
  try {
    const message = makeMessage(reply);
    if (target instanceof Coro) {
      sendLocal(target, message, reply);
      return promise;
    }
    const to = typeof (target as Partial<Router<M>>).routeFor === 'function' ? (target as Router<M>).routeFor(message) : target;
    if (to === undefined) reply.fail(finishedError(target, undefined, 'has no worker to take the request'));
    else if (to instanceof Coro) sendLocal(to, message, reply);
    else if (typeof (to as Partial<RemoteAskTarget<M>>).askSend === 'function') {
      if (!(to as unknown as RemoteAskTarget<M>).askSend(message, reply)) reply.fail(finishedError(to, undefined, 'cannot take the request (it has ended)'));
    } else if (!to.send(message)) reply.fail(finishedError(to, undefined, 'cannot take the request'));
  } catch (err) {
    reply.fail(err);
  }
  return promise;
}

/** A remote reference that can take a request for an ask and watch its target for it (internal to the remote layer). */
export interface RemoteAskTarget<M> {
  /** Sends `message` and binds `reply` to the target's end; false when the target is known to have ended. */
  askSend(message: M, reply: AskReply<any>): boolean;
}

/** Watches a local target's end (no allocation: an intrusive queue), then sends. */
function sendLocal<M>(to: Coro<M, any>, message: M, reply: AskReply<any>): void {
  if (!to.watchEnd(reply)) {
    let status: MonitorStatus | undefined;
    to.notify({ send: (s: unknown) => ((status = s as MonitorStatus), true) }); // reports at once: it has ended
    return void reply.fail(finishedError(to, status));
  }
  if (!to.send(message)) reply.fail(to.isAlive ? new MailboxFullError(`${to}'s full mailbox dropped the request`) : finishedError(to, undefined));
}

/** CoroFinishedError for a target that ended (with its status when known). */
function finishedError(target: object, status: MonitorStatus | undefined, what?: string): CoroFinishedError {
  const error = new CoroFinishedError(`${String(target)} ${what ?? (status === undefined ? 'has ended' : `ended (${status.reason}) before it replied`)}`, { cause: status?.error });
  error.reason = status?.reason;
  return error;
}

/** The scheduler a local or remote coroutine belongs to, when it says. */
function schedulerOf(target: object): Scheduler | undefined {
  const sched = (target as { scheduler?: unknown }).scheduler;
  return sched instanceof Scheduler ? sched : undefined;
}
