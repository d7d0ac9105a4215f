import { expect } from 'chai';
import type { JobReport } from '../../../../actors/discoro/protocol.js';
import { describeError, FAILURES_LISTED, JobReporter, RUNNING_JOBS_LISTED } from '../../../../actors/discoro/server/JobReporter.js';
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

  it(`lists the jobs that threw since the last report (not the terminated ones), at most ${FAILURES_LISTED}, the others counted; each once`, () => {
    const reporter = new JobReporter(() => undefined, sched, 1000);
    reporter.started(1, 'parse', ['a.csv', { strict: true }]);
    reporter.started(2, 'parse', ['b.csv']);
    reporter.started(3, 'parse', ['c.csv']);
    reporter.ended(1, false, { error: new SyntaxError('bad line 7', { cause: new Error('unexpected ,') }) });
    reporter.ended(2, false); // terminated: counted as failed, not listed
    reporter.ended(3, false, { error: 'a thrown string' });
    const r = reporter.report();
    expect(r.failed).to.equal(3);
    expect(r.failuresDropped).to.equal(0);
    expect(r.failures!.map((f) => [f.id, f.fn, f.args, f.error.name, f.error.message])).to.deep.equal([
      [1, 'parse', '["a.csv",{"strict":true}]', 'SyntaxError', 'bad line 7'],
      [3, 'parse', '["c.csv"]', 'string', 'a thrown string'],
    ]);
    expect(r.failures![0]!.error.stack).to.match(/^SyntaxError: bad line 7\n\s+at /).and.include('caused by: Error: unexpected ,');
    expect(r.failures![0]!.endTime).to.be.at.least(r.failures![0]!.startTime);
    expect(reporter.report().failures).to.equal(undefined); // listed once
    for (let id = 10; id < 10 + FAILURES_LISTED + 7; id++) {
      reporter.started(id, 'f', []);
      reporter.ended(id, false, { error: new Error(`e${id}`) });
    }
    const storm = reporter.report();
    expect([storm.failures!.length, storm.failuresDropped]).to.deep.equal([FAILURES_LISTED, 7]);
    reporter.stop();
  });

  it('describeError bounds what travels: message, stack with its causes, code', () => {
    const deep = new Error('top', { cause: new Error('middle', { cause: new Error('bottom') }) });
    const d = describeError(deep);
    expect(d.stack).to.include('caused by: Error: middle').and.include('caused by: Error: bottom');
    const coded = Object.assign(new Error('x'.repeat(5000)), { code: 'ERR_BAD' });
    const c = describeError(coded);
    expect([c.code, c.message.length]).to.deep.equal(['ERR_BAD', 1024]);
    const huge = new Error('big');
    huge.stack = 'y'.repeat(20_000);
    expect(describeError(huge).stack.length).to.equal(8192);
    expect(describeError(undefined)).to.deep.equal({ name: 'undefined', message: 'undefined', stack: 'undefined: undefined' });
  });
});
