import { expect } from 'chai';
import { encode as rawEncode } from 'cbor-x';
import { CoroFinishedError, InvalidArgumentError, Location, MonitorStatus, Network, ProtocolError, RemoteCoro, RemoteError, Scheduler } from '../../../index.js';
import { Codec, CORO_LAYER, expectArray, ReferenceTags, RetainedOutcomes, type ReferenceType } from '../../../extend.js';

describe('codec', () => {
  it('round-trips plain data', () => {
    const codec = new Codec();
    const value = { a: 1, b: 'two', c: [true, null, 1.5], d: { nested: new Uint8Array([1, 2, 3]) }, big: 2n ** 70n };
    const back = codec.decode(codec.encode(value)) as typeof value;
    expect(back.a).to.equal(1);
    expect(back.c).to.deep.equal([true, null, 1.5]);
    expect(Buffer.from(back.d.nested)).to.deep.equal(Buffer.from([1, 2, 3]));
    expect(back.big).to.equal(2n ** 70n);
  });

  it('errors cross as RemoteError keeping name, code and message; is() guards still work', () => {
    const codec = new Codec();
    const back = codec.decode(codec.encode(new CoroFinishedError('gone'))) as RemoteError;
    expect(back).to.be.instanceOf(RemoteError);
    expect(back.name).to.equal('CoroFinishedError');
    expect(back.code).to.equal('ERR_CORO_FINISHED');
    expect(back.remoteMessage).to.equal('gone');
    expect(CoroFinishedError.is(back)).to.equal(true);
    const plain = codec.decode(codec.encode(new TypeError('bad'))) as RemoteError;
    expect(plain.name).to.equal('TypeError');
    expect(plain.code).to.equal('ERR_REMOTE');
    // a remote error forwarded again keeps the original message
    const twice = codec.decode(codec.encode(back)) as RemoteError;
    expect(twice.remoteMessage).to.equal('gone');
  });

  it('an error carries its stack and its cause chain across, bounded; forwarded again, it keeps them', () => {
    const codec = new Codec();
    function deep(): Error {
      return new TypeError('the real failure', { cause: Object.assign(new Error('low level'), { code: 'ECONNRESET' }) });
    }
    const original = new CoroFinishedError('wrapped', { cause: deep() });
    const back = codec.decode(codec.encode(original)) as RemoteError;
    expect(back.remoteStack).to.equal(original.stack);
    expect(back.stack).to.match(/^CoroFinishedError: wrapped \(remote\)\n {4}at /);
    const cause = back.cause as RemoteError;
    expect(cause).to.be.instanceOf(RemoteError);
    expect([cause.name, cause.remoteMessage]).to.deep.equal(['TypeError', 'the real failure']);
    expect(cause.stack).to.include('at deep');
    const root = cause.cause as RemoteError;
    expect([root.code, root.remoteMessage]).to.deep.equal(['ECONNRESET', 'low level']);
    const twice = codec.decode(codec.encode(back)) as RemoteError;
    expect(twice.remoteStack).to.equal(original.stack);
    expect(((twice.cause as RemoteError).cause as RemoteError).remoteMessage).to.equal('low level');
    // Bounded: a huge stack is cut at a line, a cause chain 4 deep, a cycle is no trouble, a thrown string is a message.
    const huge = new Error('huge');
    huge.stack = `Error: huge\n${'    at frame (file:///x.js:1:1)\n'.repeat(1000)}`;
    let chain: Error = new Error('cycle');
    chain.cause = chain;
    const sizes = codec.decode(codec.encode(huge)) as RemoteError;
    expect(sizes.remoteStack!.length).to.be.at.most(4096);
    expect(sizes.remoteStack!.endsWith('1:1)')).to.equal(true);
    chain = codec.decode(codec.encode(chain)) as Error;
    let depth = 0;
    for (let e: unknown = chain; e instanceof Error; e = e.cause) depth++;
    expect(depth).to.equal(5);
    const text = codec.decode(codec.encode(new Error('x', { cause: 'just text' }))) as RemoteError;
    expect((text.cause as RemoteError).remoteMessage).to.equal('just text');
  });

  it('locations and monitor statuses cross by structure', () => {
    const codec = new Codec();
    const loc = codec.decode(codec.encode(new Location('127.0.0.1', 9705))) as Location;
    expect(loc).to.be.instanceOf(Location);
    expect(String(loc)).to.equal('127.0.0.1:9705');
    const withCoros = new Codec(undefined, CORO_LAYER.references);
    const s = withCoros.decode(withCoros.encode(new MonitorStatus(new RemoteCoro(undefined, new Location('127.0.0.1', 1), '0'.repeat(32), 1, 'x'), 'finished', 42))) as MonitorStatus;
    expect(s).to.be.instanceOf(MonitorStatus);
    expect(s.value).to.equal(42);
  });

  it('never decodes to code: tag 27 gives a RemoteError, never a RegExp', () => {
    const codec = new Codec();
    const evil = codec.decode(rawEncode(/a+$/)) as unknown;
    expect(evil).to.not.be.instanceOf(RegExp);
    expect(evil).to.be.instanceOf(RemoteError);
  });

  it('garbage and wrong shapes are ProtocolErrors; functions do not encode', () => {
    const codec = new Codec();
    expect(() => codec.decode(Buffer.from([0xff, 0xfe, 0x01]))).to.throw(ProtocolError);
    expect(() => codec.decode(Buffer.from([0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).to.throw(ProtocolError);
    const badLocation = Buffer.concat([Buffer.from([0xd9, ReferenceTags.Location >> 8, ReferenceTags.Location & 0xff]), rawEncode(['h', 'not a port'])]);
    expect(() => codec.decode(badLocation)).to.throw(ProtocolError);
    const badStatus = Buffer.concat([Buffer.from([0xd9, ReferenceTags.MonitorStatus >> 8, ReferenceTags.MonitorStatus & 0xff]), rawEncode([{ id: 1, name: 'x' }, 'exploded', null, null])]);
    expect(() => codec.decode(badStatus)).to.throw(ProtocolError);
    expect(() => codec.encode({ f: () => 1 })).to.throw(InvalidArgumentError);
  });

  it('a codec carries the reference types it is given, validated; others are refused both ways', () => {
    const bad = (tag: number): ReferenceType => ({ tag, classes: [class {}], encode: () => 0, decode: () => 0 });
    expect(() => new Codec(undefined, [bad(27)])).to.throw(InvalidArgumentError);
    expect(() => new Codec(undefined, [{ ...bad(41900), encode: undefined as any }])).to.throw(InvalidArgumentError);
    class Point {
      constructor(readonly x: number, readonly y: number) {}
    }
    const POINT: ReferenceType<Point> = {
      tag: 41900,
      classes: [Point],
      encode: (p) => [p.x, p.y],
      decode: (d) => {
        const [x, y] = expectArray(d, 2, 'point');
        return new Point(Number(x), Number(y));
      },
    };
    const codec = new Codec(undefined, [POINT]);
    expect(codec.tags).to.include(41900);
    const bytes = codec.encode({ p: new Point(1, 2) });
    const p = codec.decode(bytes) as { p: Point };
    expect(p.p).to.be.instanceOf(Point);
    expect(p.p.y).to.equal(2);
    // A codec without the type neither encodes a Point nor decodes its tag.
    expect(() => new Codec().encode(new Point(1, 2))).to.throw(InvalidArgumentError);
    expect(() => new Codec().decode(bytes)).to.throw(ProtocolError);
  });

  it('a coroutine reference needs networking; with it, it goes out as RemoteCoro and comes home as the Coro', async () => {
    const sched = new Scheduler();
    try {
      const c = sched.spawnWith({ daemon: true, name: 'me' }, async (coro) => void (await coro.suspend()));
      expect(() => new Codec().encode(c)).to.throw(InvalidArgumentError);
      const net = await Network.start(sched, { discover: false });
      const sent: object[] = [];
      const before = RetainedOutcomes.of(sched).size;
      const bytes = net.codec.encode({ who: c }, (live) => sent.push(live));
      expect(sent).to.deep.equal([c]); // reported to the sender, who decides to retain
      expect(net.codec.encode({ who: c })).to.deep.equal(bytes); // no side effect needed to encode
      expect(RetainedOutcomes.of(sched).size).to.equal(before);
      expect((net.codec.decode(bytes) as { who: unknown }).who).to.equal(c);
      const abroad = new Codec(undefined, CORO_LAYER.references).decode(bytes) as { who: RemoteCoro };
      expect(abroad.who).to.be.instanceOf(RemoteCoro);
      expect(abroad.who.name).to.equal('me');
      expect(abroad.who.id).to.equal(c.id);
      expect(abroad.who.location.equals(net.location)).to.equal(true);
      expect(abroad.who.send('x')).to.equal(false); // no networking on that side
      await net.stop();
    } finally {
      await sched.terminate();
    }
  });
});
