import { expect } from 'chai';
import { inspect } from 'node:util';
import { DashboardToken } from '../../../actors/dashboard/DashboardToken.js';
import { InvalidArgumentError, Secret } from '../../../index.js';

describe('DashboardToken', () => {
  const TEXT = 'token-spec-0123456789abcdef';

  it('keeps only a digest: matches the token, and shows [token] through inspect, JSON and String', () => {
    const token = DashboardToken.from(TEXT);
    expect(token.matches(TEXT)).to.equal(true);
    for (const wrong of ['', TEXT.slice(1), `${TEXT}x`, TEXT.toUpperCase()]) expect(token.matches(wrong), wrong).to.equal(false);
    for (const shown of [inspect({ token }, { depth: Infinity, showHidden: true }), JSON.stringify({ token }), String(token)]) {
      expect(shown).to.not.include(TEXT);
      expect(shown).to.include('[token]');
    }
  });

  it('takes a Secret as well', () => {
    expect(DashboardToken.from(Secret.from(TEXT)).matches(TEXT)).to.equal(true);
  });

  it('refuses a short, spaced or non-text token with InvalidArgumentError that never repeats it', () => {
    for (const bad of ['short', 'has spaces in it, long enough', 'tab\there-and-long-enough', Secret.from('short-secret'), 42, null]) {
      try {
        DashboardToken.from(bad as string);
        expect.fail(`accepted ${String(bad)}`);
      } catch (err) {
        expect(err).to.be.instanceOf(InvalidArgumentError);
        if (typeof bad === 'string') expect((err as Error).message).to.not.include(bad);
      }
    }
  });
});
