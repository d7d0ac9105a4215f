import { expect } from 'chai';
import {
  Coro, InvalidArgumentError, MonitorStatus, NameTakenError, Network, PeerLostError, PeerUnreachableError, Rci,
  RemoteCoro, RemoteError, RemoteRci, Scheduler, TimeoutError, UnknownRciError,
} from '../../../index.js';
import { PEER_RCI_FILES } from '../../fixtures/peerRciFiles.js';
import { killAllPeerProcesses, PeerProcess } from '../../fixtures/index.js';
import { settle } from '../../helpers.js';


const SECRET = 'rci-spec';
const PEER_OPTIONS = { secret: SECRET, heartbeatInterval: 200, peerTimeout: 3000, extension: PEER_RCI_FILES };

describe('Rci (remote coroutine invocation)', function () {
  this.timeout(30_000);
  let sched: Scheduler;
  let net: Network | undefined;

  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await net?.stop();
    net = undefined;
    await sched.terminate();
  });
  after(killAllPeerProcesses);

  describe('locally', () => {
    it('registers, locates (without networking) and calls: the call starts a coroutine with the arguments', async () => {
      const rci = new Rci('double', async (_coro, n: number) => n * 2, { scheduler: sched });
      rci.register();
      expect(rci.isRegistered).to.equal(true);
      const found = await Rci.locate('double', { scheduler: sched, timeout: 0 });
      expect(found).to.equal(rci);
      const coro = await rci.call(21);
      expect(coro).to.be.instanceOf(Coro);
      expect(coro.name).to.equal('double');
      expect(await coro.finish()).to.equal(42);
      expect(await (await rci.run(1)).value()).to.equal(2);
    });

    it('a second RCI under a taken name throws NameTakenError; unregister frees it', async () => {
      const a = new Rci('same', async () => 1, { scheduler: sched });
      const b = new Rci('same', async () => 2, { scheduler: sched });
      a.register();
      expect(() => b.register()).to.throw(NameTakenError);
      expect(a.unregister()).to.equal(true);
      expect(a.unregister()).to.equal(false);
      b.register();
      expect(await Rci.locate('same', { scheduler: sched, timeout: 0 })).to.equal(b);
    });

    it('locate waits for a later registration, returns undefined on timeout, rejects on abort', async () => {
      const later = Rci.locate('later', { scheduler: sched, timeout: 2000 });
      const rci = new Rci('later', async () => 0, { scheduler: sched });
      setTimeout(() => rci.register(), 50);
      expect(await later).to.equal(rci);
      expect(await Rci.locate('nobody', { scheduler: sched, timeout: 50 })).to.equal(undefined);
      const ac = new AbortController();
      const p = settle(Rci.locate('nobody', { scheduler: sched, signal: ac.signal }));
      ac.abort(new Error('stop looking'));
      expect((await p).error?.message).to.equal('stop looking');
    });

    it('callWith({ monitor }) installs the monitor before the coroutine runs', async () => {
      const rci = new Rci('fails', async () => {
        throw new Error('at once');
      }, { scheduler: sched });
      const watcher = sched.spawn(async (me: Coro<MonitorStatus>) => me.receive({ timeout: 2000 }));
      await rci.callWith({ monitor: watcher });
      const status = (await watcher.finish()) as MonitorStatus;
      expect(status.reason).to.equal('failed');
      expect((status.error as Error).message).to.equal('at once');
    });

    it('bad arguments throw InvalidArgumentError', async () => {
      expect(() => new Rci('', async () => 0, { scheduler: sched })).to.throw(InvalidArgumentError);
      expect(() => new Rci('x', 42 as any, { scheduler: sched })).to.throw(InvalidArgumentError);
      expect(() => new Rci('x', async () => 0, 'nope' as any)).to.throw(InvalidArgumentError);
      const rci = new Rci('x', async () => 0, { scheduler: sched });
      for (const bad of [{ monitor: 42 }, { timeout: -1 }, 'opts']) {
        expect(InvalidArgumentError.is((await settle(rci.callWith(bad as any))).error), JSON.stringify(bad)).to.equal(true);
      }
      expect(InvalidArgumentError.is((await settle(Rci.locate('', { scheduler: sched }))).error)).to.equal(true);
      expect(InvalidArgumentError.is((await settle(Rci.locate('x', { scheduler: sched, timeout: -5 }))).error)).to.equal(true);
    });
  });

  describe('with a peer process', () => {
    let peer: PeerProcess;
    before(async () => {
      peer = await PeerProcess.start(PEER_OPTIONS);
    });
    after(async () => peer?.kill());
    beforeEach(async () => {
      net = await Network.start(sched, { discover: false, secret: SECRET, heartbeatInterval: 200, peerTimeout: 3000 });
      await net.peer(peer.ready.location, { timeout: 5000 });
    });

    it('locates an RCI at every peer and at a location; undefined for an unknown name', async () => {
      const rci = await Rci.locate('rci_1', { scheduler: sched, timeout: 5000 });
      expect(rci).to.be.instanceOf(RemoteRci);
      expect(String(rci!.location)).to.equal(peer.ready.location);
      expect(String(rci)).to.equal(`rci rci_1@${peer.ready.location}`);
      const there = await Rci.locate('rci_args', { scheduler: sched, timeout: 5000, location: peer.ready.location });
      expect(there).to.be.instanceOf(RemoteRci);
      expect(await Rci.locate('no-such-rci', { scheduler: sched, timeout: 200 })).to.equal(undefined);
      expect(await Rci.locate('no-such-rci', { scheduler: sched, timeout: 200, location: peer.ready.location })).to.equal(undefined);
    });

    it('finds an RCI registered later at the peer', async () => {
      await peer.command({ cmd: 'rci-register-later', name: 'late_rci', delay: 200 });
      const rci = await Rci.locate('late_rci', { scheduler: sched, timeout: 5000 });
      expect(rci).to.be.instanceOf(RemoteRci);
      expect(await (await rci!.call('x', 1)).value()).to.deep.equal(['x', 1]);
    });

    it('a call starts a remote coroutine with the CBOR arguments; finish()/value() give its result', async () => {
      const rci = (await Rci.locate('rci_args', { scheduler: sched, timeout: 5000 }))!;
      const args = ['a', 1, { b: [true, null] }, net!.location];
      const remote = await rci.call(...args);
      expect(remote).to.be.instanceOf(RemoteCoro);
      expect(String(remote)).to.match(new RegExp(`^rci_args/\\d+@${peer.ready.location}$`));
      const value = (await (remote as RemoteCoro).value()) as any[];
      expect(value.slice(0, 3)).to.deep.equal(args.slice(0, 3));
      expect(value[3].equals(net!.location)).to.equal(true);
      const r1 = (await rci.run('again')) as RemoteCoro;
      expect(await r1.finish({ timeout: 5000 })).to.deep.equal(['again']);
    });

    it('rci_monitor: monitored calls finish with the message (even) or fail with a RemoteError (odd)', async () => {
      const rci = (await Rci.locate('rci_1', { scheduler: sched, timeout: 5000 }))!;
      const statuses: MonitorStatus[] = [];
      const monitor = sched.spawn(async (me: Coro<MonitorStatus>) => {
        for (let i = 0; i < 4; i++) statuses.push(await me.receive({ timeout: 10_000 }));
      });
      const remotes: RemoteCoro[] = [];
      for (let x = 0; x < 4; x++) {
        const remote = (await rci.call(`test${x}`, x)) as RemoteCoro;
        await monitor.monitor(remote);
        remote.send(`msg:${x}`);
        remotes.push(remote);
      }
      await monitor.finish();
      expect(statuses.length).to.equal(4);
      for (let x = 0; x < 4; x++) {
        const status = statuses.find((s) => remotes[x]!.equals(s.coro))!;
        expect(status, `status of ${x}`).to.not.equal(undefined);
        if (x % 2 === 0) {
          expect(status.reason).to.equal('finished');
          expect(status.value).to.equal(`msg:${x}`);
        } else {
          expect(status.reason).to.equal('failed');
          expect(status.error).to.be.instanceOf(RemoteError);
          expect((status.error as RemoteError).remoteMessage).to.equal(`invalid invocation: ${x}`);
        }
      }
    });

    it('callWith({ monitor }) does not miss an outcome that comes before the caller could monitor', async () => {
      const rci = (await Rci.locate('rci_args', { scheduler: sched, timeout: 5000 }))!;
      const watcher = sched.spawn(async (me: Coro<MonitorStatus>) => me.receive({ timeout: 5000 }));
      const remote = (await rci.callWith({ monitor: watcher, timeout: 5000 }, 7)) as RemoteCoro;
      const status = (await watcher.finish()) as MonitorStatus;
      expect(status.reason).to.equal('finished');
      expect(status.value).to.deep.equal([7]);
      expect(remote.equals(status.coro)).to.equal(true);
    });

    it('an RCI no longer registered there gives UnknownRciError (a RemoteError with code ERR_UNKNOWN_RCI)', async () => {
      await peer.command({ cmd: 'rci-register-later', name: 'short_lived', delay: 0 });
      const rci = (await Rci.locate('short_lived', { scheduler: sched, timeout: 5000 }))!;
      expect(await peer.command({ cmd: 'rci-unregister', name: 'short_lived' })).to.deep.equal({ ok: true });
      expect(UnknownRciError.is((await settle(rci.call())).error)).to.equal(true);
      const fake = new RemoteRci(net, (rci as RemoteRci).location, (rci as RemoteRci).incarnation, 'never_registered');
      const r = await settle(fake.call(1));
      expect(UnknownRciError.is(r.error)).to.equal(true);
      expect(r.error).to.be.instanceOf(RemoteError);
      expect(r.error.remoteMessage).to.match(/no RCI registered as 'never_registered'/);
      const stale = new RemoteRci(net, (rci as RemoteRci).location, 'f'.repeat(32), 'rci_args');
      expect(UnknownRciError.is((await settle(stale.call())).error)).to.equal(true);
    });

    it('arguments that cannot cross the wire throw InvalidArgumentError', async () => {
      const rci = (await Rci.locate('rci_args', { scheduler: sched, timeout: 5000 }))!;
      expect(InvalidArgumentError.is((await settle(rci.call(() => 1))).error)).to.equal(true);
    });

    it('an Rci reference crosses the wire and comes home as the live Rci; the peer can call ours', async () => {
      const calls: unknown[] = [];
      const mine = new Rci('mine', async (_c, ...args: unknown[]) => (calls.push(args), 'ran here'), { scheduler: sched });
      mine.register();
      const echo = (await Coro.locate('echo', { scheduler: sched, timeout: 5000 }))!;
      const back = sched.spawn(async (me: Coro<any>) => {
        echo.send({ reply: me, body: { rci: mine } });
        return me.receive({ timeout: 5000 });
      });
      expect(((await back.finish()) as any).rci).to.equal(mine);
      const r = await peer.command({ cmd: 'rci-call', name: 'mine', location: String(net!.location), args: [1, 'two'] });
      expect(r, JSON.stringify(r)).to.deep.include({ found: true, value: 'ran here' });
      expect(calls).to.deep.equal([[1, 'two']]);
    });

    it('a call to a frozen peer times out (TimeoutError) or is cancelled by its signal', async () => {
      const rci = (await Rci.locate('rci_args', { scheduler: sched, timeout: 5000 }))!;
      await peer.kill('SIGSTOP');
      try {
        const r = await settle(rci.callWith({ timeout: 150 }, 1));
        expect(TimeoutError.is(r.error)).to.equal(true);
        const ac = new AbortController();
        const p = settle(rci.callWith({ signal: ac.signal }, 1));
        setTimeout(() => ac.abort(new Error('cancelled')), 50);
        expect((await p).error?.message).to.equal('cancelled');
      } finally {
        await peer.kill('SIGCONT');
      }
    });
  });

  describe('when the peer dies', () => {
    it('monitors of called coroutines get peer-lost, later calls fail with PeerLostError/PeerUnreachableError', async () => {
      const victim = await PeerProcess.start(PEER_OPTIONS);
      try {
        net = await Network.start(sched, { discover: false, secret: SECRET, heartbeatInterval: 200, peerTimeout: 3000 });
        const rci = (await Rci.locate('rci_1', { scheduler: sched, timeout: 5000, location: victim.ready.location }))!;
        const watcher = sched.spawn(async (me: Coro<MonitorStatus>) => me.receive({ timeout: 5000 }));
        const remote = (await rci.callWith({ monitor: watcher }, 'test0', 0)) as RemoteCoro;
        const finish = settle(remote.finish({ timeout: 5000 }));
        await victim.kill('SIGKILL');
        const status = (await watcher.finish()) as MonitorStatus;
        expect(status.reason).to.equal('peer-lost');
        expect(PeerLostError.is((await finish).error)).to.equal(true);
        const again = await settle(rci.call('test2', 2));
        expect(PeerLostError.is(again.error) || PeerUnreachableError.is(again.error), String(again.error)).to.equal(true);
      } finally {
        await victim.kill();
      }
    });
  });
});
