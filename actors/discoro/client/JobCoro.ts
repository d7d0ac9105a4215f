/**
 * The reference a discoro job returns: a RemoteCoro for the coroutine running the job on a
 * server, whose outcome is held from the start (HeldOutcome), so `finish()`, `value()` and
 * monitors work even after it ended. A server lost while the job ran ends it with ServerLostError.
 * @module
 */
import type { MonitorTarget } from '../../../runtime/Coro.js';
import type { ActingWaitOptions } from '../../../runtime/coroTypes.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import type { Scheduler } from '../../../runtime/Scheduler.js';
import type { Location } from '../../../transports/net/Location.js';
import type { PeerNetwork } from '../../../transports/net/PeerNetwork.js';
import type { HeldOutcome } from '../../remote/HeldOutcome.js';
import { RemoteCoro } from '../../remote/RemoteCoro.js';
import { JOB_CORO_NAME } from '../protocol.js';

/**
 * A job running on a discoro server.
 * @example
 * ```ts
 * const job: JobCoro = obj; // what computation.run('compute', 3, 5) resolves to
 * log(await job.finish({ timeout: 10_000, alarm: 'still running' }));
 * ```
 */
export class JobCoro<M = unknown, R = unknown> extends RemoteCoro<M, R> {
  constructor(
    net: PeerNetwork,
    location: Location,
    incarnation: string,
    /** Its coroutine's id at the server (0 when the server was lost before it told). */
    id: number,
    private readonly outcome: HeldOutcome,
    private readonly sched: Scheduler,
    /** The server it runs on (`host:port`). */
    readonly server: string,
  ) {
    super(net, location, incarnation, id, JOB_CORO_NAME);
  }

  /** True once it has ended (finished, failed, terminated or lost with its server). */
  get done(): boolean {
    return this.outcome.done;
  }

  /**
   * Waits for it to end: its value; throws its error (a RemoteError keeping name and code),
   * CoroTerminatedError, or ServerLostError; `alarm` on timeout.
   * @example
   * ```ts
   * const v = await job.finish({ timeout: 5000, alarm: null });
   * ```
   */
  override finish<A = undefined>(options?: ActingWaitOptions & { alarm?: A }): Promise<R | A> {
    return this.outcome.finish<R, A>(this.sched, this, options);
  }

  /**
   * Makes `monitor` receive its MonitorStatus (at once if it has ended); a lost server arrives as
   * reason 'peer-lost' with a ServerLostError.
   * @example
   * ```ts
   * await me.monitor(job);
   * ```
   */
  override async notify(monitor: MonitorTarget): Promise<void> {
    if (monitor === null || typeof monitor !== 'object' || typeof monitor.send !== 'function') {
      throw new InvalidArgumentError('monitor must be a coroutine or remote coroutine reference');
    }
    this.outcome.notify(monitor);
  }
}
