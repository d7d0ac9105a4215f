import { expect } from 'chai';
import type { Coro } from '../../runtime/Coro.js';
import { ConcurrentReceiveError, CoroFinishedError, InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { expectError, turn, until } from '../helpers.js';

/** A coroutine that waits until told to stop, so tests can drive its mailbox from outside. */
function idle(sched: Scheduler): Coro<any, any> {
  return sched.spawn(async (coro) => coro.suspend());
}

describe('Coro: messages', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  it('send never blocks and messages from one sender arrive in order', async () => {
    const got: number[] = [];
    const r = sched.spawn(async (coro: Coro<number>) => {
      for (let i = 0; i < 200; i++) got.push(await coro.receive());
    });
    for (let i = 0; i < 100; i++) expect(r.send(i)).to.equal(true); // queued before r even started
    await turn();
    for (let i = 100; i < 200; i++) r.send(i);
    await r.finish();
    expect(got).to.deep.equal([...Array(200).keys()]);
  });

  it('messages from two senders keep their per-sender order', async () => {
    const got: string[] = [];
    const r = sched.spawn(async (coro: Coro<string>) => {
      for (let i = 0; i < 40; i++) got.push(await coro.receive());
    });
    const sender = (tag: string) => sched.spawn(async (coro) => {
      for (let i = 0; i < 20; i++) {
        r.send(`${tag}${i}`);
        if (i % 3 === 0) await coro.sleep(0);
      }
    });
    sender('a');
    sender('b');
    await r.finish();
    for (const tag of ['a', 'b']) {
      expect(got.filter((m) => m[0] === tag)).to.deep.equal([...Array(20).keys()].map((i) => `${tag}${i}`));
    }
  });

  it('receive with a timeout returns the alarm value, and the timer goes away', async () => {
    const c = sched.spawn(async (coro) => [await coro.receive({ timeout: 5, alarm: 'none' }), await coro.receive({ timeout: 5 })]);
    expect(await c.value()).to.deep.equal(['none', undefined]);
    expect(sched.timers.size).to.equal(0);
  });

  it('receive with timeout 0 polls: a queued message, else the alarm at once', async () => {
    const c = sched.spawn(async (coro) => {
      const empty = await coro.receive({ timeout: 0, alarm: 'empty' });
      const self = coro as Coro<string>;
      self.send('m');
      return [empty, await coro.receive({ timeout: 0, alarm: 'empty' }), sched.timers.size];
    });
    expect(await c.value()).to.deep.equal(['empty', 'm', 0]);
  });

  it('receive with a signal rejects with the reason; the next receive still gets the message', async () => {
    const ac = new AbortController();
    const c = sched.spawn(async (coro) => {
      const err: any = await coro.receive({ signal: ac.signal, timeout: 10_000 }).catch((e: unknown) => e);
      return [err.message, await coro.receive({ timeout: 2000, alarm: 'none' })];
    });
    await turn();
    expect(sched.timers.size).to.equal(1);
    ac.abort(new Error('cancelled'));
    await until(() => sched.timers.size === 0);
    c.send('after');
    expect(await c.value()).to.deep.equal(['cancelled', 'after']);
  });

  it('a second concurrent receive throws ConcurrentReceiveError and the first one is unaffected', async () => {
    const c = sched.spawn(async (coro) => {
      const first = coro.receive();
      await expectError(() => coro.receive({ timeout: 0 }), ConcurrentReceiveError);
      return first;
    });
    await turn();
    c.send('one');
    expect(await c.value()).to.equal('one');
  });

  it('poll() takes a queued message without waiting, or returns the alarm', async () => {
    const c = sched.spawn(async (coro: Coro<number>) => {
      const seen: unknown[] = [coro.poll(), coro.poll({ alarm: null })];
      coro.send(1);
      coro.send(2);
      coro.send(3);
      seen.push(coro.poll({ filter: (m) => m === 2 }), coro.poll(), coro.poll({ filter: (m) => m === 9, alarm: 'no' }), coro.pending);
      return seen;
    });
    expect(await c.value()).to.deep.equal([undefined, null, 2, 1, 'no', 1]);
  });

  it('selective receive takes the oldest match and leaves the others in order', async () => {
    const c = sched.spawn(async (coro: Coro<number>) => {
      const even = await coro.receive({ filter: (m) => m % 2 === 0 });
      const rest: number[] = [];
      for (let i = 0; i < 3; i++) rest.push(await coro.receive());
      return [even, rest];
    });
    for (const m of [1, 3, 4, 5, 6]) c.send(m);
    expect(await c.value()).to.deep.equal([4, [1, 3, 5]]);
  });

  it('a pending selective receive is woken only by a matching message', async () => {
    const c = sched.spawn(async (coro: Coro<string>) => {
      const hit = await coro.receive({ filter: (m) => m.startsWith('reply'), timeout: 5000 });
      return [hit, coro.pending, await coro.receive()];
    });
    await turn();
    c.send('noise');
    await turn();
    c.send('reply:1');
    expect(await c.value()).to.deep.equal(['reply:1', 1, 'noise']);
  });

  it('a throwing filter rejects the receive with its error and loses no message (queued and arriving)', async () => {
    const bad = new Error('bad filter');
    const c = sched.spawn(async (coro: Coro<number>) => {
      const thrower = (m: number): boolean => {
        if (m === 2) throw bad;
        return false;
      };
      const e1 = await coro.receive({ filter: thrower }).catch((e) => e); // 2 is queued
      const pendingAfter1 = coro.pending;
      const p = coro.receive({ filter: (m) => {
        if (m === 3) throw bad;
        return false;
      } });
      coro.send(3); // 3 arrives while the receive waits
      const e2 = await p.catch((e) => e);
      const all: number[] = [];
      for (let i = 0; i < 3; i++) all.push(await coro.receive());
      return [e1, pendingAfter1, e2, all];
    });
    c.send(1);
    c.send(2);
    const [e1, pendingAfter1, e2, all] = await c.value() as [unknown, number, unknown, number[]];
    expect(e1).to.equal(bad);
    expect(pendingAfter1).to.equal(2);
    expect(e2).to.equal(bad);
    expect(all).to.deep.equal([1, 2, 3]);
  });

  it('for await over coro.messages() yields messages and ends with the abort reason', async () => {
    const ac = new AbortController();
    const c = sched.spawn(async (coro: Coro<number>) => {
      const got: number[] = [];
      try {
        for await (const m of coro.messages({ signal: ac.signal })) {
          got.push(m);
          if (got.length === 3) ac.abort(new Error('enough'));
        }
      } catch (err) {
        return [got, (err as Error).message];
      }
      return [got, 'no error'];
    });
    for (const m of [1, 2, 3, 4]) c.send(m);
    expect(await c.value()).to.deep.equal([[1, 2, 3], 'enough']);
    expect(c.dropped).to.equal(0);
  });

  it('messages() stops cleanly on break, leaving the rest queued', async () => {
    const c = sched.spawn(async (coro: Coro<number>) => {
      for await (const m of coro.messages()) if (m === 2) break;
      return coro.pending;
    });
    for (const m of [1, 2, 3, 4]) c.send(m);
    expect(await c.value()).to.equal(2);
  });

  it('deliver resolves true once the message is queued (or taken by a pending receive)', async () => {
    const c = sched.spawn(async (coro) => [await coro.receive(), await coro.receive()]);
    await turn();
    expect(await c.deliver('a')).to.equal(true);
    expect(await c.deliver('b', { timeout: 0 })).to.equal(true);
    expect(await c.value()).to.deep.equal(['a', 'b']);
  });

  it('send to an ended coroutine returns false and counts a dead letter; deliver throws CoroFinishedError', async () => {
    const c = sched.spawn(async () => 1);
    await c.finish();
    expect(c.send('lost')).to.equal(false);
    expect(c.send('lost too')).to.equal(false);
    expect(sched.stats.deadLetters).to.equal(2);
    await expectError(() => c.deliver('x'), CoroFinishedError);
  });

  it('messages queued when a coroutine ends are discarded and its mailbox no longer accepts', async () => {
    const c = sched.spawn(async (coro) => coro.receive({ filter: (m) => m === 'end' }));
    c.send('a');
    c.send('end');
    await c.finish();
    expect(c.pending).to.equal(0);
    expect(c.poll({ alarm: 'none' })).to.equal('none');
  });

  it('bad receive input throws InvalidArgumentError and leaves the mailbox and a later receive intact', async () => {
    const c = sched.spawn(async (coro) => {
      const errors = [];
      for (const bad of [{ timeout: -1 }, { timeout: NaN }, { timeout: '5' }, { signal: {} }, 'opts', { filter: 3 }]) {
        errors.push(await (async () => coro.receive(bad as any))().catch((e) => e));
      }
      const pending = coro.pending;
      return [errors, pending, await coro.receive({ timeout: 2000 }), await coro.receive({ timeout: 2000 })];
    });
    c.send('kept');
    c.send('kept2');
    const [errors, pending, m1, m2] = (await c.value()) as [any[], number, string, string];
    for (const e of errors) {
      expect(e).to.be.instanceOf(InvalidArgumentError);
      expect(e.code).to.equal('ERR_INVALID_ARGUMENT');
    }
    expect([pending, m1, m2]).to.deep.equal([2, 'kept', 'kept2']);
  });

  it('a bad input while a receive is pending does not disturb it', async () => {
    const c = sched.spawn(async (coro) => {
      const p = coro.receive({ timeout: 5000 });
      await expectError(() => coro.receive({ timeout: -5 }), InvalidArgumentError);
      return p;
    });
    await turn();
    c.send('ok');
    expect(await c.value()).to.equal('ok');
  });

  it('deliver and poll validate their input', async () => {
    const c = idle(sched);
    c.send('kept');
    await expectError(() => c.deliver('x', { timeout: -1 }), InvalidArgumentError);
    await expectError(() => c.deliver('x', 'bad' as any), InvalidArgumentError);
    await expectError(() => c.deliver('x', { signal: 'no' as any }), InvalidArgumentError);
    await expectError(() => c.deliver('x', { coro: {} as any }), InvalidArgumentError);
    await expectError(() => c.poll({ filter: 'f' as any }), InvalidArgumentError);
    expect(c.pending).to.equal(1);
    expect(c.poll()).to.equal('kept');
  });
});
