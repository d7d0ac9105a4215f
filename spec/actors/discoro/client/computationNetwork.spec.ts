import { expect } from 'chai';
import { ComputationClosedError } from '../../../../actors/actorErrors.js';
import { Computation } from '../../../../actors/discoro/client/Computation.js';
import type { DiscoroStatus } from '../../../../actors/discoro/client/discoroStatus.js';
import { Network } from '../../../../actors/remote/Network.js';
import { InvalidArgumentError } from '../../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../../runtime/Scheduler.js';
import { discoroFixture, SECRET, WORK, type NodeProcess } from '../discoroFixture.js';

describe('discoro computations and their scheduler\'s network', function () {
  this.timeout(30_000);
  const fx = discoroFixture();
  let node: NodeProcess;
  /** Where the wrong secrets go: a node refuses an address for a while after a failed authentication. */
  let refusing: NodeProcess;
  let work: string;
  let sched: Scheduler;
  const made: Computation[] = [];
  const computation = (secret: string, at = node): Computation => {
    // One slot each: two computations share the node's two.
    const c = new Computation({ components: [work], nodes: [at.location], nodeAllocations: [{ node: '*', cpus: 1 }], secret, pulseInterval: 200, scheduler: sched });
    made.push(c);
    return c;
  };

  before(async () => {
    [node, refusing] = await Promise.all([fx.node(), fx.node()]);
    work = fx.component('work.mjs', WORK);
  });
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    for (const c of made.splice(0)) await c.close({ terminate: true, timeout: 2000 }).catch(() => undefined);
    await Network.of(sched)?.stop();
    await sched.terminate();
  });
  after(() => fx.cleanup());

  it('a schedule() that failed (a wrong secret) leaves nothing behind: the next Computation on the scheduler uses its own, right secret', async () => {
    const wrong = computation('not the secret', refusing);
    const statuses: DiscoroStatus[] = [];
    const reading = (async () => {
      for await (const s of wrong.status()) statuses.push(s);
    })();
    const failure = (await wrong.schedule({ timeout: 15_000 }).catch((e: Error) => e)) as Error;
    expect(failure).to.be.instanceOf(Error);
    expect(Network.of(sched)).to.equal(undefined); // the network it started is gone with it
    await reading; // its status stream ended: it closed
    expect(statuses.map((s) => s.kind)).to.include.members(['node-failed', 'computation-closed']);
    const again = (await wrong.schedule().catch((e: Error) => e)) as Error;
    expect(ComputationClosedError.is(again)).to.equal(true);
    expect(again.message).to.include('its schedule failed');
    expect(again.cause).to.equal(failure);
    // The first is not closed by the program. (A network keeping the wrong secret would fail here too.)
    const right = computation(SECRET);
    expect(await right.schedule({ timeout: 15_000 })).to.equal(true);
    expect(await right.runResult('square', 7)).to.equal(49);
  });

  it('computations of one scheduler share the network one of them started: one closing leaves the other running; the last one stops it; another secret is refused', async () => {
    const a = computation(SECRET), b = computation(SECRET);
    const [sa, sb] = await Promise.all([a.schedule({ timeout: 15_000 }), b.schedule({ timeout: 15_000 })]);
    expect([sa, sb]).to.deep.equal([true, true]);
    const net = Network.of(sched);
    expect(a.net).to.equal(net);
    expect(b.net).to.equal(net);
    const other = computation('another secret', refusing);
    const refused = await other.schedule({ timeout: 5000 }).catch((e: Error) => e);
    expect(refused).to.be.instanceOf(InvalidArgumentError);
    expect((refused as Error).message).to.match(/another secret/);
    expect(other.isScheduled).to.equal(false);
    await a.close();
    expect(Network.of(sched)).to.equal(net);
    expect(await b.runResult('square', 3)).to.equal(9);
    await b.close();
    expect(Network.of(sched)).to.equal(undefined);
    // The one refused may schedule now that the network with the other secret is gone (it has the wrong one: it fails, cleanly).
    expect(await other.schedule({ timeout: 15_000 }).catch((e: Error) => e)).to.be.instanceOf(Error);
    expect(Network.of(sched)).to.equal(undefined);
  });

  it('a network the program started is used by its computations and never stopped by them', async () => {
    const net = await Network.start(sched, { discover: false, secret: SECRET });
    const c = computation(SECRET);
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    expect(c.net).to.equal(net);
    expect(await c.runResult('square', 5)).to.equal(25);
    await c.close();
    expect(Network.of(sched)).to.equal(net);
    const next = computation(SECRET);
    expect(await next.schedule({ timeout: 15_000 })).to.equal(true);
    expect(next.net).to.equal(net);
    await next.close();
    expect(Network.of(sched)).to.equal(net);
  });
});
