import { expect } from 'chai';
import { discoroFixture, SECRET, type NodeProcess } from '../actors/discoro/discoroFixture.js';
import { runExample } from './runExample.js';

describe('examples: discoro clients against a discoronode', function () {
  this.timeout(60_000);
  const fx = discoroFixture();
  let node: NodeProcess;
  before(async () => {
    node = await fx.node();
  });
  after(() => fx.cleanup());
  const run = (name: string) => runExample(name, [node.location], { DISCORO_SECRET: SECRET, SCALE: '0.05', SEED: '1' }, 45_000);

  it('discoro_client1: ten results in input order, from both servers', async () => {
    const r = await run('discoro_client1');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines.map((l) => Number(/^result for (\d+) from/.exec(l)?.[1]))).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(r.lines.map((l) => /from (\S+):/.exec(l)?.[1])).size).to.equal(2);
  });

  it('discoro_client3: each job delivers its object back to the client coroutine', async () => {
    const r = await run('discoro_client3');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines).to.have.length(10);
    for (const [k, l] of r.lines.entries()) expect(l).to.match(new RegExp(`^result for job ${k}: \\d: \\d\\.\\d{3}$`));
  });

  it('discoro_client7: jobs driven by status messages, ten started and ten finished', async () => {
    const r = await run('discoro_client7');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines.filter((l) => /^rcoro_proc started at \S+ with \d+$/.test(l))).to.have.length(10);
    expect(r.lines.filter((l) => /^rcoro_proc at \S+ finished with \d+$/.test(l))).to.have.length(10);
  });
});
