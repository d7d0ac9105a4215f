/**
 * How a server tells its node about its jobs without slowing them: a job's start and end
 * cost a map update and a counter; a report (JobReport: the running count, totals, the running
 * jobs with a preview of their arguments, and the jobs that threw since the last report, each
 * with its error and stack) goes at most once per `intervalMs`, and only after a change. A job
 * shorter than the interval is counted but never listed, and the arguments of a job that
 * succeeds are never previewed. At most FAILURES_LISTED failures are listed per report (the
 * others are counted), so a storm of failing jobs costs the node a bounded amount each time.
 * @example
 * ```ts
 * const reporter = new JobReporter((r) => log(r.running, r.done), sched, 50);
 * reporter.started(7, 'compute', [1, 2]);
 * reporter.ended(7, true);
 * ```
 * @module
 */
import type { Coro } from '../../../runtime/Coro.js';
import type { Scheduler } from '../../../runtime/Scheduler.js';
import { argsPreview } from '../../dashboard/clusterData.js';
import type { JobFailure, JobReport, RunningJob } from '../protocol.js';

/** What the reporting coroutine is woken with: a report is due. */
const DUE = 'due';

/**
 * Running jobs a report lists at most (the count covers all of them).
 * @example
 * ```ts
 * log(`a report lists ${RUNNING_JOBS_LISTED} jobs at most`);
 * ```
 */
export const RUNNING_JOBS_LISTED = 100;

/**
 * Failed jobs a report lists at most (`failuresDropped` counts the others).
 * @example
 * ```ts
 * log(`a report lists ${FAILURES_LISTED} failures at most`);
 * ```
 */
export const FAILURES_LISTED = 50;
/** Bounds of what travels of an error. */
const MESSAGE_CHARS = 1024;
const STACK_CHARS = 8192;
const CAUSES = 3;

interface Entry {
  fn: string;
  args: readonly unknown[];
  startTime: number;
  /** The arguments' preview, made the first time the job is listed. */
  preview?: string;
}

/**
 * The jobs of one server, reported in batches.
 * @example
 * ```ts
 * const reporter = new JobReporter((r) => process.send?.(r), sched);
 * reporter.started(3, 'render', ['frame-1']);
 * log(reporter.running); // 1
 * reporter.stop();
 * ```
 */
export class JobReporter {
  private readonly jobs = new Map<number, Entry>();
  private done = 0;
  private failed = 0;
  private failures: JobFailure[] = [];
  private failuresDropped = 0;
  /** A change is waiting for its report (the reporting coroutine has been woken for it). */
  private due = false;
  /** Sleeps `intervalMs` after the first change since the last report, then sends one. */
  private readonly coro: Coro<typeof DUE>;

  /** `send` gets each report; `intervalMs` (50) is the least time between two. */
  constructor(private readonly send: (report: JobReport) => void, scheduler: Scheduler, private readonly intervalMs = 50) {
    this.coro = scheduler.spawnWith({ name: 'discoro-job-reporter', daemon: true }, async (coro: Coro<typeof DUE>) => {
      for (;;) {
        await coro.receive();
        await coro.sleep(this.intervalMs);
        if (this.due) this.flush();
      }
    });
  }

  /** Jobs running now. */
  get running(): number {
    return this.jobs.size;
  }

  /** A job began, running as coroutine `id`. */
  started(id: number, fn: string, args: readonly unknown[]): void {
    this.jobs.set(id, { fn, args, startTime: Date.now() });
    this.changed();
  }

  /**
   * A job ended: `ok` when it returned a value (false: it threw or was terminated); `threw`, what
   * it threw (not given for a termination), goes to the node with the next report.
   */
  ended(id: number, ok: boolean, threw?: { error: unknown }): void {
    const e = this.jobs.get(id);
    if (e === undefined) return;
    this.jobs.delete(id);
    if (ok) this.done++;
    else this.failed++;
    if (!ok && threw !== undefined) {
      if (this.failures.length < FAILURES_LISTED) this.failures.push({ id, fn: e.fn, args: e.preview ?? argsPreview(e.args), error: describeError(threw.error), startTime: e.startTime, endTime: Date.now() });
      else this.failuresDropped++;
    }
    this.changed();
  }

  /** The report as of now; the failures it lists are not listed again. */
  report(): JobReport {
    const jobs: RunningJob[] = [];
    for (const [id, e] of this.jobs) {
      if (jobs.length === RUNNING_JOBS_LISTED) break;
      e.preview ??= argsPreview(e.args);
      jobs.push({ id, fn: e.fn, args: e.preview, startTime: e.startTime });
    }
    const report: JobReport = { type: 'jobs', running: this.jobs.size, done: this.done, failed: this.failed, jobs };
    if (this.failures.length > 0 || this.failuresDropped > 0) {
      report.failures = this.failures;
      report.failuresDropped = this.failuresDropped;
      this.failures = [];
      this.failuresDropped = 0;
    }
    return report;
  }

  /** Sends the report now (the one pending is then not sent, unless something changes again). */
  flush(): void {
    this.due = false;
    this.send(this.report());
  }

  /** Sends no more reports. */
  stop(): void {
    this.due = false;
    this.coro.terminate();
  }

  private changed(): void {
    if (this.due) return;
    this.due = true;
    this.coro.send(DUE);
  }
}

/**
 * What travels of a job's error: its name, code, message and stack, with those of up to three
 * causes appended to the stack, each bounded (the node keeps them and shows them).
 * @example
 * ```ts
 * describeError(new RangeError('n < 0')); // { name: 'RangeError', message: 'n < 0', stack: 'RangeError: n < 0\\n    at ...' }
 * ```
 */
export function describeError(error: unknown): JobFailure['error'] {
  const e = error instanceof Error ? error : undefined;
  const name = e?.name ?? typeof error;
  const message = (e?.message ?? safeString(error)).slice(0, MESSAGE_CHARS);
  let stack = typeof e?.stack === 'string' ? e.stack : `${name}: ${message}`;
  let cause = e?.cause;
  for (let k = 0; k < CAUSES && cause !== undefined && stack.length < STACK_CHARS; k++) {
    const c = cause instanceof Error ? cause : undefined;
    stack += `\ncaused by: ${c?.stack ?? safeString(cause)}`;
    cause = c?.cause;
  }
  const code = (e as { code?: unknown } | undefined)?.code;
  return { name, ...(typeof code === 'string' ? { code: code.slice(0, 64) } : {}), message, stack: stack.length > STACK_CHARS ? `${stack.slice(0, STACK_CHARS - 1)}…` : stack };
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}
