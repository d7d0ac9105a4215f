import { expect } from 'chai';
import { Network } from '../../../actors/remote/Network.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { schedulerFixture } from '../../fixtures/index.js';
import { until } from '../../helpers.js';

describe('Network.peerStatuses(): for await over peers coming and going', () => {
  const fx = schedulerFixture();

  it('yields online for a peer that connects and offline when it stops; return() unsubscribes', async () => {
    const net = await Network.start(fx.sched, { discover: false });
    fx.cleanup.push(() => net.stop());
    const statuses = net.peerStatuses();
    const first = statuses.next();
    await until(() => fx.sched.snapshot().coroutines.some((c) => c.name === 'peer-statuses' && c.state === 'receiving'));
    const other = new Scheduler();
    fx.cleanup.push(() => other.terminate());
    const peerNet = await Network.start(other, { discover: false, name: 'the-peer', seeds: [net.location] });
    const online = (await first).value!;
    expect([online.status, online.name]).to.deep.equal(['online', 'the-peer']);
    await peerNet.stop();
    const offline = (await statuses.next()).value!;
    expect([offline.status, offline.name]).to.deep.equal(['offline', 'the-peer']);
    await statuses.return();
    await until(() => !fx.sched.snapshot().coroutines.some((c) => c.name === 'peer-statuses'));
  });

  it('an aborted signal ends the loop with its reason', async () => {
    const net = await Network.start(fx.sched, { discover: false });
    fx.cleanup.push(() => net.stop());
    const controller = new AbortController();
    const loop = (async () => {
      for await (const s of net.peerStatuses({ signal: controller.signal })) void s;
    })();
    await until(() => fx.sched.snapshot().coroutines.some((c) => c.name === 'peer-statuses' && c.state === 'receiving'));
    controller.abort(new Error('done watching'));
    expect(((await loop.catch((e: unknown) => e)) as Error).message).to.equal('done watching');
  });
});

describe('Network.stop({ timeout, signal })', () => {
  const fx = schedulerFixture();

  it('resolves true once stopped; is idempotent; a bad timeout rejects', async () => {
    const net = await Network.start(fx.sched, { discover: false });
    expect(await net.stop({ timeout: 5000 })).to.equal(true);
    expect(await net.stop({ timeout: 5000 })).to.equal(true);
    expect(fx.sched.network).to.equal(undefined);
    const other = await Network.start(fx.sched, { discover: false });
    expect(await other.stop({ timeout: -1 }).catch((e: unknown) => e)).to.have.property('code', 'ERR_INVALID_ARGUMENT');
    await other.stop();
  });
});
