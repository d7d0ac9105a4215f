import { expect } from 'chai';
import { Location } from '../../../transports/net/Location.js';
import { lookupAll, SEED_REFRESH_MS, SeedAddresses } from '../../../transports/net/seedAddresses.js';

describe('seedAddresses', () => {
  it('lookupAll: every address of a name, as the system resolver gives it', async () => {
    expect(await lookupAll('localhost')).to.include('127.0.0.1');
    expect(await lookupAll('127.0.0.9')).to.deep.equal(['127.0.0.9']);
  });

  it('refresh: names become one seed per address (deduplicated), addresses stay, a failed lookup keeps the name', async () => {
    const seeds = new SeedAddresses([Location.parse('svc.test:9706'), Location.parse('10.0.0.9:9706'), Location.parse('gone.test:1'), Location.parse('[::1]:5')], async (host) => {
      if (host === 'svc.test') return ['10.0.0.5', '10.0.0.6', '10.0.0.5'];
      throw new Error('ENOTFOUND');
    });
    expect(seeds.hasNames).to.equal(true);
    expect((await seeds.refresh(0)).map(String)).to.deep.equal(['10.0.0.5:9706', '10.0.0.6:9706', '10.0.0.9:9706', 'gone.test:1', '[::1]:5']);
    expect(seeds.current.map(String)).to.have.length(5);
  });

  it('refreshIfDue: again after SEED_REFRESH_MS, one lookup at a time; never without names', async () => {
    let lookups = 0;
    let answer = ['10.0.0.5'];
    const seeds = new SeedAddresses([Location.parse('svc.test:1')], async () => (lookups++, answer));
    await seeds.refresh(0);
    expect(seeds.refreshIfDue(SEED_REFRESH_MS - 1)).to.equal(false);
    answer = ['10.0.0.5', '10.0.0.7'];
    expect(seeds.refreshIfDue(SEED_REFRESH_MS)).to.equal(true);
    expect(seeds.refreshIfDue(2 * SEED_REFRESH_MS)).to.equal(false); // in progress
    await seeds.refresh(SEED_REFRESH_MS);
    expect([lookups, seeds.current.map(String)]).to.deep.equal([2, ['10.0.0.5:1', '10.0.0.7:1']]);
    expect(new SeedAddresses([Location.parse('10.0.0.1:1')], async () => []).refreshIfDue(Infinity)).to.equal(false);
  });
});
