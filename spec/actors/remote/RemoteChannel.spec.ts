import { expect } from 'chai';
import { until } from '../../helpers.js';
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Channel } from '../../../actors/Channel.js';
import { RemoteChannel } from '../../../actors/remote/RemoteChannel.js';
import { RemoteCoro } from '../../../actors/remote/RemoteCoro.js';
import type { Coro } from '../../../runtime/Coro.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { Network } from '../../../actors/remote/Network.js';
import { ChannelClosedError } from '../../../actors/actorErrors.js';

const secret = 'channel spec secret';
const SUBSCRIBER = fileURLToPath(new URL('../../fixtures/peerChannelSubscriber.js', import.meta.url));

describe('Remote channels', () => {
  let home: Scheduler;
  let away: Scheduler;
  let homeNet: Network;
  let awayNet: Network;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    home = new Scheduler();
    away = new Scheduler();
    homeNet = await Network.start(home, { secret, discover: false });
    awayNet = await Network.start(away, { secret, discover: false, seeds: [homeNet.location] });
  });
  afterEach(async () => {
    await awayNet.stop();
    await homeNet.stop();
    await away.terminate();
    await home.terminate();
  });
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  const collect = (sched: Scheduler, count: number) =>
    sched.spawn(async (coro: Coro<unknown, unknown[]>) => {
      const got: unknown[] = [];
      for (let i = 0; i < count; i++) got.push(await coro.receive({ timeout: 3000, alarm: 'timeout' }));
      return got;
    });

  it('locates a registered channel on another node and subscribes a local coroutine to it', async () => {
    const news = new Channel<string>('news', { scheduler: home });
    news.register();
    const remote = await Channel.locate<string>('news', { scheduler: away, location: homeNet.location, timeout: 3000 });
    expect(remote).to.be.instanceOf(RemoteChannel);
    const reader = collect(away, 3);
    await (remote as RemoteChannel<string>).subscribe(reader);
    expect(news.subscribers).to.equal(1);
    news.send('one');
    expect(await news.deliver('two', { timeout: 3000 })).to.equal(1); // acknowledged by the remote coroutine
    (remote as RemoteChannel<string>).send('three'); // a remote sender
    expect(await reader.value()).to.deep.equal(['one', 'two', 'three']);
  });

  it('send tells the truth: false once the channel is known closed there (its node says so), true again once it is registered anew', async () => {
    const news = new Channel<string>('news', { scheduler: home });
    news.register();
    const remote = (await Channel.locate<string>('news', { scheduler: away, location: homeNet.location, timeout: 3000 })) as RemoteChannel<string>;
    news.close();
    expect(remote.send('into the void'), 'not known yet: queued to its node').to.equal(true);
    await until(() => !remote.send('probe'), 5000, 'the gone notice');
    const again = new Channel<string>('news', { scheduler: home });
    again.register();
    const fresh = (await Channel.locate<string>('news', { scheduler: away, location: homeNet.location, timeout: 3000 })) as RemoteChannel<string>;
    const reader = collect(home, 1);
    again.subscribe(reader);
    expect(fresh.send('back')).to.equal(true);
    expect(await reader.value()).to.deep.equal(['back']);
  });

  it('deliver with n waits for the second subscriber, who may be remote (remote_channel scenario)', async () => {
    const ch = new Channel<number>('2clients', { scheduler: home });
    ch.register();
    const remote = (await Channel.locate<number>('2clients', { scheduler: away, location: homeNet.location, timeout: 3000 })) as RemoteChannel<number>;
    const local = collect(home, 1);
    await ch.subscribe(local);
    const delivering = remote.deliver(7, { n: 2, timeout: 5000 });
    // The deliver is waiting at the home channel (its quorum queue, internal) before the second subscriber comes.
    await until(() => (ch as unknown as { quorumWaiters: { length: number } }).quorumWaiters.length === 1);
    const late = collect(away, 1);
    await remote.subscribe(late);
    expect(await delivering).to.equal(2);
    expect(await local.value()).to.deep.equal([7]);
    expect(await late.value()).to.deep.equal([7]);
    expect(await remote.deliver(8, { n: 3, timeout: 50 })).to.equal(0); // quorum not reached in time
  });

  it('a remote deliver waiting for its quorum is cancelled by its signal and by terminating its coroutine', async () => {
    const ch = new Channel<number>('quorum', { scheduler: home });
    ch.register();
    const remote = (await Channel.locate<number>('quorum', { scheduler: away, location: homeNet.location, timeout: 3000 })) as RemoteChannel<number>;
    const quorum = (): number => (ch as unknown as { quorumWaiters: { length: number } }).quorumWaiters.length;
    const waiter = away.spawn(async (coro) => remote.deliver(2, { n: 5, coro }));
    await until(() => quorum() === 1); // its request waits at the home channel (internal queue)
    waiter.terminate();
    const err = await waiter.finish().catch((e) => e);
    expect((err as { code?: string }).code).to.equal('ERR_CORO_TERMINATED');
    const ac = new AbortController();
    const pending = remote.deliver(1, { n: 5, signal: ac.signal });
    ac.abort(new Error('no quorum needed'));
    expect(((await pending.catch((e) => e)) as Error).message).to.equal('no quorum needed');
    const sub = collect(away, 1);
    await remote.subscribe(sub);
    expect(await remote.deliver(3, { n: 1, timeout: 3000 })).to.equal(1);
    expect(await sub.value()).to.deep.equal([3]);
  });

  // Once a bug (fixed in e74762f): the request stayed queued at the channel's node after the caller
  // aborted, so the message was still delivered once the quorum came.
  it('an aborted remote deliver is cancelled at the channel node and never delivered later', async () => {
    const ch = new Channel<string>('aborted', { scheduler: home });
    ch.register();
    const remote = (await Channel.locate<string>('aborted', { scheduler: away, location: homeNet.location, timeout: 3000 })) as RemoteChannel<string>;
    const quorum = (): number => (ch as unknown as { quorumWaiters: { length: number } }).quorumWaiters.length;
    const ac = new AbortController();
    const pending = remote.deliver('cancelled', { n: 1, signal: ac.signal });
    await until(() => quorum() === 1); // it waits at the home channel
    ac.abort(new Error('changed my mind'));
    expect(((await pending.catch((e) => e)) as Error).message).to.equal('changed my mind');
    await until(() => quorum() === 0); // the cancel reached the channel's node and ended its wait there
    const sub = collect(home, 1);
    await ch.subscribe(sub);
    ch.send('after');
    expect(await sub.value()).to.deep.equal(['after']);
  });

  it('a remote channel subscribes to a local one (nested across nodes) and unsubscribe works by reference', async () => {
    const top = new Channel<string>('top', { scheduler: away });
    const relay = new Channel<string>('relay', { scheduler: home });
    relay.register();
    const remoteRelay = (await Channel.locate<string>('relay', { scheduler: away, location: homeNet.location, timeout: 3000 })) as RemoteChannel<string>;
    await top.subscribe(remoteRelay);
    const reader = collect(home, 2);
    await relay.subscribe(reader);
    expect(await top.deliver('via relay', { timeout: 3000 })).to.equal(1);
    top.send('again');
    expect(await reader.value()).to.deep.equal(['via relay', 'again']);
    const other = collect(away, 1);
    await remoteRelay.subscribe(other);
    expect(await remoteRelay.unsubscribe(other)).to.equal(true);
    expect(await remoteRelay.unsubscribe(other)).to.equal(false);
    other.terminate();
  });

  it('typed errors: an unknown channel, a bad subscriber, an unregistered channel in a message', async () => {
    const ghost = new RemoteChannel<string>(awayNet, homeNet.location, homeNet.incarnation, 'ghost');
    const c = collect(away, 1);
    let err: unknown;
    await ghost.subscribe(c, { timeout: 2000 }).catch((e) => (err = e));
    expect(ChannelClosedError.is(err)).to.equal(true);
    err = undefined;
    await ghost.subscribe({ send: () => true } as never).catch((e) => (err = e));
    expect(InvalidArgumentError.is(err)).to.equal(true);
    // A channel crosses the wire by name, so it must be registered first.
    const target = away.spawn(async (coro) => coro.receive({ timeout: 3000 }));
    target.register('target');
    const proxy = (await homeNet.locateCoro('target', { location: awayNet.location, timeout: 3000 })) as RemoteCoro;
    expect(proxy).to.be.instanceOf(RemoteCoro);
    expect(() => proxy.send(new Channel('unregistered', { scheduler: home }))).to.throw(InvalidArgumentError);
    c.terminate();
    target.terminate();
  });

  it('a subscriber whose process is killed (SIGKILL) is dropped; the channel keeps serving the others', async () => {
    const ch = new Channel<string>('survivor', { scheduler: home });
    ch.register();
    const child = spawnProcess(process.execPath, [SUBSCRIBER, JSON.stringify({ secret, seed: String(homeNet.location), channel: 'survivor' })], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const queued: string[] = [];
    const waiting: ((l: string) => void)[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => (waiting.length > 0 ? waiting.shift()!(l) : queued.push(l)));
    const next = (): Promise<any> =>
      queued.length > 0 ? Promise.resolve(JSON.parse(queued.shift()!)) : new Promise((resolve) => waiting.push((l) => resolve(JSON.parse(l))));
    expect(await next()).to.deep.equal({ subscribed: true });
    expect(ch.subscribers).to.equal(1);
    const local = collect(home, 2);
    await ch.subscribe(local);
    expect(await ch.deliver('hello', { timeout: 3000 })).to.equal(2);
    expect(await next()).to.deep.equal({ message: 'hello' });
    process.kill(child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // The dead subscriber is dropped on a failed delivery; the local one is still served.
    expect(await ch.deliver('after', { timeout: 3000 })).to.equal(1);
    expect(ch.subscribers).to.equal(1);
    expect(await local.value()).to.deep.equal(['hello', 'after']);
  });
});
