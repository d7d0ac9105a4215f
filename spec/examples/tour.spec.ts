import { expect } from 'chai';
import { runExample } from './runExample.js';

describe('examples/tour (npm run tour)', () => {
  it('runs every stop of the tour and ends', async () => {
    const run = await runExample('tour', [], {}, 120_000);
    expect(run.code, run.stderr).to.equal(0);
    const stops = run.lines.filter((l) => l.startsWith('=== '));
    expect(stops.length).to.equal(12);
    expect(run.lines).to.include('sum: 10');
    expect(run.lines).to.include('42');
    expect(run.lines).to.include('gave up');
    expect(run.lines[run.lines.length - 1]).to.equal('Tour done. See README.md for the API and the other examples.');
  });
});
