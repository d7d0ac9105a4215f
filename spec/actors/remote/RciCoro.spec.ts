import { expect } from 'chai';
import { Rci, RemoteRci } from '../../../actors/remote/Rci.js';
import { RciCoro } from '../../../actors/remote/RciCoro.js';
import { RemoteCoro } from '../../../actors/remote/RemoteCoro.js';
import type { PeerNetwork } from '../../../transports/net/PeerNetwork.js';
import type { HeldOutcome } from '../../../actors/remote/HeldOutcome.js';
import type { Coro } from '../../../runtime/Coro.js';
import { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import { CoroTerminatedError, InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { RemoteError } from '../../../transports/net/netErrors.js';
import { networkFixture } from '../../fixtures/index.js';
import { caught, expectError, rejection, until } from '../../helpers.js';

describe('RciCoro (an RCI called on another node)', function () {
  this.timeout(20_000);
  const { node } = networkFixture();

  async function setup() {
    const server = await node({ secret: 'rci-coro' });
    const client = await node({ secret: 'rci-coro', seeds: [server.location] });
    const sched = server.scheduler;
    let release: (() => void) | undefined;
    new Rci('work', async (coro: Coro<string>, how: string) => {
      if (how === 'wait') await new Promise<void>((resolve) => (release = resolve));
      if (how === 'park') await coro.suspend();
      if (how === 'fail') throw Object.assign(new Error('it failed'), { code: 'ERR_WORK' });
      return `done: ${how}`;
    }, { scheduler: sched }).register();
    const rci = (await Rci.locate('work', { scheduler: client.scheduler, location: server.location, timeout: 5000 })) as RemoteRci<[string], string>;
    expect(rci).to.be.instanceOf(RemoteRci);
    return { server, client, rci, release: () => release?.() };
  }

  it('finish()/value() give the value, even when the coroutine ended before they were called', async () => {
    const { rci } = await setup();
    const c = (await rci.call('now')) as RciCoro<unknown, string>;
    expect(c).to.be.instanceOf(RciCoro);
    await until(() => (c as unknown as { outcome: HeldOutcome }).outcome.status !== undefined, 5000, 'the outcome to arrive');
    expect(await c.finish()).to.equal('done: now');
    expect(await c.value()).to.equal('done: now');
  });

  it('a failure arrives as a RemoteError with the code; a terminated call as CoroTerminatedError', async () => {
    const { rci } = await setup();
    const failed = await rci.call('fail');
    const err = await caught(() => failed.finish({ timeout: 5000 }));
    expect(err).to.be.instanceOf(RemoteError);
    expect([err.code, (err as RemoteError).remoteMessage]).to.deep.equal(['ERR_WORK', 'it failed']);
    const parked = await rci.call('park');
    expect(await parked.terminate()).to.equal(true);
    await expectError(() => parked.finish({ timeout: 5000 }), CoroTerminatedError);
  });

  it('finish() times out with the alarm, its signal cancels it, bad options are InvalidArgumentError; then the value comes', async () => {
    const { rci, release } = await setup();
    const c = await rci.call('wait');
    expect(await c.finish({ timeout: 10, alarm: 'later' })).to.equal('later');
    const ac = new AbortController();
    const p = c.finish({ signal: ac.signal });
    ac.abort(new Error('stop'));
    expect(((await rejection(p)) as Error).message).to.equal('stop');
    await expectError(() => c.finish({ timeout: -1 }), InvalidArgumentError);
    release();
    expect(await c.finish({ timeout: 5000 })).to.equal('done: wait');
  });

  it('a monitor given to callWith receives the outcome too', async () => {
    const { rci, client } = await setup();
    const watcher = client.scheduler.spawn(async (coro: Coro<MonitorStatus>) => {
      await rci.callWith({ monitor: coro }, 'watched');
      return coro.receive({ timeout: 5000 });
    });
    const status = (await watcher.value()) as MonitorStatus;
    expect(status).to.be.instanceOf(MonitorStatus);
    expect([status.reason, status.value]).to.deep.equal(['finished', 'done: watched']);
  });

  it('rci-run is answered before its coroutine runs: on the wire each reply precedes the outcome of its call (200 calls)', async () => {
    const { client, server } = await setup();
    new Rci('instant', (_coro: Coro, n: number) => n + 1, { scheduler: server.scheduler }).register();
    const rci = (await Rci.locate('instant', { scheduler: client.scheduler, location: server.location, timeout: 5000 })) as RemoteRci<[number], number>;
    const net = client as unknown as PeerNetwork;
    const peer = net.route(server.location)! as unknown as { onFrame(payload: Buffer): void };
    const seen: unknown[][] = [];
    const onFrame = peer.onFrame.bind(peer);
    peer.onFrame = (payload: Buffer): void => {
      const msg = net.codec.decode(payload) as unknown[];
      for (const m of (msg[0] === 4 ? msg.slice(1) : [msg]) as unknown[][]) seen.push(m);
      onFrame(payload);
    };
    const calls = await Promise.all(Array.from({ length: 200 }, (_, k) => rci.call(k)));
    expect(await Promise.all(calls.map((c) => c.finish({ timeout: 5000 })))).to.deep.equal(Array.from({ length: 200 }, (_, k) => k + 1));
    const answered = new Set<number>();
    let outcomes = 0;
    for (const m of seen) {
      if (m[0] === 1 && m[3] instanceof RemoteCoro) answered.add(m[3].id);
      if (m[0] === 0 && m[2] === 'exited') {
        const status = (m[3] as [number, MonitorStatus])[1];
        expect(answered.has(status.coro.id), `call ${status.coro.id}: its outcome came before the reply`).to.equal(true);
        outcomes++;
      }
    }
    expect(outcomes).to.equal(200);
  });
});
