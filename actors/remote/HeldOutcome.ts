/**
 * The outcome of a coroutine that a request started on another node (an RCI call, a discoro job),
 * as its caller holds it. The watch of the started coroutine is installed before the request, so
 * no outcome is missed; the node answers the request before it reports the outcome, but both may
 * be read in one frame, before the caller has looked at the reply. So a status that comes before
 * the start is known is held, and delivered when the start is (`bind`): whatever the order, the
 * outcome is delivered once, through one path, after the start, to the monitors, to `finish()`
 * and to the one `ended` callback the owner gave.
 * @module
 */
import type { MonitorTarget } from '../../runtime/coroTypes.js';
import { MonitorStatus } from '../../runtime/MonitorStatus.js';
import type { CoroRef } from '../../runtime/networkPort.js';
import { checkWaitOptions } from '../../runtime/options.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import type { ActingWaitOptions } from '../../runtime/coroTypes.js';
import { TIMED_OUT } from '../../runtime/within.js';
import { outcomeOf } from './RemoteCoro.js';

/**
 * What the owner of a held outcome gives it: how a lost peer reads (a discoro job: ServerLostError),
 * and the one callback told the outcome.
 * @example
 * ```ts
 * const policy: OutcomePolicy = { lost: (s) => new Error(`lost: ${String(s.error)}`), ended: (s) => log(s.reason) };
 * ```
 */
export interface OutcomePolicy {
  /** The error a 'peer-lost' status carries instead of the transport's (which becomes its `cause`). */
  lost?(status: MonitorStatus): Error;
  /** Called once, with the outcome delivered. */
  ended?(status: MonitorStatus): void;
}

/**
 * A started coroutine's outcome, held for its caller.
 * @example
 * ```ts
 * const outcome = new HeldOutcome(undefined, me); // `me` is told the MonitorStatus
 * outcome.send(new MonitorStatus(remote, 'finished', 42)); // from the watch: held until the start is known
 * outcome.bind(remote);                          // delivered now: to `me`, to finish() waits
 * ```
 */
export class HeldOutcome implements MonitorTarget {
  /** The outcome, once delivered. */
  status: MonitorStatus | undefined = undefined;
  private held: MonitorStatus | undefined = undefined;
  private subject: CoroRef | undefined = undefined;
  private started = false;
  private readonly monitors: MonitorTarget[] = [];
  private readonly waiters = new WaiterQueue();

  // Dropped once the outcome is delivered: a reference kept to a finished coroutine (in a status, a
  // table) then holds its outcome only, not whatever the policy's callbacks reach.
  constructor(private policy?: OutcomePolicy, monitor?: MonitorTarget) {
    if (monitor !== undefined) this.monitors.push(monitor);
  }

  /** True once the outcome is delivered. */
  get done(): boolean {
    return this.status !== undefined;
  }

  /** The watch reports the coroutine's status (first one wins); held until the start is known. */
  send(status: unknown): boolean {
    if (this.status !== undefined || this.held !== undefined || !(status instanceof MonitorStatus)) return false;
    if (this.started) this.deliver(status);
    else this.held = status;
    return true;
  }

  /** The start is known: `subject` is the coroutine. A status held meanwhile is delivered now. */
  bind(subject: CoroRef): void {
    if (this.started) return;
    this.started = true;
    this.subject = subject;
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) this.deliver(held);
  }

  /**
   * Ends it as lost with `error`, whatever it waits for (the start failed, or its node is known to
   * be gone); false if it has an outcome already. A status held meanwhile is dropped.
   */
  abandon(error: Error, subject: CoroRef): boolean {
    if (this.status !== undefined) return false;
    this.started = true;
    this.subject ??= subject;
    this.held = undefined;
    this.deliver(new MonitorStatus(this.subject, 'peer-lost', undefined, error), true);
    return true;
  }

  /** The start failed: a status held meanwhile (the peer's loss) is delivered; otherwise nothing is. */
  startFailed(subject: CoroRef): void {
    if (this.started) return;
    this.bind(subject);
  }

  /** Makes `monitor` receive the outcome (at once if delivered). */
  notify(monitor: MonitorTarget): void {
    if (this.status !== undefined) monitor.send(this.status);
    else this.monitors.push(monitor);
  }

  /**
   * `finish()` of the coroutine: its value, its error thrown (CoroTerminatedError when it was
   * terminated), or `alarm` when `timeout` passes first.
   */
  async finish<R, A>(sched: Scheduler, who: object, options?: ActingWaitOptions & { alarm?: A }): Promise<R | A> {
    const timeout = checkWaitOptions(options);
    let status = this.status;
    if (status === undefined) {
      const wait = new Wait<MonitorStatus | typeof TIMED_OUT>(sched, sched.actor(options?.coro), WaitKind.Other);
      wait.alarm = TIMED_OUT;
      this.waiters.push(wait);
      const ended = wait.start(timeout, options?.signal);
      // Waiting on a live peer (its loss ends the wait) keeps the process alive, as a pending socket would.
      if (timeout === Infinity && wait.owner === undefined) sched.holdUntil(ended);
      const result = await ended;
      if (result === TIMED_OUT) return options?.alarm as A;
      status = result;
    }
    return outcomeOf<R>(status, who);
  }

  private deliver(raw: MonitorStatus, local = false): void {
    const coro = this.subject ?? raw.coro;
    let status = raw;
    if (raw.reason === 'peer-lost' && !local && this.policy?.lost !== undefined) status = new MonitorStatus(coro, 'peer-lost', undefined, this.policy.lost(raw));
    else if (coro !== raw.coro) status = new MonitorStatus(coro, raw.reason, raw.value, raw.error);
    this.status = status;
    const policy = this.policy;
    this.policy = undefined;
    policy?.ended?.(status);
    for (const m of this.monitors.splice(0)) m.send(status);
    for (const w of this.waiters.drain()) w.wake(status);
  }
}
