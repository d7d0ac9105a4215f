/**
 * The TCP side (tcpSide.ts) and cbor-x load when a network first needs them: a worker thread that
 * does not listen loads neither until it dials, then talks TCP as any node; a thread that listens
 * loads the TCP side at start. Observed from inside real worker threads (their own builtin list
 * and CommonJS cache), not mocked.
 */
import { expect } from 'chai';
import { Network } from '../../../actors/remote/Network.js';
import { spawnOnWith } from '../../../actors/threads/spawnOn.js';
import { Threads } from '../../../actors/threads/Threads.js';
import { ask } from '../../../actors/ask.js';
import type { RemoteCoro } from '../../../actors/remote/RemoteCoro.js';
import { Coro } from '../../../runtime/Coro.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { THREAD_LOADS } from '../../fixtures/index.js';
import type { Loaded } from '../../fixtures/threadLoads.js';

describe('tcpSide: the TCP side and cbor-x load on first need (real worker threads)', function () {
  this.timeout(30_000);
  let sched: Scheduler;
  let other: Scheduler | undefined;
  let threads: Threads | undefined;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await threads?.stop({ timeout: 5000 });
    threads = undefined;
    await Network.of(sched)?.stop();
    await sched.terminate();
    await other?.terminate();
    other = undefined;
  });

  const report = async (on: Threads, dial?: string): Promise<Loaded> =>
    (await spawnOnWith(on, { thread: 1 }, THREAD_LOADS, 'loaded', ...(dial === undefined ? [] : [dial]))).value({ timeout: 20_000 }) as Promise<Loaded>;

  it('a thread that does not listen loads neither net, dgram, dns nor cbor-x, even after messages and asks to and from it', async () => {
    threads = await Threads.start({ count: 1, scheduler: sched });
    const doubler = await spawnOnWith(threads, { thread: 1 }, new URL('../../fixtures/threadWorkers.js', import.meta.url), 'doubler');
    expect(await ask(doubler as RemoteCoro<any>, (replyTo) => ({ n: 21, replyTo }), { timeout: 10_000 })).to.equal(42);
    expect(await report(threads)).to.deep.equal({ net: false, dgram: false, dns: false, cborX: false });
  });

  it('a thread that does not listen loads them on its first dial, and its connection to a TCP node works', async () => {
    other = new Scheduler();
    const target = await Network.start(other, { name: 'tcp-target', discover: false });
    target.handle('echo', (body) => body);
    threads = await Threads.start({ count: 1, scheduler: sched });
    const seen = await report(threads, String(target.location));
    expect(seen).to.deep.equal({ net: true, dgram: true, dns: true, cborX: true, peer: 'tcp-target' });
  });

  it('messages a thread sends to a TCP node before its TCP side has loaded all arrive, in order', async () => {
    other = new Scheduler();
    await Network.start(other, { name: 'tcp-sink', discover: false });
    other.spawnWith({ name: 'sink' }, async (coro: Coro<{ seq?: number; report?: Coro<number[]> }>) => {
      coro.register();
      const seen: number[] = [];
      for (;;) {
        const m = await coro.receive();
        if (m.report !== undefined) m.report.send(seen);
        else seen.push(m.seq!);
      }
    });
    threads = await Threads.start({ count: 1, scheduler: sched });
    // The owner finds the sink; the thread gets the reference and has dialled nothing yet.
    const sink = await Coro.locate('sink', { scheduler: sched, location: String(Network.of(other)!.location), timeout: 10_000 });
    expect(sink).to.not.equal(undefined);
    const got = (await (await spawnOnWith(threads, { thread: 1 }, THREAD_LOADS, 'burstTo', sink, 500)).value({ timeout: 20_000 })) as { seen: number[]; loadedBefore: boolean };
    expect(got.loadedBefore).to.equal(false);
    expect(got.seen).to.deep.equal(Array.from({ length: 500 }, (_, i) => i));
  });

  it('a thread that listens loads the TCP side at start (and still no cbor-x until a TCP peer talks to it)', async () => {
    await Network.start(sched, { discover: false, secret: 'tcp side on first need' });
    threads = await Threads.start({ count: 1, scheduler: sched });
    expect(threads.list()[0]!.location).to.match(/^127\.0\.0\.1:[1-9]/);
    expect(await report(threads)).to.deep.equal({ net: true, dgram: true, dns: true, cborX: false });
  });
});
