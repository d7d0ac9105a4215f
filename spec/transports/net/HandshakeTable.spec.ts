import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { addressGroup, FAILURE_DELAY_MS, FAILURE_MEMORY_MS, HandshakeTable, MAX_FAILURE_DELAY_MS, type HandshakeEntry } from '../../../transports/net/HandshakeTable.js';
import { until } from '../../helpers.js';

/** What the table reads of a socket: its address, the bytes each way, and destroy(). */
class FakeSocket extends EventEmitter {
  bytesRead = 0;
  bytesWritten = 22;
  destroyed = false;
  constructor(readonly remoteAddress: string) {
    super();
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.emit('close');
    }
    return this;
  }
}
const socket = (address = '10.0.0.1'): Socket & FakeSocket => new FakeSocket(address) as unknown as Socket & FakeSocket;

describe('HandshakeTable', () => {
  const tables: HandshakeTable[] = [];
  const table = (capacity = 4, perAddress = 2, provedAfterBytes?: number): HandshakeTable => {
    const t = new HandshakeTable({ capacity, perAddress, firstByteMs: 60_000, provedAfterBytes });
    tables.push(t);
    return t;
  };
  afterEach(() => {
    for (const t of tables.splice(0)) t.closeAll();
  });

  it('admits any number from one address while there is room (a cluster on one machine dials from one address)', () => {
    const t = table(10, 2);
    const sockets = Array.from({ length: 10 }, () => socket('127.0.0.1'));
    for (const s of sockets) expect(t.admit(s)).to.be.an('object');
    expect(t.size).to.equal(10);
    expect(sockets.some((s) => s.destroyed)).to.equal(false);
  });

  it('when full, a newcomer takes the place of the oldest unproven connection; one from an address over its share goes first', () => {
    const t = table(4, 2);
    const [a1, a2, a3, b1] = [socket('10.0.0.1'), socket('10.0.0.1'), socket('10.0.0.1'), socket('10.0.0.2')];
    for (const s of [b1, a1, a2, a3]) t.admit(s, 0);
    expect(t.admit(socket('10.0.0.3'), 1)).to.be.an('object');
    expect([b1, a1, a2, a3].map((s) => s.destroyed)).to.deep.equal([false, true, false, false]); // 10.0.0.1 held 3 > 2
    expect(t.admit(socket('10.0.0.4'), 2)).to.be.an('object');
    expect(b1.destroyed, 'then the oldest').to.equal(true);
    expect(t.takeEvicted()).to.equal(2);
    expect(t.takeEvicted()).to.equal(0);
  });

  it('never evicts a connection that proved the secret (finished TLS or the key exchange, or answered past its greeting with a secret); full of them, it refuses', () => {
    const t = table(2, 2, 54);
    const tls = socket(), psk = socket();
    t.secured(t.admit(tls, 0) as HandshakeEntry);
    t.admit(psk, 0);
    psk.bytesWritten = 247; // its confirmation record went out: the initiator's first record verified
    expect(t.admit(socket(), 1)).to.equal('full');
    expect([tls.destroyed, psk.destroyed]).to.deep.equal([false, false]);
  });

  it('under pressure each address has two at once and one more a second; a finished TLS gives its share back', () => {
    const t = table(2, 4);
    t.admit(socket('10.0.0.9'), 0);
    t.admit(socket('10.0.0.9'), 0);
    expect(t.admit(socket('10.0.0.1'), 0)).to.be.an('object');
    const second = t.admit(socket('10.0.0.1'), 0) as HandshakeEntry;
    expect(second).to.be.an('object');
    expect(t.admit(socket('10.0.0.1'), 0)).to.equal('throttled');
    expect(t.admit(socket('10.0.0.1'), 999)).to.equal('throttled');
    expect(t.admit(socket('10.0.0.1'), 1000)).to.be.an('object'); // one a second
    t.secured(second);
    expect(t.admit(socket('10.0.0.1'), 1000)).to.be.an('object');
    expect(t.admit(socket('10.0.0.2'), 1000)).to.be.an('object'); // another address has its own
  });

  it('failed authentications refuse the address for a delay that doubles per failure, one handshake at a time until forgotten', () => {
    const t = table(8, 8);
    t.failed('10.0.0.7', 0);
    expect(t.throttledFor('10.0.0.7', 0)).to.equal(FAILURE_DELAY_MS);
    expect(t.admit(socket('10.0.0.7'), 50)).to.equal('throttled');
    const one = t.admit(socket('10.0.0.7'), FAILURE_DELAY_MS) as HandshakeEntry;
    expect(one).to.be.an('object');
    expect(t.admit(socket('10.0.0.7'), FAILURE_DELAY_MS + 1), 'one at a time').to.equal('throttled');
    expect(t.admit(socket('10.0.0.8'), FAILURE_DELAY_MS + 1), 'other addresses are not slowed').to.be.an('object');
    t.release(one);
    for (let i = 2; i <= 5; i++) t.failed('10.0.0.7', 1000);
    expect(t.throttledFor('10.0.0.7', 1000)).to.equal(FAILURE_DELAY_MS * 16);
    for (let i = 6; i <= 40; i++) t.failed('10.0.0.7', 1000);
    expect(t.throttledFor('10.0.0.7', 1000)).to.equal(MAX_FAILURE_DELAY_MS);
    const later = 1000 + FAILURE_MEMORY_MS + 1;
    expect(t.admit(socket('10.0.0.7'), later), 'forgotten after quiet minutes').to.be.an('object');
    expect(t.admit(socket('10.0.0.7'), later)).to.be.an('object');
  });

  it('closes a connection that sends nothing within firstByteMs; release() is idempotent', async () => {
    const t = new HandshakeTable({ capacity: 4, perAddress: 2, firstByteMs: 20 });
    tables.push(t);
    const silent = socket(), talking = socket();
    talking.bytesRead = 1;
    const e = t.admit(silent) as HandshakeEntry;
    t.admit(talking);
    await until(() => silent.destroyed, 2000, 'the silent one closed');
    expect(talking.destroyed).to.equal(false);
    t.release(e);
    t.release(e);
    expect(t.size).to.equal(1);
  });

  it('refuse() holds a refused connection for a while (so a flood does not come straight back), then closes it; closeAll() closes all', () => {
    const t = table();
    const refused = socket(), held = socket();
    t.refuse(refused);
    expect(refused.destroyed).to.equal(false);
    refused.emit('error', new Error('reset'));
    expect(refused.destroyed, 'an error closes it').to.equal(true);
    t.refuse(held);
    const inTable = socket();
    t.admit(inTable);
    t.closeAll();
    expect([held.destroyed, inTable.destroyed, t.size]).to.deep.equal([true, true, 0]);
  });

  it('groups an IPv4 address by itself (mapped ones too) and an IPv6 address by its /64', () => {
    expect(addressGroup('10.1.2.3')).to.equal('10.1.2.3');
    expect(addressGroup('::ffff:10.1.2.3')).to.equal('10.1.2.3');
    expect(addressGroup('2001:db8:1:2:aaaa::1')).to.equal('2001:db8:1:2::/64');
    expect(addressGroup('2001:DB8:1:2:bbbb:cccc:dddd:eeee')).to.equal('2001:db8:1:2::/64');
    expect(addressGroup('::1')).to.equal('0:0:0:0::/64');
    expect(addressGroup('fe80::1%eth0')).to.equal('fe80:0:0:0::/64');
  });
});
