import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeProcess } from '../actors/discoro/discoroFixture.js';

const DEMO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/discoro_demo.js');

describe('examples/discoro_demo (npm start)', function () {
  this.timeout(60_000);
  let demo: NodeProcess | undefined;
  after(() => {
    if (demo !== undefined && demo.code === undefined) process.kill(demo.pid, 'SIGKILL');
  });

  it('starts a discoronode, spreads the demo jobs over its servers, reports progress every 10 %, and stops cleanly on SIGINT', async () => {
    demo = new NodeProcess(spawn(process.execPath, [DEMO, '20'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    await demo.line(/press Ctrl-C to stop it/, 45_000);
    const lines = demo.lines;
    expect(lines[0]).to.match(/^discoronode listening at 127\.0\.0\.1:\d+/);
    expect(lines.filter((l) => l.startsWith('progress: '))).to.have.length(10);
    expect(lines).to.include('progress: 100% (20/20 jobs)');
    const perServer = lines.find((l) => l.startsWith('jobs per server process: '))!;
    expect(perServer.split('pid ').length - 1).to.be.at.least(1);
    expect(lines).to.include('computation closed (its servers and files are gone)');
    process.kill(demo.pid, 'SIGINT');
    expect(await demo.exited(15_000)).to.equal(0);
    expect(demo.lines[demo.lines.length - 1]).to.equal('discoronode stopped (exit 0)');
  });
});
