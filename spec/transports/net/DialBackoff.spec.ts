import { expect } from 'chai';
import { AUTH_FAILURE_WAIT_MS, BACKOFF_FIRST_MS, BACKOFF_MAX_MS, DialBackoff } from '../../../transports/net/DialBackoff.js';

describe('DialBackoff', () => {
  it('a location never failed may be dialled now; each failure doubles the delay (±50 %) up to the maximum', () => {
    const b = new DialBackoff();
    expect(b.waitFor('a:1', 0)).to.equal(0);
    let nominal = BACKOFF_FIRST_MS;
    for (let k = 1; k <= 10; k++) {
      const delay = b.failed('a:1', 'busy', 1000);
      expect(delay, `failure ${k}`).to.be.within(nominal * 0.5, nominal * 1.5);
      expect(b.waitFor('a:1', 1000)).to.be.closeTo(delay, 1e-6);
      expect(b.count('a:1')).to.deep.equal({ failures: k, cuts: 0 });
      nominal = Math.min(BACKOFF_MAX_MS, nominal * 2);
    }
    expect(b.waitFor('a:1', 1000 + 1.5 * BACKOFF_MAX_MS)).to.equal(0);
    expect(b.waitFor('b:2', 1000), 'locations are apart').to.equal(0);
  });

  it('a failed authentication waits a minute; handshakes cut short are counted apart', () => {
    const b = new DialBackoff();
    expect(b.failed('a:1', 'auth', 0)).to.equal(AUTH_FAILURE_WAIT_MS);
    b.failed('c:3', 'cut', 0);
    b.failed('c:3', 'busy', 0);
    b.failed('c:3', 'cut', 0);
    expect(b.count('c:3')).to.deep.equal({ failures: 3, cuts: 2 });
  });

  it('allowNow lets the next dial go at once and keeps the count; a success forgets everything', () => {
    const b = new DialBackoff();
    b.failed('a:1', 'busy', 0);
    b.failed('a:1', 'busy', 0);
    b.allowNow('a:1');
    expect(b.waitFor('a:1', 0)).to.equal(0);
    expect(b.count('a:1').failures).to.equal(2);
    expect(b.failed('a:1', 'busy', 0), 'the next delay goes on from the count').to.be.at.least(BACKOFF_FIRST_MS * 4 * 0.5);
    b.succeeded('a:1');
    expect(b.count('a:1')).to.deep.equal({ failures: 0, cuts: 0 });
    expect(b.waitFor('a:1', 0)).to.equal(0);
    b.allowNow('never-failed:9'); // nothing to allow: no entry is made
    expect(b.count('never-failed:9').failures).to.equal(0);
  });

  it('remembers at most 10,000 locations, forgetting the oldest failure first', () => {
    const b = new DialBackoff();
    for (let i = 0; i <= 10_000; i++) b.failed(`h:${i}`, 'busy', 0);
    expect(b.count('h:0').failures).to.equal(0);
    expect(b.count('h:1').failures).to.equal(1);
    expect(b.count('h:10000').failures).to.equal(1);
  });
});
