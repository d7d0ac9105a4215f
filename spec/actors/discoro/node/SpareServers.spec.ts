import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { SpareServers } from '../../../../actors/discoro/node/SpareServers.js';
import { Supervisor } from '../../../../actors/Supervisor.js';
import type { Coro } from '../../../../runtime/Coro.js';
import { Scheduler } from '../../../../runtime/Scheduler.js';
import { ForkedProcess, ProcessExit, ProcessMessage } from '../../../../transports/io/ForkedProcess.js';
import { until, isAlive } from '../../../helpers.js';

const SERVER_MAIN = fileURLToPath(new URL('../../../../actors/discoro/server/serverMain.js', import.meta.url));

describe('SpareServers', function () {
  this.timeout(30_000);
  const started = new Set<number>();
  let sched: Scheduler;
  let sup: Supervisor | undefined;
  let changes = 0;
  const spares = async (count: number): Promise<SpareServers> => {
    const s = new SpareServers(count, (owner) => {
      const p = ForkedProcess.fork(SERVER_MAIN, { owner, scheduler: sched });
      started.add(p.pid);
      return p;
    }, () => changes++, sched);
    sup = await Supervisor.start([s.childSpec()], { scheduler: sched });
    return s;
  };
  /** A coroutine that takes processes and keeps what they send (in `kept`). */
  const kept: unknown[] = [];
  const taker = (): Coro<unknown, void> => sched.spawnWith({ name: 'taker' }, async (c: Coro<unknown, void>) => {
    for (;;) kept.push(await c.receive());
  });
  beforeEach(() => {
    kept.length = 0;
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sup?.stop();
    sup = undefined;
    await sched.terminate();
  });
  after(() => {
    for (const pid of started) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('warm() resolves once the spares have loaded their code; take() hands a warm one over to its taker, and a new spare is forked later', async () => {
    const s = await spares(2);
    expect(await s.warm({ timeout: 20_000 })).to.equal(true);
    const pids = s.pids;
    expect(pids).to.have.length(2);
    expect(s.ready).to.equal(2);
    const names = sched.snapshot().coroutines.map((c) => c.name);
    expect(names).to.include.members(['spares', 'spare-1', 'spare-2']);
    const owner = taker();
    const taken = await s.take(owner);
    expect(pids).to.include(taken.pid, 'a warm spare, not a new fork');
    expect(taken.owner).to.equal(owner);
    expect(s.pids).to.not.include(taken.pid, 'a taken spare is no longer a spare');
    taken.kill();
    await until(() => kept.some((m) => m instanceof ProcessExit && m.process === taken), 10_000, 'its exit told to its taker');
    await until(() => s.ready === 2, 20_000, 'the taken spare replaced');
    expect(s.pids).to.not.include(taken.pid);
  });

  it('with no spares, take() forks a new process for its taker', async () => {
    const s = await spares(0);
    expect(await s.warm({ timeout: 0 })).to.equal(true);
    expect(s.pids).to.deep.equal([]);
    const owner = taker();
    const forked = await s.take(owner);
    expect(forked.isAlive).to.equal(true);
    await until(() => kept.some((m) => m instanceof ProcessMessage && m.process === forked), 20_000, 'its first message, to its taker');
    expect((kept.find((m) => m instanceof ProcessMessage) as ProcessMessage).data).to.deep.equal({ type: 'loaded' });
    forked.kill();
    await forked.wait({ timeout: 10_000 });
  });

  it('a spare that dies is restarted by its supervisor (a new process); stopping the supervisor stops the spares; warm() times out with false', async () => {
    const s = await spares(2);
    expect(await s.warm({ timeout: 0 })).to.equal(false);
    await s.warm({ timeout: 20_000 });
    const [first, second] = s.pids as [number, number];
    const before = changes;
    process.kill(first, 'SIGKILL');
    await until(() => !s.pids.includes(first) && s.pids.length === 2, 10_000, 'the dead spare replaced');
    expect(changes).to.be.above(before, 'the node is told (it records the pids for --clean)');
    const all = s.pids;
    await sup!.stop();
    sup = undefined;
    for (const pid of [second, ...all]) expect(isAlive(pid), `pid ${pid}`).to.equal(false);
    expect(s.pids).to.deep.equal([]);
  });
});
