import { expect } from 'chai';
import { Channel, type ChannelSubscriber } from '../../actors/Channel.js';
import type { Coro } from '../../runtime/Coro.js';
import {  CoroFinishedError, CoroTerminatedError, InvalidArgumentError, NameTakenError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { ChannelClosedError } from '../../actors/actorErrors.js';
import { turn, until } from '../helpers.js';

describe('Channel', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  const collector = (ch: Channel<any>, count: number) =>
    sched.spawn(async (coro: Coro<any, unknown[]>) => {
      await ch.subscribe(coro);
      const got: unknown[] = [];
      for (let i = 0; i < count; i++) got.push(await coro.receive({ timeout: 2000, alarm: 'timeout' }));
      return got;
    });

  it('tut_channel: two subscribers compute sum and product of 1..4, null ends them', async () => {
    const ch = new Channel<number | null>('sum_prod', { scheduler: sched });
    const fold = (init: number, op: (a: number, b: number) => number) =>
      sched.spawn(async (coro: Coro<number | null, number>) => {
        await ch.subscribe(coro);
        let acc = init;
        for (let n = await coro.receive(); n !== null; n = await coro.receive()) acc = op(acc, n);
        return acc;
      });
    const sum = fold(0, (a, b) => a + b);
    const prod = fold(1, (a, b) => a * b);
    const sender = sched.spawn(async (coro) => {
      expect(await ch.deliver(1, { n: 2, coro, timeout: 2000 })).to.equal(2);
      for (const n of [2, 3, 4, null]) ch.send(n);
    });
    await sender.finish();
    expect(await sum.value()).to.equal(10);
    expect(await prod.value()).to.equal(24);
  });

  it('keeps per-sender order and set semantics (subscribing twice delivers once)', async () => {
    const ch = new Channel<number>('order', { scheduler: sched });
    const c = sched.spawn(async (coro: Coro<number, number[]>) => {
      await ch.subscribe(coro);
      await ch.subscribe(coro);
      expect(ch.subscribers).to.equal(1);
      const got: number[] = [];
      for (let i = 0; i < 100; i++) got.push(await coro.receive());
      return got;
    });
    await ch.deliver(-1 as number, { n: 1, timeout: 1000 }).then(() => undefined);
    for (let i = 1; i < 100; i++) ch.send(i);
    expect(await c.value()).to.deep.equal([-1, ...Array.from({ length: 99 }, (_, i) => i + 1)]);
  });

  it('deliver with n waits until the n-th subscriber arrives and reports coroutines reached', async () => {
    const ch = new Channel<string>('two', { scheduler: sched });
    const a = collector(ch, 1);
    const delivering = ch.deliver('go', { n: 2, timeout: 5000 });
    let settled = false;
    void delivering.then(() => (settled = true));
    await until(() => ch.subscribers === 1);
    await turn();
    expect(settled, 'deliver must wait for the second subscriber').to.equal(false);
    const b = collector(ch, 1);
    expect(await delivering).to.equal(2);
    expect(await a.value()).to.deep.equal(['go']);
    expect(await b.value()).to.deep.equal(['go']);
  });

  it('deliver with n resolves 0 on timeout and delivers nothing', async () => {
    const ch = new Channel<string>('lonely', { scheduler: sched });
    const a = collector(ch, 1);
    await until(() => ch.subscribers === 1);
    expect(await ch.deliver('x', { n: 2, timeout: 30 })).to.equal(0);
    ch.send('after');
    expect(await a.value()).to.deep.equal(['after']);
  });

  it('deliver is cancelled by its signal and by terminating the waiting coroutine', async () => {
    const ch = new Channel<string>('cancel', { scheduler: sched });
    const ac = new AbortController();
    const p = ch.deliver('x', { n: 1, signal: ac.signal });
    ac.abort(new Error('stop'));
    let reason: unknown;
    await p.catch((e) => (reason = e));
    expect((reason as Error).message).to.equal('stop');
    let delivering = false;
    const waiter = sched.spawn(async (coro) => {
      delivering = true;
      return ch.deliver('y', { n: 1, coro });
    });
    await until(() => delivering);
    waiter.terminate();
    let err: unknown;
    await waiter.finish().catch((e) => (err = e));
    expect(CoroTerminatedError.is(err)).to.equal(true);
    // Nothing was left behind: a later quorum works.
    const c = collector(ch, 1);
    expect(await ch.deliver('z', { n: 1, timeout: 1000 })).to.equal(1);
    expect(await c.value()).to.deep.equal(['z']);
  });

  it('nested channels re-broadcast and deliver counts coroutines through them', async () => {
    const top = new Channel<string>('top', { scheduler: sched });
    const nested = new Channel<string>('nested', { scheduler: sched });
    await top.subscribe(nested);
    const a = collector(top, 1);
    const b = collector(nested, 1);
    const c = collector(nested, 1);
    await until(() => top.subscribers === 2 && nested.subscribers === 2);
    expect(await top.deliver('hi', { timeout: 1000 })).to.equal(3);
    for (const x of [a, b, c]) expect(await x.value()).to.deep.equal(['hi']);
  });

  it('refuses cycles, a finished coroutine, non-subscribers and bad options with typed errors', async () => {
    const a = new Channel('a', { scheduler: sched });
    const b = new Channel('b', { scheduler: sched });
    await a.subscribe(b);
    for (const bad of [() => b.subscribe(a), () => a.subscribe(a)]) {
      let err: unknown;
      await bad().catch((e) => (err = e));
      expect(InvalidArgumentError.is(err)).to.equal(true);
    }
    expect(b.subscribers).to.equal(0);
    expect(a.subscribers).to.equal(1);
    const done = sched.spawn(async () => 1);
    await done.finish();
    let err: unknown;
    await a.subscribe(done).catch((e) => (err = e));
    expect(CoroFinishedError.is(err)).to.equal(true);
    err = undefined;
    await a.subscribe({} as ChannelSubscriber<unknown>).catch((e) => (err = e));
    expect(InvalidArgumentError.is(err)).to.equal(true);
    for (const bad of [{ n: -1 }, { n: 1.5 }, { timeout: -5 }, { timeout: 'x' as unknown as number }]) {
      err = undefined;
      await a.deliver('m', bad).catch((e) => (err = e));
      expect(InvalidArgumentError.is(err), JSON.stringify(bad)).to.equal(true);
    }
    expect(() => new Channel('')).to.throw(InvalidArgumentError);
    expect(() => new Channel('x', { transform: 5 as never })).to.throw(InvalidArgumentError);
    expect(a.subscribers).to.equal(1);
  });

  it('transform rewrites or drops messages; a throwing transform drops and is logged', async () => {
    const ch = new Channel<string>('shout', {
      scheduler: sched,
      transform: (_name, m) => {
        if (m === 'boom') throw new Error('bad transform');
        return m === m.toUpperCase() ? undefined : `> ${m}`;
      },
    });
    const c = collector(ch, 2);
    await until(() => ch.subscribers === 1);
    expect(ch.send('ALL CAPS')).to.equal(0);
    expect(ch.send('boom')).to.equal(0);
    ch.send('hello');
    ch.send('bye');
    expect(await c.value()).to.deep.equal(['> hello', '> bye']);
  });

  it('unsubscribes ended coroutines on send, and unsubscribe reports whether it was subscribed', async () => {
    const ch = new Channel<string>('gone', { scheduler: sched });
    const short = sched.spawn(async (coro) => {
      await ch.subscribe(coro);
    });
    await short.finish();
    expect(ch.subscribers).to.equal(1);
    expect(ch.send('x')).to.equal(0);
    expect(ch.subscribers).to.equal(0);
    const live = sched.spawn(async (coro) => coro.receive());
    expect(await ch.unsubscribe(live)).to.equal(false);
    await ch.subscribe(live);
    expect(await ch.unsubscribe(live)).to.equal(true);
    live.terminate();
  });

  it('close drops subscribers, wakes waiting deliveries with 0 and refuses later use', async () => {
    const ch = new Channel<string>('closing', { scheduler: sched });
    ch.register();
    const waiting = ch.deliver('x', { n: 5 });
    ch.close();
    expect(await waiting).to.equal(0);
    expect(ch.closed).to.equal(true);
    expect(() => ch.send('y')).to.throw(ChannelClosedError);
    let err: unknown;
    await ch.deliver('y').catch((e) => (err = e));
    expect(ChannelClosedError.is(err)).to.equal(true);
    expect(await Channel.locate('closing', { scheduler: sched, timeout: 0 })).to.equal(undefined);
  });

  it('register and locate by name, waiting for a later registration; NameTakenError for a second channel', async () => {
    const later = Channel.locate('news', { scheduler: sched, timeout: 2000 });
    const ch = new Channel('news', { scheduler: sched });
    ch.register();
    expect(await later).to.equal(ch);
    expect(() => new Channel('news', { scheduler: sched }).register()).to.throw(NameTakenError);
    expect(await Channel.locate('missing', { scheduler: sched, timeout: 20 })).to.equal(undefined);
    expect(ch.unregister()).to.equal(true);
    expect(await Channel.locate('news', { scheduler: sched, timeout: 0 })).to.equal(undefined);
  });

  it('fans out to 1,000 subscribers, each receiving every message', async () => {
    const ch = new Channel<number>('wide', { scheduler: sched });
    const subs = Array.from({ length: 1000 }, () => collector(ch, 3));
    expect(await ch.deliver(1, { n: 1000, timeout: 5000 })).to.equal(1000);
    ch.send(2);
    ch.send(3);
    for (const s of subs) expect(await s.value()).to.deep.equal([1, 2, 3]);
  });
});
