/** dashboardOptions: defaults, loopback detection, the host names served, and bad options. */
import { expect } from 'chai';
import { InsecureDashboardError } from '../../../actors/dashboard/dashboardErrors.js';
import { checkDashboardOptions, isLoopback } from '../../../actors/dashboard/dashboardOptions.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { expectError } from '../../helpers.js';

const TOKEN = 'options-spec-token-0123456789';

describe('dashboardOptions', () => {
  it('defaults: 127.0.0.1, an ephemeral port, no token (read-only), 250 ms sampling', () => {
    const s = checkDashboardOptions(undefined);
    expect(s).to.deep.include({ host: '127.0.0.1', port: 0, token: undefined, cluster: undefined, refreshMs: 250, loopback: true });
    expect([...s.hostNames!].sort()).to.deep.equal(['127.0.0.1', '[::1]', 'localhost']);
  });

  it('isLoopback: 127.0.0.0/8, ::1 and localhost; not wildcards or other addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) expect(isLoopback(h), h).to.equal(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', '128.0.0.1']) expect(isLoopback(h), h).to.equal(false);
  });

  it('beyond loopback a token is required; a wildcard host answers any Host header unless allowedHosts says', async () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) await expectError(() => checkDashboardOptions({ host }), InsecureDashboardError);
    expect(checkDashboardOptions({ host: '0.0.0.0', token: TOKEN }).hostNames).to.equal(undefined);
    expect([...checkDashboardOptions({ host: '0.0.0.0', token: TOKEN, allowedHosts: ['Dash.Example'] }).hostNames!]).to.deep.equal(['0.0.0.0', 'dash.example']);
    expect([...checkDashboardOptions({ host: '10.0.0.1', token: TOKEN }).hostNames!]).to.deep.equal(['10.0.0.1']);
    expect([...checkDashboardOptions({ host: 'fe80::1', token: TOKEN }).hostNames!]).to.deep.equal(['[fe80::1]']);
  });

  it('bad values are InvalidArgumentError, and the message never contains the token', async () => {
    const secretish = 'has spaces but long enough to pass the length';
    for (const options of [{ token: secretish }, { token: 'short' }, { token: 'tab\there-and-long-enough' }]) {
      const err = await expectError(() => checkDashboardOptions(options), InvalidArgumentError);
      expect(err.message).not.to.include(options.token);
    }
    for (const options of [null, 3, { host: 'a b' }, { host: 'a/b' }, { port: 65536 }, { port: '80' }, { refreshMs: Number.NaN }, { refreshMs: 10 }, { allowedHosts: 'x' }, { cluster: {} }]) {
      await expectError(() => checkDashboardOptions(options as never), InvalidArgumentError);
    }
  });
});
