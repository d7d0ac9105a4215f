import { expect } from 'chai';
import { runExample } from './runExample.js';

describe('examples/tut_client_server', () => {
  it('processes 30 messages exactly once, in order per client, and exits despite the daemon server', async () => {
    const run = await runExample('tut_client_server', [], { SCALE: '0.05', SEED: '5' });
    expect(run.code).to.equal(0);
    const parsed = run.lines.map((l) => /^processing (\d+): (\d+) \/ (\d+)$/.exec(l));
    expect(parsed.every((m) => m !== null), run.stdout).to.equal(true);
    expect(parsed.map((m) => Number(m![1]))).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
    for (let client = 0; client < 10; client++) {
      const seq = parsed.filter((m) => Number(m![2]) === client).map((m) => Number(m![3]));
      expect(seq, `client ${client}`).to.deep.equal([0, 1, 2]);
    }
  });
});
