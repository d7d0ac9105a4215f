/**
 * The reference an RCI call returns for a coroutine started on another node. Every such call
 * carries a watch (as pycos's RPS did), so the outcome is kept here: `finish()`/`value()` work
 * even when the coroutine ended before they were called. On the wire it is a plain coroutine
 * reference.
 * @module
 */
import { MonitorStatus } from '../../runtime/MonitorStatus.js';
import { checkWaitOptions } from '../../runtime/options.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import type { MonitorTarget } from '../../runtime/Coro.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import type { PeerNetwork } from '../../transports/net/PeerNetwork.js';
import { outcomeOf, RemoteCoro } from './RemoteCoro.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';

const TIMED_OUT = Symbol('timed out');

/**
 * Receives the outcome of a called coroutine (its watch target), forwards it to the caller's
 * monitor, and keeps it for `finish()`. Exists before the call's reply, since the outcome may
 * arrive first.
 * @example
 * ```ts
 * const outcome = new RciOutcome(options.monitor);
 * RemoteWatches.of(net).add(peer, subject, outcome);
 * ```
 */
/** An outcome the caller already watches: its status once known, and a queue of finish() waits. */
export interface HeldOutcome {
  readonly status: MonitorStatus | undefined;
  wait(w: Wait<unknown>): void;
}

/**
 * `finish()` of a coroutine whose outcome is already watched: its value, its error thrown, or
 * `alarm` when `timeout` passes first (shared by RCI calls and discoro jobs).
 * @example
 * ```ts
 * const outcome = new RciOutcome(undefined);
 * const v = await finishFrom(outcome, sched, remote, { timeout: 5000, alarm: null });
 * ```
 */
export async function finishFrom<R, A>(outcome: HeldOutcome, sched: Scheduler, who: object, options?: ActingWaitOptions & { alarm?: A }): Promise<R | A> {
  const timeout = checkWaitOptions(options);
  let status = outcome.status;
  if (status === undefined) {
    const wait = new Wait<unknown>(sched, sched.actor(options?.coro), WaitKind.Other);
    wait.alarm = TIMED_OUT;
    outcome.wait(wait);
    const ended = wait.start(timeout, options?.signal);
    // Waiting on a live peer (its loss ends the wait) keeps the process alive, as a pending socket would.
    if (timeout === Infinity && wait.owner === undefined) sched.holdUntil(ended);
    const result = await ended;
    if (result === TIMED_OUT) return options?.alarm as A;
    status = result as MonitorStatus;
  }
  return outcomeOf<R>(status, who);
}

export class RciOutcome implements HeldOutcome {
  status: MonitorStatus | undefined = undefined;
  private readonly waiters = new WaiterQueue();

  constructor(private readonly monitor: MonitorTarget | undefined) {}

  send(status: unknown): boolean {
    if (this.status !== undefined || !(status instanceof MonitorStatus)) return false;
    this.status = status;
    this.monitor?.send(status);
    for (const w of this.waiters.drain()) w.wake(status);
    return true;
  }

  /** Queues a finish() wait (see finishFrom). */
  wait(w: Wait<unknown>): void {
    this.waiters.push(w);
  }
}

/**
 * A coroutine started by an RCI call on another node.
 * @example
 * ```ts
 * const remote = await rci.call('x');      // an RciCoro when the RCI is remote
 * log(await remote.value());       // works even if it has already ended
 * ```
 */
export class RciCoro<M = unknown, R = unknown> extends RemoteCoro<M, R> {
  private readonly sched: Scheduler;

  constructor(
    net: PeerNetwork,
    ref: RemoteCoro<any, any>,
    private readonly outcome: RciOutcome,
  ) {
    super(net, ref.location, ref.incarnation, ref.id, ref.name);
    this.sched = net.scheduler;
  }

  /**
   * Waits for it to end: its value, or throws its error (a RemoteError), CoroTerminatedError,
   * PeerLostError; `alarm` on timeout.
   * @example
   * ```ts
   * const v = await remote.finish({ timeout: 5000, alarm: null });
   * ```
   */
  override finish<A = undefined>(options?: ActingWaitOptions & { alarm?: A }): Promise<R | A> {
    return finishFrom<R, A>(this.outcome, this.sched, this, options);
  }
}
