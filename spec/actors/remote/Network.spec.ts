import { expect } from 'chai';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import {
  Coro, CoroFinishedError, CoroTerminatedError, InsecureNetworkError, InvalidArgumentError, Location,
  MonitorStatus, Network, NetworkStoppedError, PeerLostError, PeerStatus, PeerUnreachableError,
  RemoteCoro, RemoteError, Scheduler, TimeoutError,
} from '../../../index.js';
import { killAllPeerProcesses, PeerProcess } from '../../fixtures/index.js';
import { settle, until } from '../../helpers.js';

describe('Network (real processes on 127.0.0.1)', function () {
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

  describe('starting', () => {
    it('listens on an ephemeral loopback port and exposes location, Coro#location and scheduler.network', async () => {
      net = await Network.start(sched, { discover: false });
      expect(net.location).to.be.instanceOf(Location);
      expect(net.location.host).to.equal('127.0.0.1');
      expect(net.location.port).to.be.greaterThan(0);
      expect(sched.network).to.equal(net);
      const c = sched.spawn(async () => {});
      expect(c.location?.equals(net.location)).to.equal(true);
      expect(String(net.location)).to.equal(`127.0.0.1:${net.location.port}`);
    });

    it('refuses to listen beyond loopback without a secret unless insecure', async () => {
      let err: unknown;
      try {
        await Network.start(sched, { host: '0.0.0.0', discover: false });
      } catch (e) {
        err = e;
      }
      expect(InsecureNetworkError.is(err)).to.equal(true);
      expect(sched.network).to.equal(undefined);
      net = await Network.start(sched, { host: '0.0.0.0', discover: false, insecure: true });
      expect(net.location.port).to.be.greaterThan(0);
    });

    it('rejects bad options and a second start with InvalidArgumentError', async () => {
      const peerings = [{ peering: 'star' }, { peering: 1 }, { meshPeers: 'yes' }, { meshPeers: false, peering: 'mesh' }, { meshPeers: true, peering: 'hub' }];
      for (const bad of [{ port: -1 }, { port: 1.5 }, { heartbeatInterval: -1 }, { peerTimeout: 10, heartbeatInterval: 100 }, { maxFrame: 10 }, { secret: 42 }, { seeds: ['nope'] }, ...peerings]) {
        let err: unknown;
        try {
          await Network.start(sched, { discover: false, ...(bad as object) });
        } catch (e) {
          err = e;
        }
        expect(InvalidArgumentError.is(err), JSON.stringify(bad)).to.equal(true);
      }
      expect(sched.network, 'nothing started').to.equal(undefined);
      for (const [given, peering] of [[{}, 'mesh'], [{ meshPeers: false }, 'leaf'], [{ meshPeers: true }, 'mesh'], [{ meshPeers: false, peering: 'hidden' }, 'hidden']] as const) {
        const n = await Network.start(sched, { discover: false, ...given });
        expect(n.options.peering, JSON.stringify(given)).to.equal(peering);
        await n.stop();
      }
      net = await Network.start(sched, { discover: false });
      let again: unknown;
      try {
        await Network.start(sched, { discover: false });
      } catch (e) {
        again = e;
      }
      expect(InvalidArgumentError.is(again)).to.equal(true);
    });

    it('two starts at once on one scheduler: one is attached, the other rejects with InvalidArgumentError and leaves nothing listening', async () => {
      // This process's listening TCP sockets (Linux: its socket fds that /proc/net/tcp lists in state LISTEN).
      const listeners = (): number => {
        const mine = new Set(readdirSync('/proc/self/fd').flatMap((fd) => {
          try {
            return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1] ?? ''];
          } catch {
            return [];
          }
        }));
        return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).filter((l) => {
          const f = l.trim().split(/\s+/);
          return f[3] === '0A' && mine.has(f[9]!);
        }).length;
      };
      const before = listeners();
      const [a, b] = await Promise.allSettled([Network.start(sched, { discover: false }), Network.start(sched, { discover: false })]);
      const won = [a, b].filter((r) => r.status === 'fulfilled');
      const lost = [a, b].filter((r) => r.status === 'rejected');
      expect(won).to.have.length(1);
      expect(lost).to.have.length(1);
      expect(InvalidArgumentError.is((lost[0] as PromiseRejectedResult).reason)).to.equal(true);
      net = (won[0] as PromiseFulfilledResult<Network>).value;
      expect(Network.of(sched)).to.equal(net);
      expect(listeners()).to.equal(before + 1); // the loser closed its listener
    });

    it('stop() is idempotent, fails later requests with NetworkStoppedError and removes the hooks', async () => {
      net = await Network.start(sched, { discover: false });
      await net.stop();
      await net.stop();
      expect(sched.network).to.equal(undefined);
      const r = await settle(net.peer('127.0.0.1:1'));
      expect(NetworkStoppedError.is(r.error)).to.equal(true);
    });
  });

  describe('with a peer process', () => {
    let peer: PeerProcess;
    before(async () => {
      peer = await PeerProcess.start({ secret: 'spec-secret', heartbeatInterval: 200, peerTimeout: 1500 });
    });
    after(async () => peer?.kill());
    beforeEach(async () => {
      net = await Network.start(sched, { discover: false, secret: 'spec-secret', heartbeatInterval: 200, peerTimeout: 1500 });
      await net.peer(peer.ready.location, { timeout: 5000 });
    });

    it('peers, locates a registered coroutine and exchanges messages; references come home as the live Coro', async () => {
      const p = await net!.peer(peer.ready.location, { timeout: 5000 });
      expect(p.name).to.equal(peer.ready.name);
      expect(p.incarnation).to.equal(peer.ready.incarnation);
      expect(net!.peers().map(String)).to.deep.equal([peer.ready.location]);
      const echo = await Coro.locate('echo', { scheduler: sched, timeout: 5000 });
      expect(echo).to.be.instanceOf(RemoteCoro);
      expect(String((echo as RemoteCoro).location)).to.equal(peer.ready.location);
      const me = sched.spawn(async (coro: Coro<any>) => {
        echo!.send({ reply: coro, body: { n: 1, list: [1, 'two'], loc: net!.location, self: coro } });
        return coro.receive({ timeout: 5000 });
      });
      const reply = (await me.finish()) as any;
      expect(reply.n).to.equal(1);
      expect(reply.list).to.deep.equal([1, 'two']);
      expect(reply.loc).to.be.instanceOf(Location);
      expect(reply.loc.equals(net!.location)).to.equal(true);
      expect(reply.self).to.equal(me);
    });

    it('locate with a location asks that node only; undefined on timeout', async () => {
      expect(String(await net!.locateCoro('echo', { location: peer.ready.location, timeout: 5000 }))).to.match(/^echo\/\d+@/);
      expect(await net!.locateCoro('nobody-here', { location: peer.ready.location, timeout: 200 })).to.equal(undefined);
      expect(await Coro.locate('nobody-here', { scheduler: sched, timeout: 0 })).to.equal(undefined);
    });

    it('locate finds a name registered later, and a local name first', async () => {
      await net!.peer(peer.ready.location, { timeout: 5000 });
      expect(await peer.command({ cmd: 'register-later', name: 'late-one', delay: 300 })).to.deep.equal({ ok: true });
      const found = await Coro.locate('late-one', { scheduler: sched, timeout: 5000 });
      expect(String(found)).to.match(/^late-one\/\d+@/);
      const local = sched.spawnWith({ name: 'mine', daemon: true }, async (c) => void (await c.suspend()));
      local.register();
      expect(await Coro.locate('mine', { scheduler: sched, timeout: 1000 })).to.equal(local);
    });

    it('the peer process can locate our coroutines too', async () => {
      sched.spawnWith({ name: 'here', daemon: true }, async (c) => void (await c.suspend())).register('here');
      expect(await peer.command({ cmd: 'peer', location: String(net!.location) })).to.deep.equal({ ok: true });
      const r = await peer.command({ cmd: 'locate', name: 'here', timeout: 3000 });
      expect(r.found).to.match(new RegExp(`^here/\\d+@${String(net!.location)}$`));
    });

    it('messages from one sender arrive in order', async () => {
      const sink = (await Coro.locate('sink', { scheduler: sched, timeout: 5000 }))!;
      const from = `spec-${Math.random()}`;
      for (let seq = 0; seq < 5000; seq++) expect(sink.send({ from, seq })).to.equal(true);
      const me = sched.spawn(async (coro: Coro<any>) => {
        sink.send({ report: coro });
        return coro.receive({ timeout: 5000 });
      });
      const report = (await me.finish()) as any;
      expect(report.inOrder).to.equal(true);
      expect(report.count).to.be.at.least(5000);
    });

    it('deliver resolves true when queued, false on timeout into a full mailbox, and honours abort', async () => {
      const slow = (await Coro.locate('slow', { scheduler: sched, timeout: 5000 })) as RemoteCoro;
      const first = await settle(slow.deliver('fill', { timeout: 2000 }));
      // the mailbox holds one message; the first deliver may fill it, the next one waits
      expect(first.error).to.equal(undefined);
      const full = await settle(slow.deliver('more', { timeout: 150 }));
      expect(full.value).to.equal(false);
      const ac = new AbortController();
      const pending = settle(slow.deliver('aborted', { signal: ac.signal }));
      ac.abort(new Error('stop waiting'));
      expect((await pending).error?.message).to.equal('stop waiting');
      let bad: unknown;
      try {
        await slow.deliver('x', { timeout: -1 });
      } catch (e) {
        bad = e;
      }
      expect(InvalidArgumentError.is(bad)).to.equal(true);
    });

    it('monitor, finish and failures of a remote coroutine; deliver to an ended one throws', async () => {
      const worker = (await Coro.locate('worker', { scheduler: sched, timeout: 5000 })) as RemoteCoro;
      const watcher = sched.spawn(async (coro: Coro<any>) => {
        await coro.monitor(worker);
        worker.send('fail');
        return coro.receive({ timeout: 5000 });
      });
      const status = (await watcher.finish()) as MonitorStatus;
      expect(status).to.be.instanceOf(MonitorStatus);
      expect(status.reason).to.equal('failed');
      expect(status.error).to.be.instanceOf(RemoteError);
      expect((status.error as RemoteError).code).to.equal('ERR_WORKER');
      expect((status.error as RemoteError).remoteMessage).to.equal('worker failed on purpose');
      expect((status.coro as RemoteCoro).equals(worker)).to.equal(true);
      // Its reference left its node, so the node kept the outcome: a late finish() still learns it.
      const fin = await settle(worker.finish({ timeout: 2000 }));
      expect(fin.error?.code).to.equal('ERR_WORKER');
      const d = await settle(worker.deliver('late', { timeout: 1000 }));
      expect(CoroFinishedError.is(d.error)).to.equal(true);
      expect(worker.send('late'), 'it is known to have ended').to.equal(false);
      expect(await worker.terminate()).to.equal(false);
    });

    it('finish() times out with the alarm, terminate() ends a remote coroutine', async () => {
      await peer.command({ cmd: 'register-later', name: 'victim', delay: 0 });
      const victim = (await Coro.locate('victim', { scheduler: sched, timeout: 5000 })) as RemoteCoro;
      expect(await victim.finish({ timeout: 100, alarm: 'not yet' })).to.equal('not yet');
      const fin = settle(victim.finish({ timeout: 5000 }));
      expect(await victim.terminate()).to.equal(true);
      expect((await fin).error).to.be.instanceOf(CoroTerminatedError);
    });

    it('peerStatus reports current peers at once, then changes', async () => {
      await net!.peer(peer.ready.location, { timeout: 5000 });
      const watcher = sched.spawn(async (coro: Coro<any>) => {
        net!.peerStatus(coro);
        return coro.receive({ timeout: 2000 });
      });
      const s = (await watcher.finish()) as PeerStatus;
      expect(s).to.be.instanceOf(PeerStatus);
      expect(s.status).to.equal('online');
      expect(String(s.location)).to.equal(peer.ready.location);
      expect(s.name).to.equal(peer.ready.name);
      expect(await net!.locatePeer(peer.ready.name, { timeout: 1000 })).to.satisfy((l: Location) => String(l) === peer.ready.location);
      expect(await net!.locatePeer('no-such-node', { timeout: 50 })).to.equal(undefined);
    });

    it('handle()/request(): extension request types, unknown types and handler errors are typed', async () => {
      const off = net!.handle('spec-echo', (body) => body);
      expect(() => net!.handle('spec-echo', (b) => b)).to.throw(InvalidArgumentError);
      // the peer process has no 'spec-echo': its reply is a typed error
      const r = await settle(net!.request(peer.ready.location, 'spec-echo', 1, { timeout: 2000 }));
      expect(r.error).to.be.instanceOf(RemoteError);
      expect(r.error.code).to.equal('ERR_UNKNOWN_REQUEST');
      off();
      const t = await settle(net!.request(peer.ready.location, 'locate', ['x', 5000, 1], { timeout: 50 }));
      expect(TimeoutError.is(t.error)).to.equal(true);
      const bad = await settle(net!.request(peer.ready.location, 'deliver', 'not an array', { timeout: 2000 }));
      expect(bad.error.code).to.equal('ERR_INVALID_ARGUMENT');
    });
  });

  describe('failure detection', () => {
    it('SIGKILL of a peer fails pending deliver/locate/finish at once and tells monitors "peer-lost"', async () => {
      net = await Network.start(sched, { discover: false, heartbeatInterval: 200, peerTimeout: 1500 });
      const victim = await PeerProcess.start({ heartbeatInterval: 200, peerTimeout: 1500 });
      const slow = (await net.locateCoro('slow', { location: victim.ready.location, timeout: 5000 })) as RemoteCoro;
      const worker = (await net.locateCoro('worker', { location: victim.ready.location, timeout: 5000 })) as RemoteCoro;
      await slow.deliver('fill', { timeout: 1000 });
      const statuses: unknown[] = [];
      net.peerStatus({ send: (s: unknown) => (statuses.push(s), true) });
      let monitoring = false;
      const monitor = sched.spawn(async (coro: Coro<any>) => {
        await coro.monitor(worker);
        monitoring = true;
        return coro.receive({ timeout: 10_000 });
      });
      await until(() => monitoring, 5000, 'the monitor to be installed');
      const pending = [
        settle(slow.deliver('blocks')), // no timeout: only the peer's death can end it
        settle(net.locateCoro('never', { location: victim.ready.location, timeout: 20_000 })),
        settle(worker.finish()),
      ];
      await victim.kill('SIGKILL');
      const results = await Promise.all(pending);
      for (const r of results) {
        expect(PeerLostError.is(r.error), String(r.error)).to.equal(true);
        expect(r.ms).to.be.lessThan(3000);
      }
      const status = (await monitor.finish()) as MonitorStatus;
      expect(status.reason).to.equal('peer-lost');
      expect(PeerLostError.is(status.error)).to.equal(true);
      expect(statuses.map((s) => (s as PeerStatus).status)).to.deep.equal(['online', 'offline']);
      // Once a re-dial of the dead node has failed, it is known unreachable: send says false, deliver throws.
      await until(() => slow.send('after death') === false, 5000, 'send to report the dead node');
      expect(PeerUnreachableError.is((await settle(slow.deliver('after death', { timeout: 1000 }))).error)).to.equal(true);
    });

    it('a silent (stopped) peer misses its heartbeats and is declared lost within peerTimeout', async () => {
      net = await Network.start(sched, { discover: false, heartbeatInterval: 200, peerTimeout: 1000 });
      const frozen = await PeerProcess.start({ heartbeatInterval: 200, peerTimeout: 1000 });
      try {
        const slow = (await net.locateCoro('slow', { location: frozen.ready.location, timeout: 5000 })) as RemoteCoro;
        await slow.deliver('fill', { timeout: 1000 });
        const pending = settle(slow.deliver('blocks'));
        await frozen.kill('SIGSTOP');
        const r = await pending;
        expect(PeerLostError.is(r.error)).to.equal(true);
        expect(r.error.message).to.match(/heartbeat/);
        expect(r.ms).to.be.lessThan(4000);
      } finally {
        await frozen.kill('SIGKILL');
      }
    });

    it('a restarted peer is a new incarnation: old references are dead, new ones work', async () => {
      net = await Network.start(sched, { discover: false, heartbeatInterval: 200, peerTimeout: 1500 });
      const first = await PeerProcess.start({});
      const port = Number(first.ready.location.split(':')[1]);
      const oldEcho = (await net.locateCoro('echo', { location: first.ready.location, timeout: 5000 })) as RemoteCoro;
      await first.kill('SIGKILL');
      await until(() => net!.peers().length === 0, 5000, 'the first incarnation to be lost');
      const second = await PeerProcess.start({ port });
      try {
        expect(second.ready.location).to.equal(first.ready.location);
        expect(second.ready.incarnation).to.not.equal(first.ready.incarnation);
        const peerNow = await net.peer(second.ready.location, { timeout: 5000 });
        expect(peerNow.incarnation).to.equal(second.ready.incarnation);
        const d = await settle(oldEcho.deliver('hello', { timeout: 1000 }));
        expect(CoroFinishedError.is(d.error)).to.equal(true);
        expect(oldEcho.send('x')).to.equal(false);
        const newEcho = (await net.locateCoro('echo', { location: second.ready.location, timeout: 5000 })) as RemoteCoro;
        expect(await newEcho.deliver({ body: 1 }, { timeout: 1000 })).to.equal(true);
      } finally {
        await second.kill();
      }
    });
  });
});
