import { expect } from 'chai';
import { SetupFailedError } from '../../../actors/actorErrors.js';
import type { JobCoro } from '../../../actors/discoro/client/JobCoro.js';
import { CoroTerminatedError } from '../../../runtime/runtimeErrors.js';
import { discoroFixture, statusLog, WORK, type NodeProcess } from './discoroFixture.js';

const SETUP = `
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
let loaded;
export function prepareNode(coro, text) { writeFileSync(path.join(process.cwd(), '..', 'node-data.txt'), text); }
export function loadServer(coro) { loaded = readFileSync(path.join(process.cwd(), '..', 'node-data.txt'), 'utf8'); return 0; }
export function refuse(coro) { return 'not ready'; }
export function loadedData(coro) { return loaded; }
`;

describe('discoro setup, close and server selection', function () {
  this.timeout(30_000);
  const fx = discoroFixture();
  let node: NodeProcess;
  let work: string;
  let setup: string;

  before(async () => {
    node = await fx.node();
    work = fx.component('work.mjs', WORK);
    setup = fx.component('setup.mjs', SETUP);
  });
  after(() => fx.cleanup());

  it('nodeSetup runs once per node before the servers, serverSetup in each server before it takes jobs', async () => {
    const c = fx.computation({ components: [setup], nodes: [node.location], nodeSetup: { fn: 'prepareNode', args: ['prepared'] }, serverSetup: { fn: 'loadServer' } });
    await c.schedule({ timeout: 15_000 });
    expect(await c.runResult('loadedData')).to.equal('prepared');
    await c.close();
  });

  it('a serverSetup that does not return 0 is a SetupFailedError: schedule() rejects', async () => {
    const c = fx.computation({ components: [setup], nodes: [node.location], serverSetup: { fn: 'refuse' } });
    const err = await c.schedule({ timeout: 15_000 }).catch((e: Error) => e);
    expect(SetupFailedError.is(err), String(err)).to.equal(true);
    expect((err as Error).message).to.include('not ready');
  });

  it('close({ timeout }) waits for CPU jobs that end, then terminates the others; abort ends the wait early', async () => {
    const c = fx.computation({ components: [work], nodes: [node.location] });
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    await log.until((s) => s.kind === 'node-initialized');
    const quick = (await c.run('compute', 1, 100)) as JobCoro;
    const stuck = (await c.run('forever')) as JobCoro;
    await c.close({ timeout: 1000 });
    expect(await quick.finish()).to.have.property('i', 1);
    expect(await stuck.finish().catch((e: Error) => e)).to.be.instanceOf(CoroTerminatedError);

    const d = fx.computation({ components: [work], nodes: [node.location] });
    await d.schedule({ timeout: 15_000 });
    const endless = (await d.run('forever')) as JobCoro;
    const ac = new AbortController();
    const closing = d.close({ signal: ac.signal }).catch((e: Error) => e);
    ac.abort(new Error('enough'));
    expect(await closing).to.have.property('message', 'enough');
    expect(await endless.finish({ timeout: 5000 }).catch((e: Error) => e)).to.be.instanceOf(CoroTerminatedError);
  });

  it('disableServer/enableServer and runAt: jobs go where they may', async () => {
    const c = fx.computation({ components: [work], nodes: [node.location] });
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    await log.until((s) => s.kind === 'node-initialized');
    const [s1, s2] = c.servers();
    expect(c.disableServer(s1!.location)).to.equal(true);
    const pids = await c.runResults<{ pid: number }>('compute', [[1, 10], [2, 10], [3, 10]]);
    expect(pids.map((r) => r.pid)).to.deep.equal([s2!.pid, s2!.pid, s2!.pid]);
    c.enableServer(s1!.location);
    expect((await c.runResultAt<{ pid: number }>(s1!.location, 'compute', 4, 1)).pid).to.equal(s1!.pid);
    c.disableNode(node.location);
    expect(await c.runWith({ timeout: 50 }, 'square', 2)).to.equal(false);
    c.enableNode(node.location);
    expect(await c.runResult('square', 2)).to.equal(4);
    expect(c.disableServer('127.0.0.1:1')).to.equal(false);
    await c.close();
  });
});
