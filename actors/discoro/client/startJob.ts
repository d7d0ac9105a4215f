/**
 * Starting one job of a computation: take a server (waiting for a free one for a CPU job), call
 * the computation's RCI there with the job's function and CBOR arguments, and follow the job's
 * outcome (status messages, the server's slot given back).
 * @module
 */
import type { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import type { ComputationCore as Computation, JobFunction, JobOptions } from './computationTypes.js';
import type { JobFunctionRef } from '../protocol.js';
import type { JobInfo } from './discoroStatus.js';
import { JobCoro, JobOutcome } from './JobCoro.js';
import { shipFunction } from './components.js';
import type { RciCoro } from '../../remote/RciCoro.js';


function functionRef(fn: JobFunction): JobFunctionRef {
  if (typeof fn === 'string') {
    if (fn.length === 0) throw new InvalidArgumentError('a job function name must not be empty');
    return { name: fn };
  }
  if (typeof fn === 'function') return shipFunction(fn);
  throw new InvalidArgumentError('a job function is a component export name or a self-contained function');
}

/**
 * Starts a job of `comp` (which must be scheduled); false when no server was free within the timeout.
 * @example
 * ```ts
 * const job = await startJob(obj, { cpu: true, timeout: 1000 }, 'compute', [1, 2]);
 * ```
 */
export async function startJob<R>(comp: Computation, options: JobOptions, fn: JobFunction, args: unknown[]): Promise<JobCoro<unknown, R> | false> {
  const ref = functionRef(fn);
  const net = comp.net!;
  net.codec.encode(args); // InvalidArgumentError now, naming what cannot cross the wire
  const cpu = options.cpu ?? true;
  if (typeof cpu !== 'boolean') throw new InvalidArgumentError('cpu must be a boolean');
  const server = await comp.pool.acquire(options.where, cpu, options);
  if (server === false) return false;
  let info: JobInfo | undefined;
  let early: MonitorStatus | undefined;
  let released = false;
  const sent = performance.now();
  const ended = (status: MonitorStatus): void => {
    if (!released) {
      released = true;
      comp.pool.release(server, cpu, performance.now() - sent);
    }
    if (info === undefined) {
      early = status; // the outcome came before the call's reply: reported after job-created
      return;
    }
    report(comp, info, status);
  };
  const outcome = new JobOutcome(server.info.location, ended);
  let rcoro;
  try {
    rcoro = (await server.rci.callWith({ monitor: outcome, timeout: options.timeout ?? net.requestTimeout, signal: options.signal, coro: options.coro }, ref, args, cpu)) as RciCoro<unknown, R>;
  } catch (err) {
    if (!released) {
      released = true;
      comp.pool.release(server, cpu);
    }
    throw err;
  }
  const job = new JobCoro<unknown, R>(net, rcoro, outcome, comp.scheduler, server.info.location);
  info = { job, fn: ref.name, args, server: server.info.location, startTime: Date.now() };
  if (cpu) comp.cpuJobs.add(job);
  comp.publish({ kind: 'job-created', info });
  if (early !== undefined) report(comp, info, early);
  else comp.jobs.add(job);
  return job;
}

function report(comp: Computation, info: JobInfo, status: MonitorStatus): void {
  comp.jobDone(info.job);
  if (status.reason === 'finished') comp.publish({ kind: 'job-finished', info, value: status.value });
  else if (status.reason === 'terminated') comp.publish({ kind: 'job-terminated', info });
  else if (status.reason === 'peer-lost') comp.publish({ kind: 'job-abandoned', info, error: status.error as Error });
  else comp.publish({ kind: 'job-failed', info, error: status.error as Error });
}
