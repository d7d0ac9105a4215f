import { expect } from 'chai';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { TIMED_OUT, within } from '../../runtime/within.js';
import { deferred } from '../helpers.js';

describe('within', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(() => sched.terminate());

  it('resolves with the promise, or TIMED_OUT when the timeout passes first; a late value goes to late()', async () => {
    expect(await within(sched, Promise.resolve(7), { timeout: 1000 })).to.equal(7);
    const slow = deferred<string>();
    const late: string[] = [];
    expect(await within(sched, slow.promise, { timeout: 5 }, (v) => late.push(v))).to.equal(TIMED_OUT);
    slow.resolve('too late');
    await slow.promise;
    expect(late).to.deep.equal(['too late']);
  });

  it('rejects with the promise error, with the signal reason on abort, and InvalidArgumentError for bad options', async () => {
    const boom = new Error('boom');
    expect(await within(sched, Promise.reject(boom), undefined).catch((e: unknown) => e)).to.equal(boom);
    const pending = deferred<number>();
    const controller = new AbortController();
    const waiting = within(sched, pending.promise, { signal: controller.signal });
    controller.abort(new Error('stop'));
    expect(((await waiting.catch((e: unknown) => e)) as Error).message).to.equal('stop');
    const late: number[] = [];
    const bad = within(sched, Promise.resolve(3), { timeout: -1 }, (v) => late.push(v));
    expect(await bad.catch((e: unknown) => e)).to.be.instanceOf(InvalidArgumentError);
    await Promise.resolve();
    expect(late, 'the value of a refused call is handed to late()').to.deep.equal([3]);
  });
});
