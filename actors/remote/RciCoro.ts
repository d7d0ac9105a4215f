/**
 * The reference an RCI call returns for a coroutine started on another node. Every such call
 * carries a watch (as pycos's RPS did), so the outcome is kept here (a HeldOutcome, the class
 * discoro's jobs use too): `finish()`/`value()` work even when the coroutine ended before they
 * were called. On the wire it is a plain coroutine reference.
 * @module
 */
import type { Scheduler } from '../../runtime/Scheduler.js';
import type { PeerNetwork } from '../../transports/net/PeerNetwork.js';
import type { HeldOutcome } from './HeldOutcome.js';
import { RemoteCoro } from './RemoteCoro.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';

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
    private readonly outcome: HeldOutcome,
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
    return this.outcome.finish<R, A>(this.sched, this, options);
  }
}
