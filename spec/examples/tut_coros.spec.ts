import { expect } from 'chai';
import { runExample } from './runExample.js';

describe('examples/tut_coros', () => {
  it('starts every sleeper at once, ends them in order of their sleep, and exits by itself', async () => {
    const run = await runExample('tut_coros', ['10'], { SCALE: '0.2', SEED: '11' });
    expect(run.code).to.equal(0);
    const starts = run.lines.slice(0, 10).map((l) => /^coroutine (\d+) sleeping for ([\d.]+) seconds$/.exec(l));
    expect(starts.every((m) => m !== null), run.stdout).to.equal(true);
    const sleep = new Map(starts.map((m) => [Number(m![1]), Number(m![2])]));
    const ends = run.lines.slice(10).map((l) => Number(/^coroutine (\d+) terminating$/.exec(l)![1]));
    expect([...ends].sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Each coroutine ends after every one that slept clearly less (sleeps are printed rounded).
    for (let i = 0; i < ends.length; i++) {
      for (let j = i + 1; j < ends.length; j++) expect(sleep.get(ends[j]!)! + 0.02).to.be.at.least(sleep.get(ends[i]!)!);
    }
  });
});
