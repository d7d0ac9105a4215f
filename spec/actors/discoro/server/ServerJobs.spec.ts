/**
 * A job's `this` on its server (JobContext): where it runs, the memory its server's jobs share,
 * and closeServer, with and without a fresh server in its place. A real node in this process, its
 * real server processes and a client computation.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Computation } from '../../../../actors/discoro/client/Computation.js';
import type { DiscoroStatus } from '../../../../actors/discoro/client/discoroStatus.js';
import { DiscoroNode } from '../../../../actors/discoro/node/DiscoroNode.js';
import type { JobContext } from '../../../../actors/discoro/protocol.js';
import { Scheduler } from '../../../../runtime/Scheduler.js';
import { until } from '../../../helpers.js';
import { SECRET, statusLog } from '../discoroFixture.js';

function where(this: JobContext): { server: string; node: string; index: number; computation: string; pid: number } {
  return { server: this.server, node: this.node, index: this.index, computation: this.computation, pid: process.pid };
}
function remember(this: JobContext, _coro: unknown, key: string, value: unknown): number {
  this.memory.set(key, value);
  return this.memory.size;
}
function recall(this: JobContext, _coro: unknown, key: string): unknown {
  return this.memory.get(key) ?? null;
}
async function retire(this: JobContext, coro: { sleep(ms: number): Promise<unknown> }, restart: boolean): Promise<string> {
  this.closeServer({ restart });
  this.closeServer({ restart }); // once is enough: a second call changes nothing
  await coro.sleep(50); // it still runs to its end, and its value reaches the client
  return this.server;
}

describe('ServerJobs: a job\'s context on its server, and a server closed by its job', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'server-jobs-spec-'));
  let node: DiscoroNode;
  let c: Computation;
  let log: ReturnType<typeof statusLog>;
  before(async () => {
    node = await DiscoroNode.start({ cpus: 2, spareServers: 0, discover: false, secret: SECRET, destDir: path.join(dir, 'node'), name: 'ctx-node' });
    c = new Computation({ components: [where, remember, recall, retire], nodes: [node.location], secret: SECRET, scheduler: new Scheduler() });
    log = statusLog(c);
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    await log.until((s) => s.kind === 'node-initialized');
  });
  after(async () => {
    await c?.close({ terminate: true, timeout: 5000 }).catch(() => undefined);
    await c?.scheduler.terminate();
    await node?.stop({ grace: 0 });
    rmSync(dir, { recursive: true, force: true });
  });

  it('says where the job runs, and keeps memory its server\'s jobs share (not another server\'s)', async () => {
    const [a, b] = c.servers();
    const w = await c.runResultAt<{ server: string; node: string; index: number; computation: string; pid: number }>(a!.location, 'where');
    expect(w).to.deep.equal({ server: a!.location, node: 'ctx-node', index: a!.index, computation: c.id, pid: a!.pid });
    expect(await c.runResultAt(a!.location, 'remember', 'answer', 42)).to.equal(1);
    expect(await c.runResultAt(a!.location, 'recall', 'answer')).to.equal(42);
    expect(await c.runResultAt(b!.location, 'recall', 'answer')).to.equal(null);
  });

  it('closeServer({ restart: true }): the job ends with its value, the client hears server-closed, then a fresh server in its place', async () => {
    const old = c.servers()[0]!;
    const seen = log.seen.length;
    expect(await c.runResultAt(old.location, 'retire', true)).to.equal(old.location);
    const closed = await log.until((s) => log.seen.indexOf(s) >= seen && s.kind === 'server-closed');
    expect((closed as Extract<DiscoroStatus, { kind: 'server-closed' }>).server.location).to.equal(old.location);
    const fresh = await log.until((s) => log.seen.indexOf(s) >= seen && s.kind === 'server-initialized');
    const info = (fresh as Extract<DiscoroStatus, { kind: 'server-initialized' }>).server;
    expect([info.index, info.pid === old.pid, info.location === old.location]).to.deep.equal([old.index, false, false]);
    expect(log.seen.slice(seen).map((s) => s.kind)).to.not.include('server-disconnected'); // closed, not lost
    await until(() => c.servers().length === 2, 10_000, 'two servers again');
    expect(await c.runResultAt(info.location, 'recall', 'answer')).to.equal(null); // a fresh process: fresh memory
  });

  it('closeServer() without restart: the slot stays empty, jobs go to the other server', async () => {
    const [gone, stays] = c.servers();
    const seen = log.seen.length;
    expect(await c.runResultAt(gone!.location, 'retire', false)).to.equal(gone!.location);
    await log.until((s) => log.seen.indexOf(s) >= seen && s.kind === 'server-closed');
    await until(() => c.servers().length === 1, 10_000, 'one server left');
    expect(c.servers()[0]!.location).to.equal(stays!.location);
    const ran = await c.runResults<{ server: string }>('where', [[], [], []]);
    expect(new Set(ran.map((r) => r.server))).to.deep.equal(new Set([stays!.location]));
    // At the node, its owner ends with its process, and nothing takes its place.
    const owners = (): number => node.scheduler.snapshot().coroutines.filter((co) => co.name.startsWith('server-') && co.name.endsWith(`@${c.id}`)).length;
    await until(() => owners() === 1, 10_000, 'one server owner left at the node');
  });
});
