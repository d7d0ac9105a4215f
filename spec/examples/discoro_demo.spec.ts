import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeProcess } from '../actors/discoro/discoroFixture.js';
import { runShell } from './runExample.js';

/** The compiled spec is in dist/spec/examples: the package's folder (where npm start runs) is three up. */
const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DEMO = path.join(PACKAGE, 'dist/examples/discoro_demo.js');

describe('examples/discoro_demo (npm start)', function () {
  this.timeout(90_000);
  let demo: NodeProcess | undefined;
  after(() => {
    if (demo !== undefined && demo.code === undefined) process.kill(demo.pid, 'SIGKILL');
  });

  it('starts a discoronode, spreads the demo jobs over its servers, reports progress every 10 %, prints its dashboard and how to point a second client at it (which works), and stops cleanly on SIGINT', async () => {
    demo = new NodeProcess(spawn(process.execPath, [DEMO, '20'], { cwd: PACKAGE, stdio: ['ignore', 'pipe', 'pipe'] }));
    await demo.line(/press Ctrl-C to stop it/, 45_000);
    const lines = demo.lines;
    expect(lines[0]).to.match(/^discoronode listening at 127\.0\.0\.1:\d+/);
    const location = /listening at (\S+)/.exec(lines[0]!)![1]!;
    expect(lines.filter((l) => l.startsWith('progress: '))).to.have.length(10);
    expect(lines).to.include('progress: 100% (20/20 jobs)');
    const perServer = lines.find((l) => l.startsWith('jobs per server process: '))!;
    expect(perServer.split('pid ').length - 1).to.be.at.least(1);
    expect(lines).to.include('computation closed (its servers and files are gone)');

    // The dashboard's address, and the token its actions need, in a file only the user reads.
    const dash = /^dashboard at (http:\/\/127\.0\.0\.1:\d+\/) \(its actions need the token in (\S+);/.exec(lines.find((l) => l.startsWith('dashboard at '))!)!;
    const [url, tokenFile] = [dash[1]!, dash[2]!];
    expect(statSync(tokenFile).mode & 0o777).to.equal(0o600);
    const info = (await (await fetch(`${url}api/info`)).json()) as { title: string; actions: boolean };
    expect(info).to.deep.include({ title: 'discoronode demo', actions: true });
    expect((await fetch(`${url}readyz`)).status).to.equal(200);

    // The instructions for a second client, followed to the letter by a shell in another process.
    const at = lines.findIndex((l) => l.includes('to run a second client against it'));
    const secretFile = /the secret is in (\S+), readable by you only/.exec(lines[at]!)![1]!;
    expect(statSync(secretFile).mode & 0o777).to.equal(0o600);
    const command = lines[at + 1]!.trim();
    expect(command).to.equal(`DISCORO_SECRET="$(cat ${secretFile})" node dist/examples/discoro_client1.js ${location}`);
    const second = await runShell(command, { cwd: PACKAGE, env: { SCALE: '0.05', SEED: '1' } }, 45_000);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.lines.map((l) => Number(/^result for (\d+) from/.exec(l)?.[1]))).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    process.kill(demo.pid, 'SIGINT');
    expect(await demo.exited(15_000)).to.equal(0);
    expect(demo.lines[demo.lines.length - 1]).to.equal('discoronode stopped (exit 0)');
    expect(existsSync(secretFile)).to.equal(false); // its folder went with it
  });
});
