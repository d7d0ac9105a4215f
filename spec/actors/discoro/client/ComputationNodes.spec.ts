import { expect } from 'chai';
import { discoroFixture, statusLog, WORK } from '../discoroFixture.js';

describe('discoro ComputationNodes', function () {
  this.timeout(30_000);
  const fx = discoroFixture();
  after(() => fx.cleanup());

  it('pulses a node that granted a shorter zombie period than asked often enough for it: a job outlasting that period finishes', async () => {
    const node = await fx.node(['--zombie-period', '800']);
    // Asks for 20 s (10 × its pulse interval of 2 s); the node grants 800 ms, so it pulses every 80 ms there.
    const c = fx.computation({ components: [fx.component('work.mjs', WORK)], nodes: [node.location], pulseInterval: 2000 });
    const log = statusLog(c);
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    const value = (await c.runResult('compute', 1, 2500)) as { i: number };
    expect(value.i).to.equal(1);
    expect(log.seen.map((s) => s.kind)).to.not.include('node-closed');
    expect(await c.runResult('square', 6)).to.equal(36);
    await c.close();
  });
});
