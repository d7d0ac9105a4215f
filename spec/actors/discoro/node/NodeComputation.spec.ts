import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Computation } from '../../../../actors/discoro/client/Computation.js';
import { DiscoroNode } from '../../../../actors/discoro/node/DiscoroNode.js';
import type { NodeChange } from '../../../../actors/discoro/node/nodeEvents.js';
import { Scheduler } from '../../../../runtime/Scheduler.js';
import { isAlive, until } from '../../../helpers.js';
import { SECRET, statusLog, WORK } from '../discoroFixture.js';

/** The node runs in this process (its coroutines are looked at); its servers and the clients' networks are real. */
describe('NodeComputation (a computation at a node, and its servers)', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'node-computation-spec-'));
  const work = path.join(dir, 'work.mjs');
  writeFileSync(work, WORK);
  const nodes: DiscoroNode[] = [];
  const comps: Computation[] = [];
  const pids = new Set<number>();
  let n = 0;
  const computation = (node: DiscoroNode): Computation => {
    const c = new Computation({ components: [work], nodes: [node.location], secret: SECRET, pulseInterval: 200, scheduler: new Scheduler() });
    comps.push(c);
    return c;
  };
  after(async () => {
    for (const c of comps) {
      for (const s of c.servers()) pids.add(s.pid);
      await c.close({ terminate: true, timeout: 2000 }).catch(() => undefined);
      await c.scheduler.terminate();
    }
    for (const node of nodes) await node.stop({ grace: 0 });
    for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it("is a coroutine under the node's supervision tree, with a supervisor over one owner coroutine per server; they end with it", async () => {
    const node = await DiscoroNode.start({ cpus: 2, secret: SECRET, discover: false, destDir: path.join(dir, `node-${++n}`), pulseInterval: 200 });
    nodes.push(node);
    const names = (): string[] => node.scheduler.snapshot().coroutines.map((c) => c.name);
    expect(names()).to.include.members(['discoronode', 'client-status', 'pid-file', 'spares', 'spare-1', 'spare-2', 'computations', 'discoro-node']);
    const c = computation(node);
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    await log.until((s) => s.kind === 'node-initialized');
    expect(names()).to.include.members([`computation-${c.id}`, `servers-${c.id}`, `server-1@${c.id}`, `server-2@${c.id}`]);
    const comp = node.computations.get(c.id)!;
    expect(comp.phase).to.equal('serving');
    expect(new Set(comp.pids)).to.deep.equal(new Set(c.servers().map((s) => s.pid)));
    await c.close();
    await until(() => !names().some((name) => name.endsWith(c.id)), 10_000, "the computation's coroutines gone");
    expect(node.computations.size).to.equal(0);
    expect(existsSync(path.join(node.root, c.id))).to.equal(false);
    expect(comp.pids.filter(isAlive)).to.deep.equal([]);
  });

  it('a server whose process dies is restarted in its slot; beyond the restart intensity its supervisor gives up and the computation is closed, its client told; the node serves on', async () => {
    const node = await DiscoroNode.start({ cpus: 1, secret: SECRET, discover: false, destDir: path.join(dir, `node-${++n}`), pulseInterval: 200, serverRestarts: { maxRestarts: 2, withinMs: 60_000 } });
    nodes.push(node);
    const seen: NodeChange[] = [];
    const watcher = { send: (e: NodeChange): boolean => (seen.push(e), true) };
    await node.events.subscribe(watcher);
    const c = computation(node);
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    await log.until((s) => s.kind === 'node-initialized');
    for (let kill = 1; kill <= 2; kill++) {
      const [server] = c.servers();
      pids.add(server!.pid);
      process.kill(server!.pid, 'SIGKILL');
      await until(() => c.servers().length === 1 && c.servers()[0]!.pid !== server!.pid, 15_000, `replacement ${kill}`);
      expect(c.servers()[0]!.index).to.equal(1);
    }
    expect(seen.filter((e) => e.kind === 'server-lost')).to.have.length(2);
    expect(seen.filter((e) => e.kind === 'server-up' && e.replacement)).to.have.length(2);
    process.kill(c.servers()[0]!.pid, 'SIGKILL'); // the third failure within the window: more than 2 restarts
    const closed = await log.until((s) => s.kind === 'node-closed', 15_000);
    expect(closed.kind === 'node-closed' && closed.reason).to.match(/servers kept failing/);
    await until(() => node.computations.size === 0, 10_000, 'the computation gone');
    const after = computation(node);
    expect(await after.schedule({ timeout: 15_000 })).to.equal(true);
    expect(await after.runResult('square', 5)).to.equal(25);
  });

  it('a random server killed every 500 ms for 5 s: each is replaced, the computation stays, no process is left behind, and the node serves a new computation afterwards', async () => {
    const node = await DiscoroNode.start({ cpus: 2, secret: SECRET, discover: false, destDir: path.join(dir, `node-${++n}`), pulseInterval: 200 });
    nodes.push(node);
    const c = computation(node);
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    await log.until((s) => s.kind === 'node-initialized');
    const comp = node.computations.get(c.id)!;
    const killed: number[] = [];
    const deadline = performance.now() + 5000;
    while (performance.now() < deadline) {
      const live = comp.pids.filter(isAlive);
      if (live.length > 0) {
        const pid = live[Math.floor(Math.random() * live.length)]!;
        killed.push(pid);
        pids.add(pid);
        process.kill(pid, 'SIGKILL');
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(killed.length).to.be.at.least(8);
    await until(() => comp.pids.length === 2 && comp.pids.every(isAlive) && comp.servers.size === 2 && [...comp.servers.values()].every((s) => s.info !== undefined), 20_000, 'two servers again');
    expect(node.computations.get(c.id)).to.equal(comp);
    expect(log.seen.some((s) => s.kind === 'node-closed')).to.equal(false);
    await until(() => killed.every((pid) => !isAlive(pid)), 10_000, 'every killed process reaped');
    await until(() => c.servers().length === 2, 20_000, 'the client has two servers again');
    expect(await c.runResult('square', 6)).to.equal(36);
    const next = computation(node);
    await c.close();
    expect(await next.schedule({ timeout: 15_000 })).to.equal(true);
    expect(await next.runResult('square', 7)).to.equal(49);
  });
});
