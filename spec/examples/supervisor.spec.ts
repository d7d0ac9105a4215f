import { expect } from 'chai';
import { runExample } from './runExample.js';

describe('examples/supervisor', () => {
  it('restarts the failed worker and serves the following jobs', async () => {
    const run = await runExample('supervisor', ['8']);
    expect(run.code).to.equal(0);
    expect(run.lines).to.include('job 2 -> 4');
    expect(run.lines).to.include('job 3 lost');
    expect(run.lines).to.include('job 4 -> 16');
    expect(run.lines.filter((l) => l.startsWith('restarted as worker/')).length).to.equal(2);
    expect(run.lines.some((l) => /^worker worker\/\d+ failed: cannot handle job 3$/.test(l))).to.equal(true);
  });
});
