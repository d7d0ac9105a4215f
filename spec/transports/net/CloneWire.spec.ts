import { expect } from 'chai';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { CoroFinishedError, InvalidArgumentError, Location, MonitorStatus, ProtocolError, RemoteCoro, RemoteError, Scheduler } from '../../../index.js';
import { CloneWire, Codec, CORO_LAYER, type WireContext } from '../../../extend.js';

/** What the other thread gets: the value through a real port (structured clone), then `in`. */
function across(value: unknown): unknown {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(value);
  const got = receiveMessageOnPort(port2)!.message;
  port1.close();
  return got;
}

describe('CloneWire (messages between threads by structured clone)', () => {
  const sched = new Scheduler();
  const here: WireContext = { incarnation: 'a'.repeat(32), location: new Location('thread-1.x', 0), scheduler: sched };
  const there: WireContext = { incarnation: 'b'.repeat(32), location: new Location('thread-2.x', 0), scheduler: sched };
  const out = new CloneWire(new Codec(here, CORO_LAYER.references));
  const into = new CloneWire(new Codec(there, CORO_LAYER.references));
  after(() => sched.terminate());

  it('plain data is posted as it is (the same object, not walked on arrival)', () => {
    const data = { seq: 1, op: 'tick', list: [1, 'two', null, undefined, 2n ** 70n], when: new Date(7), bytes: new Uint8Array([1, 2]) };
    expect(out.out(data)).to.equal(data);
    expect(into.in(across(out.out(data)))).to.deep.equal(data);
    for (const v of [1, 'x', null, undefined, true, 3n]) expect(out.out(v)).to.equal(v);
  });

  it('anything beyond plain data is walked, however deep it sits: a reference, a Buffer, a Map, another class\'s instance; plain data around it is kept', () => {
    const coro = sched.spawnWith({ name: 'deep' }, (c) => c.suspend());
    class Tagged {
      constructor(readonly tag: string) {}
    }
    for (const inner of [coro, Buffer.alloc(3), new Map([[1, 2]]), new Tagged('t')]) {
      const message = { a: [1, { b: [null, { c: inner }] }], d: 'plain', e: new Uint8Array([1]) };
      const back = into.in(across(out.out(message))) as { a: [number, { b: [null, { c: unknown }] }]; d: string; e: Uint8Array };
      const c = back.a[1].b[1].c;
      if (inner === coro) expect(c).to.be.instanceOf(RemoteCoro);
      else if (Buffer.isBuffer(inner)) expect(Buffer.isBuffer(c)).to.equal(true);
      else expect(c).to.deep.equal(inner instanceof Tagged ? { tag: 't' } : inner);
      expect([back.d, [...back.e]]).to.deep.equal(['plain', [1]]);
    }
    // Deep plain data within the limit crosses as it is.
    let nested: unknown = 1;
    for (let i = 0; i < 60; i++) nested = { n: [nested] }; // 120 levels
    expect(out.out(nested)).to.equal(nested);
    coro.terminate();
  });

  it('Buffers stay Buffers, with their own bytes only (not the pool they are cut from)', () => {
    const pooled = Buffer.from('hello');
    expect(pooled.buffer.byteLength).to.be.greaterThan(5);
    const back = into.in(across(out.out({ b: pooled }))) as { b: Buffer };
    expect(Buffer.isBuffer(back.b)).to.equal(true);
    expect(back.b.toString()).to.equal('hello');
    expect(back.b.buffer.byteLength).to.equal(5);
  });

  it('references cross as over TCP: a coroutine becomes a RemoteCoro there, errors RemoteErrors, locations and statuses by structure; the sender hears of live objects sent', () => {
    const coro = sched.spawnWith({ name: 'mine' }, (c) => c.suspend());
    const sent: object[] = [];
    const posted = out.out([0, 0, 'send', { reply: coro, err: new CoroFinishedError('gone'), at: new Location('10.0.0.1', 9705), nested: new Map([['s', new MonitorStatus(coro, 'finished', 42)]]) }], (live) => void sent.push(live));
    expect(sent).to.include(coro);
    const back = into.in(across(posted)) as [number, number, string, { reply: RemoteCoro; err: RemoteError; at: Location; nested: Map<string, MonitorStatus> }];
    const body = back[3];
    expect(body.reply).to.be.instanceOf(RemoteCoro);
    expect([body.reply.id, body.reply.name, body.reply.incarnation, String(body.reply.location)]).to.deep.equal([coro.id, 'mine', here.incarnation, 'thread-1.x:0']);
    expect(body.err).to.be.instanceOf(RemoteError);
    expect(CoroFinishedError.is(body.err)).to.equal(true);
    expect(body.at).to.be.instanceOf(Location);
    expect(body.nested.get('s')).to.be.instanceOf(MonitorStatus);
    expect(body.nested.get('s')!.value).to.equal(42);
    // Home again, a reference is the live coroutine.
    const home = out.in(across(into.out(body.reply))) as unknown;
    expect(home).to.equal(coro);
    // Between two ends that know each other, a reference to either carries its fields only.
    const sender = new CloneWire(new Codec(here, CORO_LAYER.references), there);
    const receiver = new CloneWire(new Codec(there, CORO_LAYER.references), here);
    const compact = sender.out({ reply: coro }) as unknown[];
    expect(JSON.stringify(compact)).to.not.include(here.incarnation);
    const rebuilt = receiver.in(across(compact)) as { reply: RemoteCoro };
    expect([rebuilt.reply.id, rebuilt.reply.incarnation, String(rebuilt.reply.location)]).to.deep.equal([coro.id, here.incarnation, 'thread-1.x:0']);
    expect(sender.in(across(receiver.out({ back: rebuilt.reply })))).to.deep.equal({ back: coro });
    coro.terminate();
  });

  it('another class\'s instance crosses as its own enumerable properties (as CBOR sends it), and the original is not changed', () => {
    class Point {
      constructor(readonly x: number, readonly y: number) {}
      norm(): number {
        return Math.hypot(this.x, this.y);
      }
    }
    const p = new Point(3, 4);
    const back = into.in(across(out.out({ p }))) as { p: Record<string, unknown> };
    expect(back.p).to.deep.equal({ x: 3, y: 4 });
    expect(p).to.be.instanceOf(Point);
  });

  it('what cannot cross is InvalidArgumentError when sent: functions, symbols, cycles, nesting beyond 128, an array starting with the marker string', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    for (const bad of [() => 1, Symbol('s'), { f: () => 1 }, [Symbol('s')], loop, deep, ['\u0000', 1]]) {
      expect(() => out.out(bad), String(typeof bad)).to.throw(InvalidArgumentError);
    }
  });

  it('a malformed marker is ProtocolError on arrival', () => {
    expect(() => into.in(['\u0000', 0, ['\u0000', 40999, 0]])).to.throw(ProtocolError);
    expect(() => into.in(['\u0000', 0, ['\u0000', -1, 'not bytes']])).to.throw(ProtocolError);
    expect(() => into.in(['\u0000', 7])).to.throw(ProtocolError);
    expect(() => into.in(['\u0000', 0, ['\u0000', 41003, 9, 1, 'x']])).to.throw(ProtocolError);
  });
});
