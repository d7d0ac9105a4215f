import { expect } from 'chai';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import type { WireContext } from '../../../transports/net/Codec.js';
import { Location } from '../../../transports/net/Location.js';
import { ProtocolError } from '../../../transports/net/netErrors.js';
import { REFERENCE_LIMITS, referenceFromWire, referenceToWire, type NodeReference } from '../../../transports/net/wireReference.js';
import { expectError } from '../../helpers.js';

describe('wireReference', () => {
  let sched: Scheduler;
  let home: WireContext;
  beforeEach(() => {
    sched = new Scheduler();
    home = { incarnation: 'home-incarnation', location: new Location('127.0.0.1', 9705), scheduler: sched };
  });
  afterEach(async () => {
    await sched.terminate();
  });

  type Ref = { live?: boolean; proxy?: NodeReference };
  const proxy = (r: NodeReference): Ref => ({ proxy: r });

  it('referenceToWire: [host, port, incarnation, ...fields] of the owning node', () => {
    expect(referenceToWire(home, 'coro', 7, 'worker')).to.deep.equal(['127.0.0.1', 9705, 'home-incarnation', 7, 'worker']);
    expect(referenceToWire(home, 'channel')).to.deep.equal(['127.0.0.1', 9705, 'home-incarnation']);
  });

  it('referenceToWire without networking is InvalidArgumentError naming the object', async () => {
    const err = await expectError(() => referenceToWire(undefined, 'worker/3', 3), InvalidArgumentError);
    expect(err.message).to.match(/^worker\/3 cannot be referenced remotely/);
    // The object itself may be given: it is printed only for the error.
    let printed = 0;
    const what = { toString: () => (printed++, 'worker/4') };
    expect(referenceToWire(home, what, 4)).to.deep.equal(['127.0.0.1', 9705, 'home-incarnation', 4]);
    expect(printed).to.equal(0);
    expect((await expectError(() => referenceToWire(undefined, what, 4), InvalidArgumentError)).message).to.match(/^worker\/4 cannot/);
  });

  it('referenceFromWire: a foreign reference becomes the proxy with location, incarnation and fields', () => {
    const got = referenceFromWire(['10.0.0.2', 9000, 'other', 7, 'w'], 2, 'coro', home, () => expect.fail('not home'), proxy);
    expect(got.proxy!.location.equals(new Location('10.0.0.2', 9000))).to.equal(true);
    expect(got.proxy!.incarnation).to.equal('other');
    expect(got.proxy!.fields).to.deep.equal([7, 'w']);
  });

  it('a reference that comes home is the live object when it still exists, the proxy otherwise', () => {
    const live: Ref = { live: true };
    const wire = referenceToWire(home, 'coro', 7);
    expect(referenceFromWire(wire, 1, 'coro', home, (r) => (r.fields[0] === 7 ? live : undefined), proxy)).to.equal(live);
    const gone = referenceFromWire(wire, 1, 'coro', home, () => undefined, proxy) as { proxy: NodeReference };
    expect(gone.proxy.incarnation).to.equal('home-incarnation');
    // Without a context (a codec of no network) nothing is home.
    expect(referenceFromWire(wire, 1, 'coro', undefined, () => live, proxy)).to.not.equal(live);
  });

  it('a malformed reference is ProtocolError: wrong shape, field count, location or incarnation', async () => {
    const bad: unknown[] = [
      'not an array',
      ['127.0.0.1', 9705, 'inc'], // one field missing
      ['127.0.0.1', 9705, 'inc', 1, 2], // one too many
      [5, 9705, 'inc', 1],
      ['', 9705, 'inc', 1],
      ['h'.repeat(REFERENCE_LIMITS.host + 1), 9705, 'inc', 1],
      ['127.0.0.1', 70000, 'inc', 1],
      ['127.0.0.1', '9705', 'inc', 1],
      ['127.0.0.1', 9705, 42, 1],
      ['127.0.0.1', 9705, 'i'.repeat(REFERENCE_LIMITS.incarnation + 1), 1],
    ];
    for (const data of bad) {
      await expectError(() => referenceFromWire(data, 1, 'coro', home, () => undefined, proxy), ProtocolError);
    }
    const err = await expectError(() => referenceFromWire(['', 1, 'i', 1], 1, 'channel', home, () => undefined, proxy), ProtocolError);
    expect(err.message).to.equal('malformed channel reference location');
  });

  it('accepts the limits exactly', () => {
    const data = ['h'.repeat(REFERENCE_LIMITS.host), 65535, 'i'.repeat(REFERENCE_LIMITS.incarnation), 'x'];
    const got = referenceFromWire(data, 1, 'coro', home, () => undefined, proxy) as { proxy: NodeReference };
    expect(got.proxy!.location.port).to.equal(65535);
  });
});
