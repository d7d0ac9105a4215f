import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { ask } from '../../../actors/ask.js';
import { spawnOn, spawnOnWith, type ThreadCoro } from '../../../actors/threads/spawnOn.js';
import type { Threads } from '../../../actors/threads/Threads.js';
import type { Coro } from '../../../runtime/Coro.js';
import { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import { PeerLostError } from '../../../transports/net/netErrors.js';
import { ThreadSlot, type SlotGroup } from '../../../actors/threads/ThreadSlot.js';
import { THREAD_SNAPSHOT } from '../../../actors/threads/threadProtocol.js';
import type { SchedulerSnapshot } from '../../../runtime/snapshotTypes.js';
import { newNodeId } from '../../../transports/net/hellos.js';
import { networkFixture, THREAD_WORKERS, threadsFixture } from '../../fixtures/index.js';
import { expectError, settle, until } from '../../helpers.js';
import { NoThreadError } from '../../../actors/actorErrors.js';

/** How each fault is caused on thread 1, by the coroutine `victim` placed there. */
const FAULTS: Array<{ fault: string; victim: string; trigger: (victim: ThreadCoro) => unknown; why: RegExp }> = [
  { fault: 'throws at top level', victim: 'throwAtTopLevel', trigger: (v) => v.send('now'), why: /thread-1\.\w+ failed: thrown at top level/ },
  { fault: 'runs out of memory (resourceLimits)', victim: 'exhaustMemory', trigger: (v) => v.send('now'), why: /thread-1\.\w+ ran out of memory/ },
  { fault: 'exits (process.exit)', victim: 'exitThread', trigger: (v) => v.send(3), why: /thread-1\.\w+ exited with code 3/ },
  { fault: 'freezes in a busy loop (heartbeats)', victim: 'freeze', trigger: (v) => ask(v as ThreadCoro<any>, (replyTo) => replyTo, { timeout: 5000 }), why: /missed its heartbeats/ },
];

describe('a lost thread is lost like a peer (real worker threads)', function () {
  this.timeout(60_000);
  const fx = threadsFixture({ heartbeatInterval: 100, peerTimeout: 1500, resourceLimits: { maxOldGenerationSizeMb: 48 } });

  for (const { fault, victim, trigger, why } of FAULTS) {
    it(`a thread that ${fault}: monitors get peer-lost, pending finish/ask/deliver fail with PeerLostError, a new thread takes its place, the others go on`, async () => {
      const threads = await fx.start();
      const first = threads.list()[0]!;
      const other = await spawnOnWith(threads, { thread: 2 }, THREAD_WORKERS, 'doubler');
      const victimCoro = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, victim);
      const counter = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'counter');
      const silent = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'silent');
      const statuses: MonitorStatus[] = [];
      const watcher = fx.sched.spawn(async (coro: Coro<MonitorStatus>) => {
        await coro.monitor(counter);
        await coro.monitor(silent);
        for (let i = 0; i < 2; i++) statuses.push((await coro.receive({ timeout: 20_000 }))!);
      });
      // Calls pending on thread 1 when it is lost.
      const finishing = settle(counter.finish());
      const asking = settle(ask(silent, (replyTo) => ({ replyTo }), { timeout: 20_000 }));
      await until(() => threads.list()[0]!.placed === 3);
      await trigger(victimCoro);
      const [finished, asked] = await Promise.all([finishing, asking]);
      expect(finished.error, 'finish').to.be.instanceOf(PeerLostError);
      expect(asked.error, 'ask').to.be.instanceOf(PeerLostError);
      await watcher.finish({ timeout: 20_000 });
      expect(statuses.map((s) => s.reason)).to.deep.equal(['peer-lost', 'peer-lost']);
      for (const s of statuses) expect(s.error).to.be.instanceOf(PeerLostError);
      expect(String(statuses.map((s) => (s.error as Error).message))).to.match(why);
      // Anything sent to the lost coroutines now fails at once.
      expect(counter.send('late')).to.equal(false);
      expect((await settle(counter.deliver('late', { timeout: 5000 }))).error).to.be.instanceOf(Error);
      // A new thread in its place, with a new incarnation; the other thread never noticed.
      await until(() => threads.list()[0]!.state === 'up' && threads.list()[0]!.starts === 2, 20_000, 'a new thread in the place of the lost one');
      expect(threads.list()[0]!.incarnation).to.not.equal(first.incarnation);
      expect(await ask(other, (replyTo) => ({ n: 21, replyTo }), { timeout: 5000 })).to.equal(42);
      const again = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'doubler');
      expect(await ask(again, (replyTo) => ({ n: 2, replyTo }), { timeout: 5000 })).to.equal(4);
      // The threads still reach one another directly: the new thread 1 is a peer of thread 2.
      const [, second] = await threads.snapshot({ timeout: 5000 });
      expect(second!.snapshot!.peers.map((p) => p.incarnation)).to.include(threads.list()[0]!.incarnation);
    });
  }

  it('with spares, a warm spare takes the place of a lost thread (started before the loss), and a new spare is made', async () => {
    const threads = await fx.start({ spares: 1 });
    await until(() => threads.spares === 1, 20_000, 'a warm spare');
    // Every thread started from now on has a greater id than this one: the spare's is smaller.
    const marker = new Worker('0', { eval: true });
    const markerId = marker.threadId;
    await marker.terminate();
    const victimCoro = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'exitThread');
    victimCoro.send(3);
    await until(() => threads.list()[0]!.state === 'up' && threads.list()[0]!.starts === 2, 20_000, 'a new thread in the place of the lost one');
    const replacement = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'threadIdOf');
    expect(await replacement.value({ timeout: 5000 })).to.be.below(markerId);
    const d = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'doubler');
    expect(await ask(d, (replyTo) => ({ n: 4, replyTo }), { timeout: 5000 })).to.equal(8);
    await until(() => threads.spares === 1, 20_000, 'a new warm spare');
    expect(await threads.stop({ timeout: 5000 })).to.equal(true);
    expect(threads.spares).to.equal(0);
  });

  it('terminateOn: a call pending when the thread is lost fails with PeerLostError; the earlier incarnation never reaches the thread in its place', async () => {
    const threads = await fx.start();
    const first = threads.list()[0]!;
    const counter = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'counter');
    const spinning = new Int32Array(new SharedArrayBuffer(4));
    await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'freezeFlagged', spinning);
    await until(() => Atomics.load(spinning, 0) === 1, 10_000, 'thread 1 to spin');
    // The thread spins: the request is never answered, and the heartbeats judge the thread lost.
    const pending = settle(threads.terminateOn(1, counter.id, { incarnation: first.incarnation, timeout: 30_000 }));
    expect((await pending).error).to.be.instanceOf(PeerLostError);
    await until(() => threads.list()[0]!.state === 'up' && threads.list()[0]!.starts === 2, 20_000, 'a new thread in the place of the lost one');
    const successor = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'counter');
    expect(await threads.terminateOn(1, successor.id, { incarnation: first.incarnation, timeout: 5000 })).to.equal(false);
    const [now] = await threads.snapshot({ timeout: 5000 });
    expect(now!.snapshot!.coroutines.map((c) => c.id)).to.include(successor.id);
    expect(await threads.terminateOn(1, successor.id, { incarnation: now!.incarnation, timeout: 5000 })).to.equal(true);
    expect(await successor.finish({ timeout: 5000 }).then(() => 'finished', (err: Error) => err.name)).to.equal('CoroTerminatedError');
  });

  it('with restart: false a lost thread stays down; keys move to the threads still running, and it stops cleanly', async () => {
    const threads = await fx.start({ restart: false });
    const victimCoro = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'exitThread');
    victimCoro.send(0);
    await until(() => threads.list()[0]!.state === 'down', 10_000, 'thread 1 to be lost');
    for (let k = 0; k < 10; k++) expect((await spawnOnWith(threads, { key: `k${k}` }, THREAD_WORKERS, 'whoAmI')).thread).to.equal(2);
    expect(await threads.stop({ timeout: 5000 })).to.equal(true);
  });

  it('lost more often than its restart intensity allows, the group gives up: it stops, and placing is NoThreadError', async () => {
    const threads = await fx.start({ restart: { maxRestarts: 0, withinMs: 60_000 } });
    const victimCoro = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'exitThread');
    victimCoro.send(2);
    await until(() => !threads.isRunning && threads.list().every((t) => t.state === 'down'), 10_000, 'the group to give up');
    await expectError(() => spawnOn(threads, THREAD_WORKERS, 'doubler'), NoThreadError);
    expect(await threads.stop({ timeout: 5000 })).to.equal(true);
  });

  it('threads lost again and again (every 200 ms) while a client asks: every ask settles, and the group works after', async () => {
    const threads: Threads = await fx.start({ restart: { maxRestarts: 100, withinMs: 60_000 } });
    let settled = 0, answered = 0, running = true;
    const client = fx.sched.spawn(async (coro: Coro<never>) => {
      while (running) {
        const target = await spawnOn(threads, THREAD_WORKERS, 'doubler').catch(() => undefined);
        if (target === undefined) {
          await coro.sleep(20);
          continue;
        }
        const outcome = await settle(ask(target, (replyTo) => ({ n: 1, replyTo }), { timeout: 10_000 }));
        settled++;
        if (outcome.value === 2) answered++;
        else expect(outcome.error?.code, String(outcome.error)).to.be.oneOf(['ERR_PEER_LOST', 'ERR_PEER_UNREACHABLE', 'ERR_CORO_FINISHED']);
      }
    });
    for (let round = 0; round < 6; round++) {
      const index = (round % 2) + 1;
      await until(() => threads.list()[index - 1]!.state === 'up', 20_000, `thread ${index} up`);
      const victimCoro = await spawnOnWith(threads, { thread: index }, THREAD_WORKERS, 'exitThread');
      victimCoro.send(1);
      await fx.sched.spawn((coro: Coro<never>) => coro.sleep(200)).finish();
    }
    running = false;
    await client.finish({ timeout: 20_000 });
    expect(client.isAlive).to.equal(false);
    expect(settled).to.be.greaterThan(0);
    expect(answered).to.be.greaterThan(0);
    await until(() => threads.list().every((t) => t.state === 'up'), 20_000, 'every thread up again');
    const d = await spawnOn(threads, THREAD_WORKERS, 'doubler');
    expect(await ask(d, (replyTo) => ({ n: 5, replyTo }), { timeout: 5000 })).to.equal(10);
    expect(await threads.stop({ timeout: 5000 })).to.equal(true);
  });
});

