import { expect } from 'chai';
import { networkInterfaces } from 'node:os';
import { advertisedHost } from '../../../transports/net/advertisedHost.js';

describe('advertisedHost', () => {
  it('a concrete host is advertised as it is', () => {
    for (const host of ['127.0.0.1', '10.1.2.3', '::1', 'node-a.example']) expect(advertisedHost(host)).to.equal(host);
  });

  it('a wildcard (0.0.0.0 or ::) becomes the first external IPv4 address, else loopback', () => {
    const external = Object.values(networkInterfaces()).flatMap((list) => list ?? []).find((a) => a.family === 'IPv4' && !a.internal);
    const expected = external?.address ?? '127.0.0.1';
    expect(advertisedHost('0.0.0.0')).to.equal(expected);
    expect(advertisedHost('::')).to.equal(expected);
    expect(advertisedHost('0.0.0.0')).to.not.equal('0.0.0.0');
  });
});
