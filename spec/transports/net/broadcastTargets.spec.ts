import { expect } from 'chai';
import { networkInterfaces } from 'node:os';
import { broadcastTargets } from '../../../transports/net/broadcastTargets.js';

describe('broadcastTargets', () => {
  it('loopback → 127.255.255.255; a wildcard or unknown address → 255.255.255.255; IPv6 none; no duplicates', () => {
    expect(broadcastTargets(['127.0.0.1', '127.0.0.2', '::1'], 51350).map(String)).to.deep.equal(['127.255.255.255:51350']);
    expect(broadcastTargets(['0.0.0.0', '192.0.2.200', 'fe80::1'], 9).map(String)).to.deep.equal(['255.255.255.255:9']);
  });

  it("an address of this machine → its interface's broadcast address", function () {
    const nic = Object.values(networkInterfaces()).flatMap((l) => l ?? []).find((a) => a.family === 'IPv4' && !a.internal);
    if (nic === undefined) this.skip();
    const ip = nic!.address.split('.').map(Number);
    const mask = nic!.netmask.split('.').map(Number);
    const expected = ip.map((b, k) => (b & mask[k]!) | (~mask[k]! & 255)).join('.');
    expect(broadcastTargets([nic!.address, '127.0.0.1'], 7).map(String)).to.deep.equal([`${expected}:7`, '127.255.255.255:7']);
  });
});
