import { expect } from 'chai';
import type { NetworkInterfaceInfo } from 'node:os';
import { broadcastAddresses, broadcastTargets, directedBroadcast, type InterfaceList } from '../../../transports/net/broadcastTargets.js';

function v4(address: string, netmask: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask, family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: null };
}

const LAB: InterfaceList = {
  lo: [v4('127.0.0.1', '255.0.0.0', true), { address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', family: 'IPv6', mac: '00:00:00:00:00:00', internal: true, cidr: null, scopeid: 0 }],
  eth0: [v4('192.0.2.11', '255.255.255.0')],
  eth1: [v4('10.1.2.3', '255.255.0.0')],
  tun0: [v4('198.51.100.7', '255.255.255.255')],
};

describe('broadcastTargets', () => {
  it('directedBroadcast: the subnet\'s last address; none for /31, /32 or what is not IPv4', () => {
    expect(directedBroadcast('192.0.2.11', '255.255.255.0')).to.equal('192.0.2.255');
    expect(directedBroadcast('10.1.2.3', '255.255.0.0')).to.equal('10.1.255.255');
    expect(directedBroadcast('172.16.5.9', '255.255.255.252')).to.equal('172.16.5.11');
    expect(directedBroadcast('10.0.0.1', '255.255.255.254')).to.equal(undefined);
    expect(directedBroadcast('10.0.0.1', '255.255.255.255')).to.equal(undefined);
    expect(directedBroadcast('::1', 'ffff::')).to.equal(undefined);
    expect(directedBroadcast('10.0.0.300', '255.0.0.0')).to.equal(undefined);
  });

  it('a node on one of the host\'s addresses broadcasts on that subnet only (never the limited broadcast, which a host without a default route refuses)', () => {
    expect(broadcastAddresses('192.0.2.11', LAB)).to.deep.equal(['192.0.2.255']);
    expect(broadcastAddresses('10.1.2.3', LAB)).to.deep.equal(['10.1.255.255']);
  });

  it('a wildcard or an address the host lacks: the limited broadcast and every external subnet', () => {
    const all = ['255.255.255.255', '192.0.2.255', '10.1.255.255'];
    expect(broadcastAddresses('0.0.0.0', LAB)).to.deep.equal(all);
    expect(broadcastAddresses('node-a.example', LAB)).to.deep.equal(all);
    // A point-to-point address has no subnet to broadcast on.
    expect(broadcastAddresses('198.51.100.7', LAB)).to.deep.equal(['255.255.255.255']);
    expect(broadcastAddresses('0.0.0.0', { lo: LAB.lo })).to.deep.equal(['255.255.255.255']);
  });

  it('loopback stays on loopback', () => {
    expect(broadcastAddresses('127.0.0.1', LAB)).to.deep.equal(['127.255.255.255']);
    expect(broadcastAddresses('::1', LAB)).to.deep.equal(['127.255.255.255']);
  });

  it('broadcastTargets: the targets of every listening host at the port, no duplicates, none for IPv6', () => {
    expect(broadcastTargets(['127.0.0.1', '127.0.0.2', '::1'], 51350, LAB).map(String)).to.deep.equal(['127.255.255.255:51350']);
    expect(broadcastTargets(['192.0.2.11', '127.0.0.1', 'fe80::1'], 7, LAB).map(String)).to.deep.equal(['192.0.2.255:7', '127.255.255.255:7']);
    expect(broadcastTargets(['0.0.0.0', '192.0.2.11'], 9, LAB).map(String)).to.deep.equal(broadcastAddresses('0.0.0.0', LAB).map((b) => `${b}:9`));
  });
});
