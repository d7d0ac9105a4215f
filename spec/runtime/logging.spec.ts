import { expect } from 'chai';
import { LogThrottle, silentLogger } from '../../runtime/logging.js';

describe('logging', () => {
  it('silentLogger logs nothing at any level', () => {
    const log = silentLogger();
    expect(log.level).to.equal('silent');
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const) expect(log.isLevelEnabled(level), level).to.equal(false);
  });

  it('LogThrottle: the first hit logs, hits within the interval only count, take() returns and resets the count', () => {
    const t = new LogThrottle(60_000);
    expect(t.hit()).to.equal(true);
    for (let i = 0; i < 9; i++) expect(t.hit()).to.equal(false);
    expect(t.take()).to.equal(10);
    expect(t.take()).to.equal(0);
    expect(t.hit()).to.equal(false); // still within the interval
    expect(t.take()).to.equal(1);
  });

  it('LogThrottle with a zero interval logs every hit', () => {
    const t = new LogThrottle(0);
    for (let i = 0; i < 3; i++) expect(t.hit()).to.equal(true);
    expect(t.take()).to.equal(3);
  });
});
