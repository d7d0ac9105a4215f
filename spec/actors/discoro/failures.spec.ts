import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ComponentError, ServerLostError } from '../../../actors/actorErrors.js';
import type { JobCoro } from '../../../actors/discoro/client/JobCoro.js';
import { CoroTerminatedError } from '../../../runtime/runtimeErrors.js';
import { isRunning, until } from '../../helpers.js';
import { discoroFixture, NodeProcess, SECRET, statusLog, WORK } from './discoroFixture.js';

const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clientProcess.js');

describe('discoro failures', function () {
  this.timeout(40_000);
  const fx = discoroFixture();
  let work: string;

  before(() => {
    work = fx.component('work.mjs', WORK);
  });
  after(() => fx.cleanup());

  it('a server killed mid-job: ServerLostError (finish, status), a replacement server; retries run the job elsewhere', async () => {
    const node = await fx.node();
    const c = fx.computation({ components: [work], nodes: [node.location] });
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    await log.until((s) => s.kind === 'node-initialized');
    const job = (await c.run('forever')) as JobCoro;
    const victim = c.servers().find((s) => s.location === job.server)!;
    fx.kill(victim.pid);
    const err = await job.finish({ timeout: 10_000 }).catch((e: Error) => e);
    expect(ServerLostError.is(err), String(err)).to.equal(true);
    await log.until((s) => s.kind === 'job-abandoned');
    const lost = await log.until((s) => s.kind === 'server-disconnected' && s.server.pid === victim.pid);
    const replacement = await log.until((s) => s.kind === 'server-initialized' && log.seen.indexOf(s) > log.seen.indexOf(lost));
    expect(replacement.kind === 'server-initialized' && replacement.server.index).to.equal(victim.index);
    await until(() => c.servers().length === 2, 10_000, 'two servers again');

    // With retries, a job whose server is lost runs again on another one.
    const created = log.seen.length;
    const result = c.runResultWith<{ i: number }>({ retries: 1 }, 'compute', 7, 1500);
    const started = await log.until((s) => s.kind === 'job-created' && log.seen.indexOf(s) >= created);
    if (started.kind === 'job-created') fx.kill(c.servers().find((s) => s.location === started.info.server)!.pid);
    expect((await result)!.i).to.equal(7);
    await c.close();
  });

  it('a node killed: every job fails with ServerLostError; node-disconnected', async () => {
    const node = await fx.node();
    const c = fx.computation({ components: [work], nodes: [node.location] });
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    await log.until((s) => s.kind === 'node-initialized');
    const jobs = [(await c.run('forever')) as JobCoro, (await c.runAsync('forever')) as JobCoro, (await c.run('forever')) as JobCoro];
    const serverPids = c.servers().map((s) => s.pid);
    fx.kill(node.pid);
    for (const job of jobs) expect(ServerLostError.is(await job.finish({ timeout: 10_000 }).catch((e: Error) => e))).to.equal(true);
    await log.until((s) => s.kind === 'node-disconnected');
    expect(c.servers()).to.deep.equal([]);
    // No node is left (and none is discovered): a job does not wait for a server that cannot come.
    expect(ServerLostError.is(await c.runResultWith({ retries: 3 }, 'square', 2).catch((e: Error) => e))).to.equal(true);
    expect(ServerLostError.is(await c.run('square', 2).catch((e: Error) => e))).to.equal(true);
    // Its servers noticed (IPC channel closed) and exited (orphans: init reaps them later).
    await until(() => !serverPids.some(isRunning), 10_000, 'servers exit');
    await c.close();
  });

  it('a client killed, or frozen past its zombie period: the node closes its computation and removes its servers and files', async () => {
    const node = await fx.node();
    for (const how of ['SIGKILL', 'SIGSTOP'] as const) {
      const client = new NodeProcess(spawn(process.execPath, [CLIENT, node.location, SECRET], { stdio: ['ignore', 'pipe', 'pipe'] }));
      try {
        const [, id, pid] = (await client.line(/^running /)).split(' ');
        const folder = path.join(node.dir, id!);
        expect(existsSync(folder)).to.equal(true);
        process.kill(client.pid, how); // SIGSTOP: the connection stays, the pulses stop
        await until(() => !existsSync(folder), 10_000, `computation folder removed after ${how}`);
        await until(() => { try { process.kill(Number(pid), 0); return false; } catch { return true; } }, 10_000, 'its server exits');
      } finally {
        fx.kill(client.pid);
      }
    }
  });

  it('a component with a syntax error, or importing a module the node lacks: ComponentError naming it and the node', async () => {
    const node = await fx.node();
    const bad = fx.component('bad.mjs', 'export function broken( {\n');
    const c1 = fx.computation({ components: [bad], nodes: [node.location] });
    const e1 = await c1.schedule({ timeout: 15_000 }).catch((e: Error) => e);
    expect(ComponentError.is(e1), String(e1)).to.equal(true);
    expect((e1 as Error).message).to.include('bad.mjs').and.to.include(node.name);
    const lacking = fx.component('lacking.mjs', "import 'no-such-package-for-discoro';\nexport const x = 1;\n");
    const c2 = fx.computation({ components: [lacking], nodes: [node.location] });
    const e2 = await c2.schedule({ timeout: 15_000 }).catch((e: Error) => e);
    expect(ComponentError.is(e2), String(e2)).to.equal(true);
    expect((e2 as Error).message).to.include('lacking.mjs').and.to.include('no-such-package-for-discoro');
  });

  it('a wrong secret: schedule() rejects with a typed error', async () => {
    const node = await fx.node();
    const c = fx.computation({ components: [work], nodes: [node.location], secret: 'not the secret' });
    const err = (await c.schedule({ timeout: 15_000 }).catch((e: Error) => e)) as Error & { code?: string };
    expect(err).to.be.instanceOf(Error);
    expect(err.code, String(err)).to.equal('ERR_AUTHENTICATION');
  });

  it('two computations share a node (a slot each); a third waits FIFO until one closes', async () => {
    const node = await fx.node();
    const one = [{ cpus: 1 }];
    const a = fx.computation({ components: [work], nodes: [node.location], nodeAllocations: one });
    const b = fx.computation({ components: [work], nodes: [node.location], nodeAllocations: one });
    await Promise.all([a.schedule({ timeout: 15_000 }), b.schedule({ timeout: 15_000 })]);
    expect(a.servers()).to.have.length(1);
    expect(b.servers()).to.have.length(1);
    const [ra, rb] = await Promise.all([a.runResults<{ pid: number }>('compute', [[1, 20], [2, 20]]), b.runResults<{ pid: number }>('compute', [[1, 20], [2, 20]])]);
    expect(ra.map((r) => r.pid)).to.deep.equal([a.servers()[0]!.pid, a.servers()[0]!.pid]);
    expect(rb[0]!.pid).to.not.equal(ra[0]!.pid);
    const c = fx.computation({ components: [work], nodes: [node.location] });
    const log = statusLog(c);
    const scheduled = c.schedule({ timeout: 15_000 });
    await log.until((s) => s.kind === 'node-waiting');
    await a.close();
    await b.close();
    expect(await scheduled).to.equal(true);
    expect(await c.runResult('square', 3)).to.equal(9);
    await c.close();
  });

  it('SIGTERM stops a node gracefully: a running job past the grace period is terminated and reported, exit 0', async () => {
    const node = await fx.node(['--grace-period', '300']);
    const c = fx.computation({ components: [work], nodes: [node.location] });
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    const job = (await c.run('forever')) as JobCoro;
    const quick = (await c.runAsync('compute', 1, 100)) as JobCoro;
    process.kill(node.pid, 'SIGTERM');
    await node.line(/stopping \(SIGTERM\)/);
    expect(await quick.finish({ timeout: 10_000 })).to.have.property('i', 1);
    expect(await job.finish({ timeout: 10_000 }).catch((e: Error) => e)).to.be.instanceOf(CoroTerminatedError);
    expect(await node.exited()).to.equal(0);
    await log.until((s) => s.kind === 'job-terminated');
    await log.until((s) => s.kind === 'node-closed' && s.reason === 'node stopping');
    await c.close();
  });
});
