/**
 * One job on one server, from its start request to its one outcome: the client's record of it.
 * Its outcome (HeldOutcome) is delivered once, whatever reports it first: the server (the job
 * finished, failed or was terminated), the watch (the connection closed), the start request
 * (unreachable, reset, refused while closing, no answer), or the computation (the node says the
 * server's process exited). Each ends the run the same way: its server slot given back (a lost
 * server marked lost first, so that it takes no other job), one status published, its owner told.
 * A start the server refuses (a function it does not have, arguments it cannot read) runs nothing
 * and publishes nothing.
 * @module
 */
import type { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { ProtocolError, RemoteError } from '../../../transports/net/netErrors.js';
import { HeldOutcome } from '../../remote/HeldOutcome.js';
import { RemoteCoro } from '../../remote/RemoteCoro.js';
import { RemoteWatches } from '../../remote/RemoteWatches.js';
import { ComponentError, NotComputationOwnerError, ServerLostError, UnknownJobFunctionError } from '../../actorErrors.js';
import { JOB_CORO_NAME, ServerRequests, type JobFunctionRef } from '../protocol.js';
import type { ComputationCore } from './computationTypes.js';
import type { JobInfo } from './discoroStatus.js';
import { JobCoro } from './JobCoro.js';
import type { PoolRun, PoolServer } from './ServerPool.js';

/** Codes of a server's refusals: the job did not start, and would not start on another server either. */
const REFUSALS = new Set([UnknownJobFunctionError.CODE, ComponentError.CODE, InvalidArgumentError.CODE, NotComputationOwnerError.CODE]);

/**
 * Who started a job and hears how it goes (a `run` call, a batch of `runResults`).
 * @example
 * ```ts
 * const owner: JobOwner = { started: () => true, refused: (_run, e) => log(e), ended: (_run, s) => log(s.reason) };
 * ```
 */
export interface JobOwner {
  /** It runs (`job-created` is published): false when the owner no longer wants it (it is terminated). */
  started(run: JobRun): boolean;
  /** The server refused it: nothing ran (UnknownJobFunctionError, ComponentError, InvalidArgumentError). */
  refused(run: JobRun, error: Error): void;
  /** Its one outcome ('peer-lost' with a ServerLostError when its server was lost). */
  ended(run: JobRun, status: MonitorStatus): void;
}

/**
 * One job on one server.
 * @example
 * ```ts
 * const owner: JobOwner = { started: () => true, refused: (_run, e) => log(e), ended: (_run, s) => log(s.value) };
 * const run = new JobRun(obj, obj, true, { name: 'compute' }, [1, 2], owner, 0);
 * run.start(net.codec.encode([1, 2]));
 * ```
 */
export class JobRun implements PoolRun {
  readonly outcome: HeldOutcome;
  /** The job, once the server has started it (or, lost before, a reference with id 0). */
  job: JobCoro | undefined = undefined;
  private info: JobInfo | undefined = undefined;
  private watchId = 0;
  private cancelled = false;
  private refusedBy: Error | undefined = undefined;
  private readonly sent = performance.now();

  constructor(
    private readonly comp: ComputationCore,
    readonly server: PoolServer,
    readonly cpu: boolean,
    private readonly fn: JobFunctionRef,
    private readonly args: unknown[],
    private readonly owner: JobOwner,
    /** The owner's name for it (a batch's index). */
    readonly key: number,
  ) {
    this.outcome = new HeldOutcome({
      lost: (s) => new ServerLostError(`server ${server.info.location} was lost while ${this.job ?? 'a job'} ran`, { cause: s.error }),
      ended: (s) => this.ended(s),
    });
  }

  /** Sends the start request; `encoded` is the CBOR of the arguments, encoded once by the caller. */
  start(encoded: Uint8Array): void {
    const { server, comp } = this;
    server.runs.add(this);
    comp.runs.add(this);
    const peer = server.peer;
    try {
      this.watchId = RemoteWatches.of(comp.net!).add(peer, (server.anyJob ??= new RemoteCoro(comp.net, peer.location, peer.incarnation, 0, JOB_CORO_NAME)), this.outcome);
    } catch (err) {
      this.startFailed(err);
      return;
    }
    peer.request(ServerRequests.run, [this.fn, encoded, this.cpu, this.watchId], { timeout: comp.net!.requestTimeout }).then(
      (id) => this.started(id),
      (err: unknown) => this.startFailed(err),
    );
  }

  /** Ends it as lost with its server (the pool's report); nothing when it has ended already. */
  lose(error: Error): void {
    if (!this.outcome.done) this.outcome.abandon(error, (this.job ??= this.reference(0)));
  }

  /** The owner gave up on it: terminated if it runs, or as soon as it starts. */
  cancel(): void {
    this.cancelled = true;
    if (this.job !== undefined && !this.outcome.done) void this.job.terminate().catch(() => false);
  }

  /** True while it runs or starts (a close waits for these). */
  get isLive(): boolean {
    return !this.outcome.done && this.refusedBy === undefined;
  }

  private started(id: unknown): void {
    if (this.outcome.done) return; // lost meanwhile: reported already
    if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) return this.startFailed(new ProtocolError('a job start was answered without a coroutine id'));
    const job = (this.job = this.reference(id));
    RemoteWatches.of(this.comp.net!).setSubject(this.watchId, job);
    this.info = { job, fn: this.fn.name, args: this.args, server: this.server.info.location, startTime: Date.now() };
    this.comp.publish({ kind: 'job-created', info: this.info });
    const wanted = !this.cancelled && this.owner.started(this);
    this.outcome.bind(job); // an outcome that came with the reply is delivered now
    if (!wanted) this.cancel();
  }

  private startFailed(err: unknown): void {
    if (this.outcome.done) return;
    if (err instanceof RemoteError && REFUSALS.has(err.code)) {
      this.refusedBy = err;
      RemoteWatches.of(this.comp.net!).drop(this.watchId);
      this.server.runs.delete(this);
      this.comp.runs.delete(this);
      this.comp.pool.release(this.server, this.cpu);
      this.comp.jobEnded();
      this.owner.refused(this, err);
      return;
    }
    const what = this.fn.name === '' ? 'a job' : `job ${this.fn.name}`;
    this.lose(new ServerLostError(`server ${this.server.info.location} was lost before it started ${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err }));
  }

  /** The one outcome: give the slot back, publish, tell the owner. */
  private ended(status: MonitorStatus): void {
    const { server, comp } = this;
    server.runs.delete(this);
    comp.runs.delete(this);
    if (status.reason === 'peer-lost') {
      const error = status.error as Error | undefined;
      comp.serverLost(server, String((error?.cause as Error | undefined)?.message ?? error?.message ?? 'lost'));
    }
    comp.pool.release(server, this.cpu, performance.now() - this.sent);
    const info = this.info ?? { job: this.job!, fn: this.fn.name, args: this.args, server: server.info.location, startTime: Date.now() };
    if (status.reason === 'finished') comp.publish({ kind: 'job-finished', info, value: status.value });
    else if (status.reason === 'terminated') comp.publish({ kind: 'job-terminated', info });
    else if (status.reason === 'peer-lost') comp.publish({ kind: 'job-abandoned', info, error: status.error as Error });
    else comp.publish({ kind: 'job-failed', info, error: status.error as Error });
    comp.jobEnded();
    this.owner.ended(this, status);
  }

  private reference(id: number): JobCoro {
    const peer = this.server.peer;
    return new JobCoro(this.comp.net!, peer.location, peer.incarnation, id, this.outcome, this.comp.scheduler, this.server.info.location);
  }
}

