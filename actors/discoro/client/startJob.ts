/**
 * Starting one job of a computation for `run`/`runWith`: check the function and the arguments
 * (encoded once, here: what cannot cross the wire is an InvalidArgumentError before anything
 * happens), take a server (waiting for a free one for a CPU job), start the job there (JobRun),
 * and resolve with its reference once it runs. `timeout` bounds the wait for a free server (then
 * false, and nothing started); the start itself is one request, bounded by the network's request
 * timeout. The `signal` (or the acting coroutine's termination) ends the call at any point; a call
 * that gives up while its start is in flight has its job terminated as soon as it starts, and
 * reported (`job-created`, then `job-terminated`).
 * @module
 */
import { checkWaitOptions } from '../../../runtime/options.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Wait, WaitKind } from '../../../runtime/Wait.js';
import type { ComputationCore as Computation, JobFunction, JobOptions } from './computationTypes.js';
import type { JobFunctionRef } from '../protocol.js';
import type { JobCoro } from './JobCoro.js';
import { JobRun } from './JobRun.js';
import { shipFunction } from './components.js';

/**
 * How a job names its function on the wire; InvalidArgumentError for anything else. A function
 * the computation ships already (the same source under the same name) travels as its name only.
 * @example
 * ```ts
 * functionRef(obj, 'compute'); // { name: 'compute' }
 * ```
 */
export function functionRef(comp: Pick<Computation, 'components'>, fn: JobFunction): JobFunctionRef {
  if (typeof fn === 'string') {
    if (fn.length === 0) throw new InvalidArgumentError('a job function name must not be empty');
    return { name: fn };
  }
  if (typeof fn === 'function') {
    const shipped = shipFunction(fn);
    return comp.components.sources.some((s) => s.name === shipped.name && s.source === shipped.source) ? { name: shipped.name } : shipped;
  }
  throw new InvalidArgumentError('a job function is a component export name or a self-contained function');
}

/**
 * A job's arguments as they travel (encoded once); InvalidArgumentError naming what cannot cross the wire.
 * @example
 * ```ts
 * const bytes = encodeArgs(obj, [1, { x: 2 }]);
 * ```
 */
export function encodeArgs(comp: Computation, args: unknown[]): Uint8Array {
  const net = comp.net!;
  return net.codec.encode(args, net.referenceSent);
}

/**
 * Checks a job's `cpu` option (default true).
 * @example
 * ```ts
 * const cpu = cpuOption({ cpu: false }); // false
 * ```
 */
export function cpuOption(options: JobOptions): boolean {
  const cpu = options.cpu ?? true;
  if (typeof cpu !== 'boolean') throw new InvalidArgumentError('cpu must be a boolean');
  return cpu;
}

/**
 * Starts a job of `comp` (which must be scheduled); false when no server was free within the
 * timeout. Throws what the server refused it with, ServerLostError when the server was lost before
 * the job started (status `job-abandoned`), the signal's reason.
 * @example
 * ```ts
 * const job = await startJob(obj, { cpu: true, timeout: 1000 }, 'compute', [1, 2]);
 * ```
 */
export async function startJob<R>(comp: Computation, options: JobOptions, fn: JobFunction, args: unknown[]): Promise<JobCoro<unknown, R> | false> {
  checkWaitOptions(options);
  const ref = functionRef(comp, fn);
  const cpu = cpuOption(options);
  const encoded = encodeArgs(comp, args);
  const server = await comp.pool.acquire(options.where, cpu, options);
  if (server === false) return false;
  const sched = comp.scheduler;
  const wait = new Wait<JobCoro<unknown, R> | false>(sched, sched.actor(options.coro), WaitKind.Other);
  wait.alarm = false;
  wait.what = 'job start';
  const started = wait.start(Infinity, options.signal);
  if (wait.settled) {
    comp.pool.release(server, cpu);
    return started;
  }
  new JobRun(comp, server, cpu, ref, args, {
    started: (run) => wait.wake(run.job as JobCoro<unknown, R>),
    refused: (_run, error) => void wait.fail(error),
    ended: (_run, status) => void wait.fail(status.error), // lost before it started (else the wait is settled)
  }, 0).start(encoded);
  return started;
}
