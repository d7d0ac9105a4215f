import { expect } from 'chai';
import { Channel } from '../../actors/Channel.js';
import { Lock } from '../../actors/sync/Lock.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import type { CoroSnapshot } from '../../runtime/snapshotTypes.js';
import { until } from '../helpers.js';

describe('Scheduler.snapshot()', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(() => sched.terminate());

  const byName = (name: string): CoroSnapshot => {
    const found = sched.snapshot().coroutines.find((c) => c.name === name);
    expect(found, name).to.not.equal(undefined);
    return found!;
  };

  it('names what each coroutine is doing: receiving, sleeping, suspended, waiting on a lock, running', async () => {
    const lock = new Lock();
    const holder = sched.spawnWith({ name: 'holder' }, async (coro) => {
      await lock.acquire(coro);
      await coro.suspend();
    });
    sched.spawnWith({ name: 'receiver' }, async (coro) => void (await coro.receive()));
    sched.spawnWith({ name: 'sleeper' }, async (coro) => void (await coro.sleep(60_000)));
    let release!: () => void;
    const foreign = new Promise<void>((resolve) => (release = resolve));
    sched.spawnWith({ name: 'busy' }, async () => foreign);
    await until(() => lock.locked && byName('holder').state === 'suspended');
    const waiter = sched.spawnWith({ name: 'waiter' }, async (coro) => void (await lock.acquire(coro, { timeout: 60_000 })));
    await until(() => byName('waiter').state === 'waiting');
    expect(byName('waiter').waitingOn).to.equal('Lock');
    expect(byName('receiver').state).to.equal('receiving');
    expect(byName('sleeper').state).to.equal('sleeping');
    expect(byName('busy').state).to.equal('running');
    expect(byName('holder').holds).to.deep.equal(['Lock']);
    expect(sched.snapshot().locks).to.deep.equal([{ resource: 'Lock', holder: `holder/${holder.id}` }]);
    release();
    waiter.terminate();
    await until(() => sched.snapshot().coroutines.every((c) => c.name !== 'waiter'));
  });

  it('reports mailbox depth, monitors, registered names, daemon flag and age; ended coroutines leave it', async () => {
    const parked = sched.spawnWith({ name: 'parked', daemon: true }, async (coro) => void (await coro.suspend()));
    parked.register('the-parked');
    parked.register('alias');
    for (let i = 0; i < 3; i++) parked.send(i);
    const watcher = sched.spawn(async (coro) => coro.receive());
    await watcher.monitor(parked);
    const snap = byName('parked');
    expect(snap.mailbox).to.equal(3);
    expect(snap.monitors).to.equal(1);
    expect(snap.registered.sort()).to.deep.equal(['alias', 'the-parked']);
    expect(snap.daemon).to.equal(true);
    expect(snap.ageMs).to.be.at.least(0);
    parked.terminate();
    await until(() => !sched.snapshot().coroutines.some((c) => c.name === 'parked'));
  });

  it('lists registered channels with their subscriber counts', async () => {
    const news = new Channel<string>('news', { scheduler: sched });
    news.register();
    const subs = [1, 2].map(() => sched.spawn(async (coro) => coro.receive()));
    for (const s of subs) await news.subscribe(s);
    expect(sched.snapshot().channels).to.deep.equal([{ name: 'news', subscribers: 2 }]);
  });

  it('counts messages sent, received, dropped, rejected and to ended coroutines, and the mailbox high-water mark', async () => {
    const box = sched.spawnWith({ mailbox: { capacity: 2, overflow: 'drop-oldest' } }, async (coro) => void (await coro.suspend()));
    for (let i = 0; i < 5; i++) box.send(i);
    const strict = sched.spawnWith({ mailbox: { capacity: 1, overflow: 'reject' } }, async (coro) => void (await coro.suspend()));
    strict.send('a');
    expect(() => strict.send('b')).to.throw();
    const echo = sched.spawn(async (coro) => coro.receive());
    echo.send('taken');
    await echo.finish();
    expect(echo.send('too late')).to.equal(false);
    const c = sched.snapshot().counters;
    expect(c.sent).to.equal(5 + 1 + 1);
    expect(c.dropped).to.equal(3);
    expect(c.rejected).to.equal(1);
    expect(c.received).to.equal(1);
    expect(c.deadLetters).to.equal(1);
    expect(c.mailboxHighWater).to.equal(2);
    expect(sched.stats).to.include({ sent: c.sent, dropped: 3, deadLetters: 1 });
  });

  it('is plain data: it survives JSON', async () => {
    sched.spawnWith({ name: 'x' }, async (coro) => void (await coro.receive()));
    await until(() => byName('x').state === 'receiving');
    const snap = sched.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).to.deep.equal(snap);
    expect(snap.peers).to.deep.equal([]);
  });
});
