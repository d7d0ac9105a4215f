/**
 * Request/reply in one call: `ask(target, (replyTo) => message)` sends the message built around a
 * private reply address and resolves with the first message sent to it. The reply address is a
 * short-lived daemon coroutine, so the caller's own mailbox is never disturbed and the reply can
 * come from another node (the address crosses the wire as a coroutine reference).
 * @module
 */
import type { Address } from '../runtime/address.js';
import { Coro } from '../runtime/Coro.js';
import type { MonitorStatus } from '../runtime/MonitorStatus.js';
import { checkFunction, checkWaitOptions, describe, type WaitOptions } from '../runtime/options.js';
import { CoroFinishedError, InvalidArgumentError, TimeoutError } from '../runtime/runtimeErrors.js';
import { Scheduler } from '../runtime/Scheduler.js';

/**
 * Options of `ask`: how long to wait for the reply (forever when omitted), a signal, and the
 * scheduler the reply address lives on (default: the target's, else the default scheduler; for a
 * remote target it must be the one whose networking reaches the target's node).
 * @example
 * ```ts
 * const options: AskOptions = { timeout: 1000 };
 * ```
 */
export interface AskOptions extends WaitOptions {
  scheduler?: Scheduler;
}

const NO_REPLY = Symbol('no reply');

/** What the reply coroutine receives when a local target ends first (never a user's message). */
class TargetEnded {
  constructor(readonly status: MonitorStatus) {}
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

/**
 * Sends `makeMessage(replyTo)` to `target` and resolves with the reply. Rejects with TimeoutError
 * when no reply comes within `timeout` ms, with the signal's reason when it aborts, with
 * CoroFinishedError when the target cannot take the message or (a local target) ends before it
 * replies (its error as `cause`), and with InvalidArgumentError for bad arguments (always as a
 * rejection, never a synchronous throw).
 * @example
 * ```ts
 * const y = await ask(squarer, (replyTo) => ({ x: 12, replyTo }), { timeout: 1000 }); // 144
 * ```
 * The request type comes from the target, the reply type from the request's `Address<...>` field
 * (`ReplyOf`); name them when inference cannot: `ask<Request, number>(...)`.
 */
export async function ask<M, R = ReplyOf<M>>(target: Address<M>, makeMessage: NoInfer<(replyTo: Address<R>) => M>, options?: AskOptions): Promise<R> {
  if (target === null || typeof target !== 'object' || typeof target.send !== 'function') {
    throw new InvalidArgumentError(`ask needs an address (a coroutine or remote coroutine), got ${describe(target)}`);
  }
  checkFunction(makeMessage, 'message builder');
  const timeout = checkWaitOptions(options);
  if (options?.scheduler !== undefined && !(options.scheduler instanceof Scheduler)) throw new InvalidArgumentError('scheduler must be a Scheduler');
  const signal = options?.signal;
  if (signal?.aborted) throw signal.reason;
  const sched = options?.scheduler ?? schedulerOf(target) ?? Scheduler.default();
  const replyTo: Coro<R, R | typeof NO_REPLY> = sched.spawnWith({ daemon: true, name: 'ask-reply' }, (coro: Coro<R, R | typeof NO_REPLY>) =>
    coro.receive({ timeout: timeout === Infinity ? undefined : timeout, alarm: NO_REPLY, signal }),
  );
  let message: M;
  try {
    message = makeMessage(replyTo);
  } catch (err) {
    replyTo.terminate();
    throw err;
  }
  // A local target that ends before it replies fails the ask at once instead of at its timeout.
  const local = target instanceof Coro ? target : undefined;
  const watch = { passive: true, send: (status: unknown) => replyTo.isAlive && replyTo.send(new TargetEnded(status as MonitorStatus) as R) };
  let sent: boolean;
  try {
    sent = target.send(message);
    if (sent) local?.notify(watch);
  } catch (err) {
    replyTo.terminate();
    throw err;
  }
  if (!sent) {
    replyTo.terminate();
    throw new CoroFinishedError(`${String(target)} cannot take the request (it has ended or cannot be reached)`);
  }
  try {
    const reply = await replyTo.value();
    if (reply === NO_REPLY) throw new TimeoutError(`no reply from ${String(target)} within ${timeout} ms`);
    if (reply instanceof TargetEnded) {
      const { reason, error } = reply.status;
      throw new CoroFinishedError(`${String(target)} ended (${reason}) before it replied`, { cause: error });
    }
    return reply;
  } finally {
    local?.demonitor(watch);
  }
}

/** The scheduler a local or remote coroutine belongs to, when it says. */
function schedulerOf(target: object): Scheduler | undefined {
  const sched = (target as { scheduler?: unknown }).scheduler;
  return sched instanceof Scheduler ? sched : undefined;
}
