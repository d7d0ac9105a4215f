/** JobRate: the jobs-per-second history behind the cluster view's sparkline. */
import { expect } from 'chai';
import { JobRate } from '../../../actors/dashboard/JobRate.js';

describe('JobRate', () => {
  it('keeps the jobs ended between samples, oldest first, at most `size` of them', () => {
    let ended = 5;
    const rate = new JobRate(() => ended, 3);
    rate.sample();
    ended += 2;
    rate.sample();
    ended += 4;
    rate.sample();
    ended += 1;
    rate.sample();
    expect(rate.history()).to.deep.equal([2, 4, 1]);
  });

  it('never reports a negative rate (a source that restarted its counts)', () => {
    let ended = 10;
    const rate = new JobRate(() => ended);
    ended = 3;
    rate.sample();
    expect(rate.history()).to.deep.equal([0]);
  });
});
