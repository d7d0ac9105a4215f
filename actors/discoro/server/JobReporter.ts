/**
 * How a discoro server tells its node about its jobs without slowing them: a job's start and end
 * cost a map update and a counter; a report (JobReport: the running count, totals, and the
 * running jobs with a preview of their arguments) goes at most once per `intervalMs`, and only
 * after a change. A job shorter than the interval is counted but never listed, and its
 * arguments are never previewed.
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
import type { JobReport, RunningJob } from '../protocol.js';

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

  /** A job ended: `ok` when it returned a value (false: it threw or was terminated). */
  ended(id: number, ok: boolean): void {
    if (!this.jobs.delete(id)) return;
    if (ok) this.done++;
    else this.failed++;
    this.changed();
  }

  /** The report as of now. */
  report(): JobReport {
    const jobs: RunningJob[] = [];
    for (const [id, e] of this.jobs) {
      if (jobs.length === RUNNING_JOBS_LISTED) break;
      e.preview ??= argsPreview(e.args);
      jobs.push({ id, fn: e.fn, args: e.preview, startTime: e.startTime });
    }
    return { type: 'jobs', running: this.jobs.size, done: this.done, failed: this.failed, jobs };
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
