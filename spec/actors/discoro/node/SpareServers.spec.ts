import { expect } from 'chai';
import { SpareServers } from '../../../../actors/discoro/node/SpareServers.js';
import type { ServerProcess } from '../../../../actors/discoro/node/ServerProcess.js';
import { until, isAlive } from '../../../helpers.js';


describe('SpareServers', function () {
  this.timeout(30_000);
  const started: number[] = [];
  let spares: SpareServers | undefined;
  let changes = 0;
  afterEach(async () => {
    await spares?.close();
    spares = undefined;
  });
  after(() => {
    for (const pid of started) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('fill starts the spares and resolves once they have loaded their code; take hands out warm ones and replaces them later', async () => {
    spares = new SpareServers(2, () => changes++);
    await spares.fill({ timeout: 20_000 });
    const pids = spares.pids;
    started.push(...pids);
    expect(pids).to.have.length(2);
    expect(spares.ready).to.equal(2);
    expect(pids.every(isAlive)).to.equal(true);
    const taken: ServerProcess = spares.take();
    started.push(taken.pid);
    expect(pids).to.include(taken.pid, 'a warm spare, not a new fork');
    expect(taken.isWarm).to.equal(true);
    expect(spares.pids).to.not.include(taken.pid, 'a taken spare is no longer a spare');
    await until(() => spares!.ready === 2, 20_000, 'the taken spare replaced');
    started.push(...spares.pids);
    expect(spares.pids).to.not.include(taken.pid);
    taken.kill();
    await taken.exitedPromise();
  });

  it('with no spares, take forks a new process; a spare that dies is forgotten; close stops them all', async () => {
    const none = new SpareServers(0, () => {});
    await none.fill();
    expect(none.pids).to.deep.equal([]);
    const forked = none.take();
    started.push(forked.pid);
    expect(forked.isAlive).to.equal(true);
    await forked.warm;
    expect(forked.isWarm).to.equal(true);
    forked.kill();
    await forked.exitedPromise();
    await none.close();

    spares = new SpareServers(2, () => changes++);
    await spares.fill({ timeout: 20_000 });
    const [first, second] = spares.pids as [number, number];
    started.push(first, second);
    const before = changes;
    process.kill(first, 'SIGKILL');
    await until(() => !spares!.pids.includes(first), 10_000, 'the dead spare forgotten');
    expect(changes).to.be.above(before, 'the node is told (it records the pids for --clean)');
    await spares.close();
    expect(isAlive(second)).to.equal(false);
    expect(spares.pids).to.deep.equal([]);
    spares.take().kill(); // closed: no spare left, a fork on demand still works
  });
});
