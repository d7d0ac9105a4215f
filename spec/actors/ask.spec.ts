import { expect } from 'chai';
import { ask, type Router } from '../../actors/ask.js';
import { Network } from '../../actors/remote/Network.js';
import type { RemoteCoro } from '../../actors/remote/RemoteCoro.js';
import type { Address } from '../../runtime/address.js';
import type { Coro } from '../../runtime/Coro.js';
import { CoroFinishedError, CoroTerminatedError, InvalidArgumentError, MailboxFullError, TimeoutError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { PeerLostError, RemoteError } from '../../transports/net/netErrors.js';
import { schedulerFixture } from '../fixtures/index.js';
import { captureLogger, expectError, until } from '../helpers.js';

type Request = { x: number; replyTo: Address<number> };
type Order = { op: 'square' | 'crash' | 'end' | 'silent'; x: number; replyTo: Address<number> };

describe('ask', () => {
  const fx = schedulerFixture();
  const squarer = (name = 'squarer'): Coro<Request> =>
    fx.sched.spawnWith({ daemon: true, name }, async (coro: Coro<Request>) => {
      for await (const { x, replyTo } of coro.messages()) replyTo.send(x * x);
    });
  /** A server that answers, crashes, ends or stays silent, as each order says. */
  const server = (sched = fx.sched): Coro<Order> =>
    sched.spawnWith({ daemon: true, name: 'server' }, async (coro: Coro<Order>) => {
      for await (const { op, x, replyTo } of coro.messages()) {
        if (op === 'crash') throw new Error('server bug');
        if (op === 'end') return;
        if (op === 'square') replyTo.send(x * x);
      }
    });
  const monitorsOf = (coro: { id: number }, sched = fx.sched): number => sched.snapshot().coroutines.find((c) => c.id === coro.id)?.monitors ?? 0;

  describe('on one node', () => {
    it('resolves with the reply; spawns nothing, leaves the caller mailbox and the target unwatched', async () => {
      const target = squarer();
      const spawned = fx.sched.stats.spawned;
      const caller = fx.sched.spawn(async (coro: Coro<string>) => {
        coro.send('mine');
        const y = await ask(target, (replyTo) => ({ x: 12, replyTo }), { timeout: 1000 });
        return [y, coro.pending, coro.poll()];
      });
      expect(await caller.value()).to.deep.equal([144, 1, 'mine']);
      expect(fx.sched.stats.spawned, 'only the caller was spawned').to.equal(spawned + 1);
      for (let i = 0; i < 20; i++) await ask(target, (replyTo) => ({ x: i, replyTo }));
      expect(monitorsOf(target)).to.equal(0);
    });

    it('rejects with TimeoutError at its timeout, naming the target; a late reply is refused', async () => {
      let late: Address<number> | undefined;
      const silent = fx.sched.spawnWith({ daemon: true, name: 'silent' }, async (coro: Coro<Request>) => {
        late = (await coro.receive()).replyTo;
        await coro.suspend();
      });
      const err = await expectError(() => ask(silent, (replyTo) => ({ x: 1, replyTo }), { timeout: 20 }), TimeoutError);
      expect(err.message).to.match(/no reply from silent\/\d+ within 20 ms/);
      expect(monitorsOf(silent)).to.equal(0);
      expect(late!.send(1)).to.equal(false);
    });

    it('rejects with the signal reason when aborted, before or during the wait', async () => {
      const silent = fx.sched.spawnWith({ daemon: true }, async (coro: Coro<Request>) => void (await coro.suspend()));
      const before = AbortSignal.abort(new Error('not wanted'));
      expect(((await ask(silent, (replyTo) => ({ x: 1, replyTo }), { signal: before }).catch((e: Error) => e)) as Error).message).to.equal('not wanted');
      const controller = new AbortController();
      const pending = ask(silent, (replyTo) => ({ x: 1, replyTo }), { signal: controller.signal });
      expect(monitorsOf(silent)).to.equal(1);
      controller.abort(new Error('changed my mind'));
      expect(((await pending.catch((e: Error) => e)) as Error).message).to.equal('changed my mind');
      expect(monitorsOf(silent)).to.equal(0);
    });

    it('fails with CoroFinishedError as soon as the target ends, with its reason and error, whatever the timeout', async () => {
      for (const [op, reason] of [['crash', 'failed'], ['end', 'finished']] as const) {
        const target = server();
        const err = await expectError(() => ask(target, (replyTo) => ({ op, x: 1, replyTo }), { timeout: 600_000 }), CoroFinishedError);
        expect(err.reason, op).to.equal(reason);
        if (op === 'crash') expect((err.cause as Error).message).to.equal('server bug');
      }
      const terminated = server();
      const pending = ask(terminated, (replyTo) => ({ op: 'silent', x: 1, replyTo })); // no timeout at all
      terminated.terminate();
      const err = await expectError(() => pending, CoroFinishedError);
      expect(err.reason).to.equal('terminated');
      expect(err.cause).to.be.instanceOf(CoroTerminatedError);
    });

    it('a target that has already ended fails at once with its reason, and nothing is queued', async () => {
      const gone = fx.sched.spawn(async () => {
        throw new Error('gone wrong');
      });
      await gone.finish().catch(() => undefined);
      const err = await expectError(() => ask(gone, (replyTo: Address<number>) => ({ x: 1, replyTo }), { timeout: 100 }), CoroFinishedError);
      expect(err.reason).to.equal('failed');
      expect((err.cause as Error).message).to.equal('gone wrong');
      expect(fx.sched.stats.deadLetters).to.equal(0);
    });

    it('the acting coroutine\'s terminate() interrupts its ask', async () => {
      const silent = fx.sched.spawnWith({ daemon: true }, async (coro: Coro<Request>) => void (await coro.suspend()));
      const caller = fx.sched.spawn(async (coro) => ask(silent, (replyTo) => ({ x: 1, replyTo }), { coro }));
      await until(() => monitorsOf(silent) === 1);
      caller.terminate();
      await expectError(() => caller.value(), CoroTerminatedError);
      expect(monitorsOf(silent)).to.equal(0);
    });

    it('a request a full mailbox refuses fails the ask with MailboxFullError', async () => {
      for (const overflow of ['reject', 'drop-newest'] as const) {
        const full = fx.sched.spawnWith({ daemon: true, mailbox: { capacity: 1, overflow } }, async (coro: Coro<Request>) => void (await coro.suspend()));
        full.send({ x: 0, replyTo: { send: () => true } });
        await expectError(() => ask(full, (replyTo) => ({ x: 1, replyTo }), { timeout: 1000 }), MailboxFullError);
        expect(monitorsOf(full), overflow).to.equal(0);
      }
    });

    it('bad input rejects with a typed error (never a synchronous throw) and changes nothing', async () => {
      const target = squarer();
      let thrown: unknown;
      let promise: Promise<unknown> | undefined;
      try {
        promise = ask(null as unknown as Address<number>, () => 1);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, 'no synchronous throw').to.equal(undefined);
      await expectError(() => promise!, InvalidArgumentError);
      await expectError(() => ask({ send: 'no' } as never, () => 1), InvalidArgumentError);
      await expectError(() => ask(target, 'not a function' as never), InvalidArgumentError);
      await expectError(() => ask(target, (replyTo) => ({ x: 1, replyTo }), { timeout: -1 }), InvalidArgumentError);
      await expectError(() => ask(target, (replyTo) => ({ x: 1, replyTo }), { scheduler: {} as Scheduler }), InvalidArgumentError);
      await expectError(() => ask(target, (replyTo) => ({ x: 1, replyTo }), { coro: {} as never }), InvalidArgumentError);
      const boom = new Error('builder failed');
      expect(await ask(target, () => {
        throw boom;
      }).catch((e: unknown) => e)).to.equal(boom);
      expect(monitorsOf(target)).to.equal(0);
      expect(target.pending).to.equal(0);
      expect(await ask(target, (replyTo) => ({ x: 3, replyTo }), { timeout: 1000 })).to.equal(9);
    });

    it('a router picks the address per request, and that address is the one watched', async () => {
      const a = server();
      const b = squarer('b');
      let next = 0;
      const pool: Router<Order> = {
        send: (m) => [a, b][next++ % 2]!.send(m as never),
        routeFor: () => [a, b][next++ % 2] as Address<Order>,
      };
      expect(await ask(pool, (replyTo) => ({ op: 'square', x: 4, replyTo }), { timeout: 1000 })).to.equal(16); // a
      expect(await ask(pool, (replyTo) => ({ op: 'square', x: 5, replyTo }), { timeout: 1000 })).to.equal(25); // b
      const err = await expectError(() => ask(pool, (replyTo) => ({ op: 'crash', x: 0, replyTo })), CoroFinishedError);
      expect(err.message).to.contain('server/');
      const none: Router<Order> = { send: () => false, routeFor: () => undefined };
      await expectError(() => ask(none, (replyTo) => ({ op: 'square', x: 1, replyTo })), CoroFinishedError);
    });
  });

  describe('across nodes', () => {
    let b: Scheduler;
    let netA: Network;
    let netB: Network;
    let logB: ReturnType<typeof captureLogger>;
    beforeEach(async () => {
      logB = captureLogger('info');
      b = new Scheduler({ logger: logB.logger });
      netA = await Network.start(fx.sched, { discover: false });
      netB = await Network.start(b, { discover: false, seeds: [netA.location] });
      fx.cleanup.push(async () => {
        await netB.stop();
        await netA.stop();
        await b.terminate();
      });
    });
    const locate = async <M>(name: string): Promise<RemoteCoro<M>> => (await netB.locateCoro<M>(name, { location: netA.location, timeout: 3000 })) as RemoteCoro<M>;
    /**
     * What is kept on both sides beyond `base`: watches, pending requests, and monitors of the
     * target (locating it installs a watch that forgets the cached reference when it ends, and
     * the outcome of a coroutine whose reference left its node is kept: both stay).
     */
    const leftovers = (target: Coro<any>, base: number[] = [1, 0, 1, 2]): number[] => {
      const [ofA] = b.snapshot().peers;
      const [ofB] = fx.sched.snapshot().peers;
      return [ofA?.watching ?? 0, ofA?.requests ?? 0, ofB?.watchedBy ?? 0, monitorsOf(target)].map((n, i) => n - base[i]!);
    };

    it('the reply address crosses the wire; the watch it installs is gone on both sides once it replied', async () => {
      const target = squarer();
      target.register('squarer');
      const remote = await locate<Request>('squarer');
      for (let i = 1; i <= 5; i++) expect(await ask(remote, (replyTo) => ({ x: i, replyTo }), { timeout: 3000 })).to.equal(i * i);
      const ys = await Promise.all([6, 7, 8].map((x) => ask(remote, (replyTo) => ({ x, replyTo }), { timeout: 3000 })));
      expect(ys).to.deep.equal([36, 49, 64]);
      await until(() => leftovers(target).every((n) => n === 0), 5000, JSON.stringify(leftovers(target)));
    });

    it('a remote target that crashes, or ends, fails the ask at once with its reason and error', async () => {
      const target = server();
      target.register('server');
      const remote = await locate<Order>('server');
      const crashed = await expectError(() => ask(remote, (replyTo) => ({ op: 'crash', x: 1, replyTo }), { timeout: 600_000 }), CoroFinishedError);
      expect(crashed.reason).to.equal('failed');
      expect(crashed.cause).to.be.instanceOf(RemoteError);
      expect((crashed.cause as RemoteError).remoteMessage).to.equal('server bug');
      const gone = await expectError(() => ask(remote, (replyTo) => ({ op: 'square', x: 1, replyTo })), CoroFinishedError);
      expect(gone.reason, 'its outcome was kept: its reference had left its node').to.equal('failed');
      const ending = server();
      ending.register('ending');
      const second = await locate<Order>('ending');
      expect((await expectError(() => ask(second, (replyTo) => ({ op: 'end', x: 1, replyTo })), CoroFinishedError)).reason).to.equal('finished');
      await until(() => leftovers(ending, [0, 0, 0, 0]).every((n) => n === 0)); // it ended: nothing at all is kept
    });

    it('the remote error keeps its stack: a caller that lets it through crashes with the remote frames in its report', async () => {
      const target = server();
      target.register('server');
      const remote = await locate<Order>('server');
      const caller = b.spawnWith({ name: 'caller' }, async () => ask(remote, (replyTo) => ({ op: 'crash', x: 1, replyTo })));
      await caller.finish().catch(() => undefined);
      const report = logB.lines.find((l) => l.msg === 'uncaught exception in coroutine' && l.name === 'caller')!;
      expect(report.err.stack).to.match(/CoroFinishedError: server\/\d+@[\d.:]+ ended \(failed\) before it replied/);
      expect(report.err.stack).to.match(/caused by: Error: server bug \(remote\)\n {4}at /); // the frames of the server, on its node
    });

    it('times out, and then tells the target node to drop its watch', async () => {
      const target = server();
      target.register('server');
      const remote = await locate<Order>('server');
      await expectError(() => ask(remote, (replyTo) => ({ op: 'silent', x: 1, replyTo }), { timeout: 50 }), TimeoutError);
      await until(() => leftovers(target).every((n) => n === 0), 5000, JSON.stringify(leftovers(target)));
    });

    it('the target node stopping fails the ask with PeerLostError, without a timeout', async () => {
      const target = server();
      target.register('server');
      const remote = await locate<Order>('server');
      const pending = ask(remote, (replyTo) => ({ op: 'silent', x: 1, replyTo }));
      await until(() => leftovers(target)[2] === 1);
      await netA.stop();
      await expectError(() => pending, PeerLostError);
      expect(b.snapshot().peers).to.deep.equal([]);
      expect(await remote.send({ op: 'square', x: 1, replyTo: { send: () => true } }), 'its node is known lost').to.equal(false);
    });

    it('a reply from elsewhere settles the ask, and the target node is told to drop its watch', async () => {
      const helper = b.spawnWith({ daemon: true, name: 'helper' }, async (coro: Coro<Request>) => {
        for await (const { x, replyTo } of coro.messages()) replyTo.send(-x);
      });
      const forwarder = fx.sched.spawnWith({ daemon: true, name: 'forwarder' }, async (coro: Coro<{ to: Address<Request>; x: number; replyTo: Address<number> }>) => {
        for await (const { to, x, replyTo } of coro.messages()) to.send({ x, replyTo }); // the reply address travels on
      });
      forwarder.register('forwarder');
      const remote = await locate<{ to: Address<Request>; x: number; replyTo: Address<number> }>('forwarder');
      expect(await ask(remote, (replyTo) => ({ to: helper, x: 7, replyTo }), { timeout: 3000 })).to.equal(-7);
      await until(() => leftovers(forwarder).every((n) => n === 0), 5000, JSON.stringify(leftovers(forwarder)));
    });
  });
});
