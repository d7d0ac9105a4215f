/**
 * The jobs of one discoro server process: the `run` request of its computation's client starts
 * one (refused, with nothing started, for a function it does not have or arguments that are not a
 * CBOR list), CPU jobs take turns (one runs, one sent ahead waits), the node's dashboard may
 * terminate one, and a close refuses new jobs while the running ones end, within a deadline.
 *
 * The reply to `run` is the job coroutine's id, returned before the coroutine has even started:
 * the outcome (`exited`, through the watch installed here) always follows the reply on the wire.
 * @module
 */
import type { Coro, MonitorTarget } from '../../../runtime/Coro.js';
import { CoroTerminatedError, InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import type { Scheduler } from '../../../runtime/Scheduler.js';
import type { Peer } from '../../../transports/net/Peer.js';
import type { Network } from '../../remote/Network.js';
import { RemoteWatches } from '../../remote/RemoteWatches.js';
import { Lock } from '../../sync/Lock.js';
import { ComputationClosedError } from '../../actorErrors.js';
import { JOB_CORO_NAME, type JobContext, type JobFunctionRef } from '../protocol.js';
import type { JobFunctions } from './JobFunctions.js';
import type { JobReporter } from './JobReporter.js';

type JobFunction = (this: JobContext, coro: Coro, ...args: unknown[]) => unknown;

/**
 * What a job tells whoever waits for the server to close, when it ends.
 * @example
 * ```ts
 * if ((await coro.receive()) === JOB_ENDED) log('one fewer job');
 * ```
 */
export const JOB_ENDED = 'job-ended';

function checkRunBody(body: unknown): [JobFunctionRef, Uint8Array, boolean, number] {
  if (!Array.isArray(body) || body.length !== 4) throw new InvalidArgumentError('malformed run request');
  const [ref, args, cpu, watchId] = body;
  if (typeof ref !== 'object' || ref === null || typeof ref.name !== 'string' || (ref.source !== undefined && typeof ref.source !== 'string')) throw new InvalidArgumentError('malformed job function');
  if (!(args instanceof Uint8Array) || typeof cpu !== 'boolean' || typeof watchId !== 'number' || !Number.isInteger(watchId)) throw new InvalidArgumentError('malformed run request');
  return [ref as JobFunctionRef, args, cpu, watchId];
}

/**
 * The jobs of a server.
 * @example
 * ```ts
 * const jobs = new ServerJobs(sched, net, obj, obj, 'node-a_proc-1', obj);
 * net.handle('discoro-run', (body, peer) => jobs.run(body, peer));
 * ```
 */
export class ServerJobs {
  private readonly running = new Map<number, Coro>();
  /** CPU jobs run one at a time; the client may send a short one ahead, which waits here. */
  private readonly cpuTurn = new Lock();
  /** Told JOB_ENDED by each job that ends once the server closes. */
  private closer: MonitorTarget | undefined = undefined;
  private deadline = Infinity;
  /** A job closed the server (`closeServer`); `restart` as it asked. */
  private retired: { restart: boolean } | undefined = undefined;

  /** The computation's client, once it made a request here. */
  private client: Peer | undefined = undefined;

  constructor(
    private readonly sched: Scheduler,
    private readonly net: Network,
    private readonly fns: JobFunctions,
    private readonly reporter: JobReporter,
    private readonly where: string,
    /** `this` of every job (its `closeServer` calls `retire`). */
    private readonly context: JobContext,
  ) {}

  /**
   * One heartbeat per node: the server never judges its client's silence (its node does, and
   * closes the computation), and heartbeats to it only while jobs run here (the client then
   * judges this server; an idle one is vouched for by its node).
   */
  quiet(client: Peer): void {
    client.liveness.set({ heartbeats: this.running.size > 0, judge: false });
  }

  /** Set when a job closed the server: whether a fresh one should take its place. */
  get retiring(): { restart: boolean } | undefined {
    return this.retired;
  }

  /**
   * A job closes the server: no new job (refused), the running ones end in their own time,
   * `closer` hears JOB_ENDED as each ends. True the first time (false: closing already).
   */
  retire(restart: boolean, closer: MonitorTarget): boolean {
    if (this.closer !== undefined) return false;
    this.retired = { restart };
    this.close(Infinity, closer);
    return true;
  }

  /** Jobs started and not ended (running, or waiting for their CPU turn). */
  get count(): number {
    return this.running.size;
  }

  /** True once close() was called: new jobs are refused. */
  get closing(): boolean {
    return this.closer !== undefined;
  }

  /** Ms left of the close's grace period (Infinity: none). */
  get graceLeft(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  /**
   * The `run` request of the client: starts the job and returns its coroutine's id, the outcome
   * watched (by `watchId`) before the job can run.
   */
  run(body: unknown, peer: Peer): number {
    if (this.closer !== undefined) throw new ComputationClosedError(`server ${this.where} is closing${this.retired !== undefined ? ' (a job closed it)' : ''}`);
    const [ref, encoded, cpu, watchId] = checkRunBody(body);
    const fn = this.fns.resolve(ref);
    let args: unknown;
    try {
      args = this.net.codec.decode(encoded);
    } catch (err) {
      throw new InvalidArgumentError(`job arguments are not CBOR data: ${(err as Error).message}`);
    }
    if (!Array.isArray(args)) throw new InvalidArgumentError('job arguments must be a list');
    this.client = peer;
    const coro = this.sched.spawnWith({ name: JOB_CORO_NAME }, (c: Coro) => this.job(c, fn, ref.name, args, cpu));
    RemoteWatches.of(this.net).serve(peer, watchId, coro, false);
    return coro.id;
  }

  /** Terminates the job running as coroutine `id`; false when there is none. */
  terminate(id: number): boolean {
    const coro = this.running.get(id);
    return coro !== undefined && coro.terminate();
  }

  /**
   * Takes no more jobs; running ones get `grace` ms (the least of all closes so far). `closer`
   * hears JOB_ENDED as each one ends.
   */
  close(grace: number, closer: MonitorTarget): void {
    this.closer = closer;
    this.deadline = Math.min(this.deadline, Date.now() + grace);
  }

  /** Terminates every job still running (the grace period is over). */
  terminateAll(): void {
    for (const coro of this.running.values()) coro.terminate();
  }

  private async job(coro: Coro, fn: JobFunction, name: string, args: unknown[], cpu: boolean): Promise<unknown> {
    // Listed while it waits its turn too: a close or the node's terminate reaches it there.
    this.running.set(coro.id, coro);
    if (this.running.size === 1) this.client?.liveness.set({ heartbeats: true });
    let ok = false, started = false;
    let threw: { error: unknown } | undefined;
    try {
      if (cpu) await this.cpuTurn.acquire(coro);
      this.reporter.started(coro.id, name, args);
      started = true;
      const value = await fn.call(this.context, coro, ...args);
      ok = true;
      return value;
    } catch (err) {
      // What it threw goes to the node's failed-job history; a termination is no failure of the job.
      if (!CoroTerminatedError.is(err)) threw = { error: err };
      throw err;
    } finally {
      this.running.delete(coro.id);
      if (this.running.size === 0) this.client?.liveness.set({ heartbeats: false });
      if (started) this.reporter.ended(coro.id, ok, threw);
      if (this.cpuTurn.owner === coro) this.cpuTurn.release(coro);
      this.closer?.send(JOB_ENDED);
    }
  }
}
