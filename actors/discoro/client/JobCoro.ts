/**
 * The reference a discoro job returns: a RemoteCoro for the coroutine running the job on a
 * server, whose outcome is watched from the start, so `finish()`, `value()` and monitors work
 * even after it ended. A server lost while the job ran ends it with ServerLostError.
 * @module
 */
import type { MonitorTarget } from '../../../runtime/Coro.js';
import type { ActingWaitOptions } from '../../../runtime/coroTypes.js';
import { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import type { Scheduler } from '../../../runtime/Scheduler.js';
import type { Wait } from '../../../runtime/Wait.js';
import { WaiterQueue } from '../../../runtime/WaiterQueue.js';
import type { PeerNetwork } from '../../../transports/net/PeerNetwork.js';
import { RemoteCoro } from '../../remote/RemoteCoro.js';
import { finishFrom } from '../../remote/RciCoro.js';
import { ServerLostError } from '../../actorErrors.js';


/**
 * Receives a job's MonitorStatus (the watch of its RCI call), turns a lost server into
 * ServerLostError, keeps it, and tells the job's monitors and the computation.
 * @example
 * ```ts
 * const outcome = new JobOutcome('127.0.0.1:9707', (status) => log(status.reason));
 * ```
 */
export class JobOutcome {
  status: MonitorStatus | undefined = undefined;
  job: JobCoro<any, any> | undefined = undefined;
  readonly monitors: MonitorTarget[] = [];
  private readonly waiters = new WaiterQueue();

  constructor(
    private readonly server: string,
    private readonly ended: (status: MonitorStatus) => void,
  ) {}

  send(status: unknown): boolean {
    if (this.status !== undefined || !(status instanceof MonitorStatus)) return false;
    const s = status.reason === 'peer-lost'
      ? new MonitorStatus(this.job ?? status.coro, 'peer-lost', undefined, new ServerLostError(`server ${this.server} was lost while ${this.job ?? 'a job'} ran`, { cause: status.error }))
      : new MonitorStatus(this.job ?? status.coro, status.reason, status.value, status.error);
    this.status = s;
    this.ended(s);
    for (const m of this.monitors.splice(0)) m.send(s);
    for (const w of this.waiters.drain()) w.wake(s);
    return true;
  }

  /** Queues a finish() wait (see finishFrom). */
  wait(w: Wait<unknown>): void {
    this.waiters.push(w);
  }
}

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
    ref: RemoteCoro<any, any>,
    private readonly outcome: JobOutcome,
    private readonly sched: Scheduler,
    /** The server it runs on (`host:port`). */
    readonly server: string,
  ) {
    super(net, ref.location, ref.incarnation, ref.id, ref.name);
    outcome.job = this;
  }

  /** True once it has ended (finished, failed, terminated or lost with its server). */
  get done(): boolean {
    return this.outcome.status !== undefined;
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
    return finishFrom<R, A>(this.outcome, this.sched, this, options);
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
    if (this.outcome.status !== undefined) monitor.send(this.outcome.status);
    else this.outcome.monitors.push(monitor);
  }
}
