import { expect } from 'chai';
import { runResults, runResultWith } from '../../../../actors/discoro/client/jobResults.js';
import type { JobCoro } from '../../../../actors/discoro/client/JobCoro.js';
import { ServerLostError } from '../../../../actors/actorErrors.js';
import { InvalidArgumentError } from '../../../../runtime/runtimeErrors.js';
import { caught, expectError } from '../../../helpers.js';

/** A computation stand-in: each run is answered by `answer(attempt, args)`. */
function runner(answer: (attempt: number, args: unknown[]) => 'no-server' | { value?: unknown; error?: unknown; never?: true }, isScheduled = true) {
  const calls: unknown[][] = [];
  return {
    calls,
    isScheduled,
    async runWith<R>(_options: object, _fn: unknown, ...args: unknown[]): Promise<JobCoro<unknown, R> | false> {
      calls.push(args);
      const a = answer(calls.length - 1, args);
      if (a === 'no-server') return false;
      const job = {
        finish: (opts: { timeout?: number; alarm?: unknown }) => {
          if (a.never) return new Promise((resolve) => setTimeout(() => resolve(opts.alarm), opts.timeout ?? 0));
          return a.error !== undefined ? Promise.reject(a.error) : Promise.resolve(a.value);
        },
      };
      return job as unknown as JobCoro<unknown, R>;
    },
  };
}
const fn = (x: number) => x;

describe('jobResults', () => {
  it('runResultWith: the job\'s value; its error as it is', async () => {
    expect(await runResultWith(runner(() => ({ value: 42 })), {}, fn, [1])).to.equal(42);
    const boom = new Error('job failed');
    expect(await caught(() => runResultWith(runner(() => ({ error: boom })), {}, fn, [1]))).to.equal(boom);
  });

  it('runResultWith: a lost server is retried up to `retries` times, other errors are not', async () => {
    const lost = new ServerLostError('server died');
    const flaky = runner((attempt) => (attempt < 2 ? { error: lost } : { value: 'third time' }));
    expect(await runResultWith(flaky, { retries: 2 }, fn, [1])).to.equal('third time');
    expect(flaky.calls.length).to.equal(3);
    const always = runner(() => ({ error: lost }));
    expect(await caught(() => runResultWith(always, { retries: 1 }, fn, [1]))).to.equal(lost);
    expect(always.calls.length).to.equal(2);
    const closing = runner(() => ({ error: lost }), false);
    expect(await caught(() => runResultWith(closing, { retries: 5 }, fn, [1]))).to.equal(lost);
    expect(closing.calls.length).to.equal(1); // not scheduled any more: no retry
  });

  it('runResultWith: no server in time, or a job that does not end in time, gives the alarm', async () => {
    expect(await runResultWith(runner(() => 'no-server'), { timeout: 10, alarm: 'none' }, fn, [])).to.equal('none');
    expect(await runResultWith(runner(() => ({ never: true })), { timeout: 10, alarm: 'slow' }, fn, [])).to.equal('slow');
  });

  it('runResultWith: bad retries and timeouts are InvalidArgumentError', async () => {
    for (const retries of [-1, 1.5, 'x']) await expectError(() => runResultWith(runner(() => ({ value: 1 })), { retries: retries as number }, fn, []), InvalidArgumentError);
    await expectError(() => runResultWith(runner(() => ({ value: 1 })), { timeout: -1 }, fn, []), InvalidArgumentError);
  });

  it('runResults: one job per argument list (a bare value is one argument), results in order, progress counted', async () => {
    const r = runner((_attempt, args) => ({ value: (args[0] as number) * 10 }));
    const progress: Array<[number, number]> = [];
    expect(await runResults(r, fn, [[1], 2, [3]], { onProgress: (d, t) => progress.push([d, t]) })).to.deep.equal([10, 20, 30]);
    expect(r.calls).to.deep.equal([[1], [2], [3]]);
    expect(progress.map(([, t]) => t)).to.deep.equal([3, 3, 3]);
    expect(progress.map(([d]) => d)).to.deep.equal([1, 2, 3]);
  });

  it('runResults: false when any job times out; bad input is InvalidArgumentError', async () => {
    const r = runner((_a, args) => (args[0] === 2 ? { never: true } : { value: args[0] }));
    expect(await runResults(r, fn, [1, 2, 3], { timeout: 10 })).to.equal(false);
    await expectError(() => runResults(r, fn, 'not a list' as never, {}), InvalidArgumentError);
    await expectError(() => runResults(r, fn, [], { onProgress: 5 as never }), InvalidArgumentError);
  });
});
