import { expect } from 'chai';
import { Computation } from '../../../../actors/discoro/client/Computation.js';
import { NodeRequests } from '../../../../actors/discoro/protocol.js';
import { Network } from '../../../../actors/remote/Network.js';
import { Scheduler } from '../../../../runtime/Scheduler.js';
import { until } from '../../../helpers.js';
import { discoroFixture, SECRET, statusLog, WORK } from '../discoroFixture.js';

describe('discoro ComputationNodes', function () {
  this.timeout(30_000);
  const fx = discoroFixture();
  after(() => fx.cleanup());

  it('pulses a node that granted a shorter zombie period than asked often enough for it: a job outlasting that period finishes', async () => {
    const node = await fx.node(['--zombie-period', '800']);
    // Asks for 20 s (10 × its pulse interval of 2 s); the node grants 800 ms, so it pulses every 80 ms there.
    const c = fx.computation({ components: [fx.component('work.mjs', WORK)], nodes: [node.location], pulseInterval: 2000 });
    const log = statusLog(c);
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    const value = (await c.runResult('compute', 1, 2500)) as { i: number };
    expect(value.i).to.equal(1);
    expect(log.seen.map((s) => s.kind)).to.not.include('node-closed');
    expect(await c.runResult('square', 6)).to.equal(36);
    await c.close();
  });

  it('a node granting an absurdly short zombie period (a few µs) does not make the client pulse in a busy loop: 50 ms apart at least', async () => {
    // A node of its own, in this process: it queues the computation and grants 0.001 ms.
    const nodeSched = new Scheduler();
    const clientSched = new Scheduler();
    const fake = await Network.start(nodeSched, { discover: false, secret: SECRET });
    const pulses: number[] = [];
    fake.handle(NodeRequests.info, () => ({ name: 'fake', location: String(fake.location), cpus: 1, freeCpus: 0, platform: 'linux-x64', host: 'fake', service: 'serving', avail: null }));
    fake.handle(NodeRequests.reserve, () => ({ queued: 1, zombiePeriod: 0.001 }));
    fake.handle(NodeRequests.pulse, () => void pulses.push(performance.now()));
    fake.handle(NodeRequests.close, () => true);
    const c = new Computation({ components: [fx.component('work.mjs', WORK)], nodes: [String(fake.location)], secret: SECRET, pulseInterval: 1000, scheduler: clientSched });
    const abort = new AbortController();
    const scheduled = c.schedule({ signal: abort.signal }).catch((e: unknown) => e);
    try {
      await until(() => pulses.length >= 6, 10_000, '6 pulses');
      const spans = pulses.slice(1, 6).map((t, k) => t - pulses[k]!);
      // Every 100 µs (10 within the µs granted) without the floor; a loaded machine only spaces them more.
      expect(Math.min(...spans), `pulses ${spans.map((s) => s.toFixed(1)).join(', ')} ms apart`).to.be.at.least(45);
    } finally {
      abort.abort();
      await scheduled;
      await c.close({ timeout: 2000 }).catch(() => undefined);
      await Network.of(clientSched)?.stop();
      await fake.stop();
      await Promise.all([clientSched.terminate(), nodeSched.terminate()]);
    }
  });
});
