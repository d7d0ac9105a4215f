/** JobRate: the jobs-per-second history behind the cluster view's sparkline. */
import { expect } from 'chai';
import { JobRate } from '../../../actors/dashboard/JobRate.js';
import { until } from '../../helpers.js';

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

  it('start() samples on a timer until stop()', async () => {
    let ended = 0;
    const rate = new JobRate(() => ++ended);
    let samples = 0;
    rate.start(() => samples++, 20);
    rate.start(() => samples++, 20); // a second start is a no-op
    await until(() => samples >= 3, 5000, 'three samples');
    rate.stop();
    const seen = samples;
    expect(rate.history().length).to.equal(seen);
    expect(rate.history().every((n) => n >= 1)).to.equal(true);
  });
});
