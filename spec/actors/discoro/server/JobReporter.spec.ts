import { expect } from 'chai';
import type { JobReport } from '../../../../actors/discoro/protocol.js';
import { JobReporter, RUNNING_JOBS_LISTED } from '../../../../actors/discoro/server/JobReporter.js';
import { Scheduler } from '../../../../runtime/Scheduler.js';
import { until } from '../../../helpers.js';

describe('JobReporter', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(() => sched.terminate());

  it('batches: a burst of starts and ends is one report, sent after the interval, with the totals', async () => {
    const reports: JobReport[] = [];
    const reporter = new JobReporter((r) => reports.push(r), sched, 30);
    for (let id = 1; id <= 50; id++) reporter.started(id, 'square', [id]);
    for (let id = 1; id <= 45; id++) reporter.ended(id, id % 5 !== 0);
    expect(reports).to.have.length(0);
    await until(() => reports.length === 1, 2000, 'the report');
    const r = reports[0]!;
    expect(r).to.deep.include({ type: 'jobs', running: 5, done: 36, failed: 9 });
    expect(r.jobs.map((j) => j.id)).to.deep.equal([46, 47, 48, 49, 50]);
    expect(r.jobs[0]).to.deep.include({ fn: 'square', args: '[46]' });
    expect(r.jobs[0]!.startTime).to.be.a('number');
    reporter.stop();
  });

  it('sends nothing without a change; a change after a report is the next report', async () => {
    const reports: JobReport[] = [];
    const reporter = new JobReporter((r) => reports.push(r), sched, 20);
    reporter.started(1, 'f', []);
    await until(() => reports.length === 1, 2000, 'the first report');
    reporter.ended(99, true); // not running: no change
    reporter.flush(); // an explicit flush sends anyway (what a closing server does)
    expect(reports).to.have.length(2);
    expect(reports[1]).to.deep.include({ running: 1, done: 0, failed: 0 });
    reporter.ended(1, true);
    await until(() => reports.length === 3, 2000, 'the next report');
    expect(reports[2]).to.deep.include({ running: 0, done: 1, jobs: [] });
    reporter.stop();
  });

  it('its reports come from a daemon coroutine of the scheduler (in its snapshot); stop() ends it', async () => {
    const reporter = new JobReporter(() => undefined, sched, 20);
    const coro = () => sched.snapshot().coroutines.find((c) => c.name === 'discoro-job-reporter');
    expect(coro()).to.not.equal(undefined);
    reporter.stop();
    await until(() => coro() === undefined, 2000, 'the reporter coroutine ends');
  });

  it(`lists ${RUNNING_JOBS_LISTED} running jobs at most (the count covers all), and previews each job's arguments once, only when listed`, () => {
    let previews = 0;
    const counted = { toJSON: () => ((previews += 1), 'counted') };
    const reporter = new JobReporter(() => undefined, sched, 1000);
    for (let id = 1; id <= RUNNING_JOBS_LISTED + 10; id++) reporter.started(id, 'f', [counted]);
    reporter.started(0, 'short', [counted]);
    reporter.ended(0, true); // a job that ends before any report is never previewed
    expect(previews).to.equal(0);
    const r = reporter.report();
    expect(r.running).to.equal(RUNNING_JOBS_LISTED + 10);
    expect(r.jobs).to.have.length(RUNNING_JOBS_LISTED);
    expect(r.jobs[0]!.args).to.equal('["counted"]');
    expect(previews).to.equal(RUNNING_JOBS_LISTED);
    reporter.report();
    expect(previews).to.equal(RUNNING_JOBS_LISTED);
    reporter.stop();
  });
});
