import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Computation } from '../../actors/discoro/client/Computation.js';
import { DiscoroNode } from '../../actors/discoro/node/DiscoroNode.js';
import type { JobCoro } from '../../actors/discoro/client/JobCoro.js';
import { runCommand, COMMANDS_HELP } from '../../bin/nodeCommands.js';
import { CoroTerminatedError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { SECRET, statusLog, WORK } from '../actors/discoro/discoroFixture.js';

// The interpreter against a real node in this process; spec/bin/discoronode.spec.ts drives the
// same commands through a pseudo-terminal (script(1)) where it is installed.
describe('bin/nodeCommands', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'node-commands-spec-'));
  const work = path.join(dir, 'work.mjs');
  let node: DiscoroNode;
  const printed: string[] = [];
  const quits: string[] = [];
  const io = { print: (t: string) => void printed.push(t), quit: (why: string) => void quits.push(why) };
  const comps: Computation[] = [];

  before(async () => {
    writeFileSync(work, WORK);
    node = await DiscoroNode.start({ cpus: 1, secret: SECRET, discover: false, serve: 5, destDir: path.join(dir, 'node') });
  });
  after(async () => {
    for (const c of comps) {
      await c.close({ terminate: true, timeout: 2000 }).catch(() => undefined);
      await c.scheduler.terminate();
    }
    await node.stop({ grace: 0 });
    rmSync(dir, { recursive: true, force: true });
  });
  const scheduled = async (): Promise<Computation> => {
    const c = new Computation({ components: [work], nodes: [node.location], secret: SECRET, pulseInterval: 200, scheduler: new Scheduler() });
    comps.push(c);
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    return c;
  };

  it('status (and an empty line): counts, the service and the --serve limit, each server', async () => {
    await runCommand(node, '', io);
    expect(printed.pop()).to.equal('0 computations, 1/1 slots free, 0 waiting, 0 served\nservice: in service; 0 of 5 computations served');
    const c = await scheduled();
    await runCommand(node, ' STATUS ', io);
    const text = printed.pop()!;
    expect(text).to.match(/^1 computations, 0\/1 slots free/);
    expect(text).to.include(`${c.id} server 1 at ${c.servers()[0]!.location} pid ${c.servers()[0]!.pid}`);
  });

  it('close: running jobs finish, the client is told and closed, each computation printed as it closes; terminate: running jobs are terminated and reported', async () => {
    const c = comps[0]!;
    const log = statusLog(c);
    const job = (await c.run('compute', 7, 300)) as JobCoro;
    await runCommand(node, 'close', io);
    const client = String(c.scheduler.network!.location);
    expect(printed.splice(0)).to.deep.equal([`closing 1 computations gracefully (running jobs finish; 'terminate' cuts it short)`, `  ${c.id} of client ${client} closed: closed at the node`, 'closed 1 computations']);
    expect(await job.finish({ timeout: 5000 })).to.have.property('i', 7);
    await log.until((s) => s.kind === 'node-closed' && s.reason === 'closed at the node');

    const d = await scheduled();
    const dLog = statusLog(d);
    const forever = (await d.run('forever')) as JobCoro;
    await runCommand(node, 'terminate', io);
    expect(printed.splice(0)).to.deep.equal(['terminating 1 computations', `  ${d.id} of client ${String(d.scheduler.network!.location)} closed: terminated at the node`, 'terminated 1 computations']);
    expect(await forever.finish({ timeout: 5000 }).catch((e: Error) => e)).to.be.instanceOf(CoroTerminatedError);
    await dLog.until((s) => s.kind === 'job-terminated');
    await runCommand(node, 'status', io);
    expect(printed.pop()).to.match(/^0 computations, 1\/1 slots free, 0 waiting, 2 served\nservice: in service; 2 of 5 computations served$/);
  });

  it('help and an unknown command print the commands; quit and exit stop the node through io.quit', async () => {
    await runCommand(node, 'help', io);
    expect(printed.pop()).to.equal(COMMANDS_HELP);
    await runCommand(node, 'frobnicate', io);
    expect(printed.pop()).to.equal(`unknown command 'frobnicate'\n${COMMANDS_HELP}`);
    for (const c of ['status', 'close', 'terminate', 'quit', 'help']) expect(COMMANDS_HELP).to.include(c);
    await runCommand(node, 'quit', io);
    await runCommand(node, 'exit', io);
    expect(quits).to.deep.equal(['quit', 'quit']);
    expect(node.isStopping).to.equal(false);
  });
});
