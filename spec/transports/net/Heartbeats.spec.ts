import { expect } from 'chai';
import { Heartbeats } from '../../../transports/net/Heartbeats.js';
import { until } from '../../helpers.js';

describe('Heartbeats', () => {
  it('ticks every half interval with the peer timeout; a tick that comes late (the loop was blocked) judges nobody (Infinity)', async () => {
    const ticks: number[] = [];
    const beats = new Heartbeats(40, 200, (_now, timeout) => void ticks.push(timeout));
    beats.start();
    try {
      await until(() => ticks.length >= 2, 5000, 'two ticks');
      expect(ticks.slice(0, 2)).to.deep.equal([200, 200]);
      const blockedUntil = performance.now() + 150; // more than half the timeout
      while (performance.now() < blockedUntil);
      const before = ticks.length;
      await until(() => ticks.length >= before + 2, 5000, 'the late tick and the next');
      expect(ticks[before]).to.equal(Infinity);
      expect(ticks[before + 1]).to.equal(200);
    } finally {
      beats.stop();
    }
    const stopped = ticks.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(ticks.length).to.equal(stopped);
  });
});