describe('a group\'s first start: its threads start side by side (real worker threads)', function () {
  this.timeout(30_000);
  const fx = networkFixture();
  const started: ThreadSlot[] = [];
  afterEach(() => {
    for (const slot of started.splice(0)) (slot.thread ?? slot.startedEarly?.thread)?.terminate();
  });
  const groupOf = async (...names: string[]): Promise<{ group: SlotGroup; slots: ThreadSlot[] }> => {
    const net = await fx.node({ name: 'owner.early', inProcess: { incarnation: newNodeId(), listen: false } });
    const slots = names.map((name, i) => new ThreadSlot(i + 1, name));
    started.push(...slots);
    return { group: { net, resourceLimits: undefined, listen: undefined, slots }, slots };
  };

  it('startEarly starts a thread before its keeper runs; the ready it posts meanwhile is handed to the keeper, which links it to its siblings', async () => {
    const { group, slots } = await groupOf('thread-1.early', 'thread-2.early');
    for (const slot of slots) slot.startEarly(group);
    expect(slots.map((s) => s.state)).to.deep.equal(['starting', 'starting']);
    // No keeper runs yet, and both threads load and say they are ready.
    await until(() => slots.every((s) => s.startedEarly?.ready === true), 20_000, 'both threads ready before their keepers run');
    const ready = new Set<number>();
    const keepers = slots.map((slot) => group.net.scheduler.spawn((coro: Coro<any, void>) => slot.keep(coro, group, () => void ready.add(slot.index))));
    await until(() => ready.size === 2, 20_000, 'both keepers ready');
    expect(slots.map((s) => [s.state, s.startedEarly])).to.deep.equal([['up', undefined], ['up', undefined]]);
    // The threads are linked to one another: thread 2 knows thread 1 as a peer.
    const peersOf2 = async (): Promise<string[]> => ((await slots[1]!.peer!.request(THREAD_SNAPSHOT, null, { timeout: 5000 })) as SchedulerSnapshot).peers.map((p) => p.incarnation);
    for (let i = 0; !(await peersOf2()).includes(slots[0]!.incarnation); i++) expect(i, 'thread 2 linked to thread 1').to.be.below(1000);
    // Ending the keepers stops their threads.
    for (const keeper of keepers) keeper.terminate();
    for (const slot of slots) expect(await slot.thread!.join({ timeout: 10_000 })).to.equal(true);
  });

  it('dropEarly ends a thread that no keeper took over (a failed group start)', async () => {
    const { group, slots } = await groupOf('thread-1.dropped');
    const [slot] = slots as [ThreadSlot];
    slot.startEarly(group);
    const thread = slot.startedEarly!.thread;
    slot.dropEarly();
    expect(await thread.join({ timeout: 10_000 })).to.equal(true);
    expect([slot.state, slot.startedEarly]).to.deep.equal(['down', undefined]);
    slot.dropEarly(); // nothing left to drop
  });
});
