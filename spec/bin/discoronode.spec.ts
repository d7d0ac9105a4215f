import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OutOfServiceError } from '../../actors/actorErrors.js';
import type { JobCoro } from '../../actors/discoro/client/JobCoro.js';
import { Network } from '../../actors/remote/Network.js';
import { CoroTerminatedError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Location } from '../../transports/net/Location.js';
import { DISCORONODE, discoroFixture, NodeProcess, SECRET, statusLog, WORK } from '../actors/discoro/discoroFixture.js';

describe('bin/discoronode', function () {
  this.timeout(30_000);
  const fx = discoroFixture();
  after(() => fx.cleanup());

  it('--help and --version print and exit 0; the help warns that a secret on the command line shows in ps', async () => {
    const help = fx.run(['--help']);
    expect(await help.exited()).to.equal(0);
    expect(help.lines.join('\n')).to.include('Usage: discoronode').and.to.include('shows in `ps`');
    const version = fx.run(['--version']);
    expect(await version.exited()).to.equal(0);
    expect(version.lines[0]).to.match(/^discoronode \d+\.\d+\.\d+$/);
  });

  const usageErrors: Array<[string, string[], RegExp]> = [
    ['an unknown flag', ['--bogus'], /Unknown option '--bogus'/],
    ['more CPUs than the machine has', ['--cpus', '999'], /--cpus 999 is more than/],
    ['a negative CPU count leaving none', ['--cpus=-999'], /leaves none/],
    ['a port that is not a number', ['--port', 'abc'], /--port must be an integer/],
    ['a bad size', ['--max-file-size', '12q'], /--max-file-size must be a size/],
    ['a --modules folder that does not exist', ['--modules', '/no/such/deps'], /--modules \/no\/such\/deps: no node_modules folder there/],
    ['a --modules folder without node_modules', ['--modules', fx.dir], /--modules .*: no node_modules folder there/],
    ['a bad package size', ['--max-package-size', 'big'], /--max-package-size must be a size/],
    ['a package size of 0', ['--max-package-size', '0'], /--max-package-size must be more than 0/],
    ['a negative spare count', ['--spare-servers=-1'], /--spare-servers must be an integer ≥ 0/],
    ['a peer timeout under 3 heartbeats', ['--heartbeat-interval', '500', '--peer-timeout', '1000'], /--peer-timeout 1000 must be at least 3 heartbeat intervals \(1500 ms\)/],
    ['a bad server port range', ['--server-ports', '9000-8000'], /bad port range/],
    ['a bad peer', ['--peer', 'nohostport'], /--peer must be host:port/],
    ['a bad log level', ['--log-level', 'loud'], /--log-level must be/],
    ['a missing config file', ['--config', '/no/such/config.json'], /cannot read config file/],
    ['a missing secret file', ['--secret-file', '/no/such/secret'], /cannot read secret file/],
    ['a non-loopback host without a secret', ['--host', '0.0.0.0'], /needs a secret .* or --insecure/],
    ['a second host beyond loopback without a secret', ['--host', '127.0.0.1', '--host', '192.0.2.7'], /listening on 192\.0\.2\.7 needs a secret/],
    ['--serve 0', ['--serve', '0'], /--serve must be positive/],
    ['a service time that is not HH:MM', ['--service-start', '8am', '--service-stop', '17:00'], /--service-start must be a time HH:MM/],
    ['a service start without stop or end', ['--service-start', '08:00'], /--service-start needs a service stop or a service end/],
    ['a service end before the stop', ['--service-start', '08:00', '--service-stop', '17:00', '--service-end', '16:00'], /--service-end 16:00 comes before service stop 17:00/],
    ['a bad service time from the environment', [], /--service-stop must be a time/],
    ['a dashboard beyond loopback without a token', ['--dashboard-host', '0.0.0.0'], /beyond loopback: give it a token/],
    ['a short dashboard token', ['--dashboard-token', 'short'], /token must be at least 16 characters/],
    ['a bad dashboard port', ['--dashboard-port', '70000'], /--dashboard-port must be an integer/],
  ];
  it(`usage errors exit 2 with the reason and the usage on stderr: ${usageErrors.map(([what]) => what).join('; ')}`, async () => {
    const runs = usageErrors.map(([what, args]) => fx.run(args, what.includes('environment') ? { DISCORO_SERVICE_STOP: '25:00' } : {}));
    const codes = await Promise.all(runs.map((p) => p.exited()));
    usageErrors.forEach(([what, , reason], k) => {
      expect(codes[k], what).to.equal(2);
      expect(runs[k]!.stderr, what).to.match(reason);
      expect(runs[k]!.stderr, what).to.include('Usage: discoronode');
    });
  });

  it('an invalid JSON config, or one with an unknown key, is a usage error naming the file', async () => {
    const bad = fx.component('bad.json', '{ "cpus": 1, ');
    const p = fx.run(['--config', bad]);
    expect(await p.exited()).to.equal(2);
    expect(p.stderr).to.include(`config file ${bad} is not valid JSON`);
    const unknown = fx.component('unknown.json', '{ "colour": "blue" }');
    const q = fx.run(['--config', unknown]);
    expect(await q.exited()).to.equal(2);
    expect(q.stderr).to.include("unknown setting 'colour'");
  });

  it('precedence: flags over DISCORO_* environment over the config file (seen through --save-config, which leaves the secret out)', async () => {
    const config = fx.component('config.json', JSON.stringify({ cpus: 1, name: 'from-config', zombie_period: 111, port: 1111 }));
    const saved = path.join(fx.dir, 'saved.json');
    const p = fx.run(['--config', config, '--name', 'from-flag', '--save-config', saved], { DISCORO_NAME: 'from-env', DISCORO_PORT: '2222', DISCORO_SECRET: 'hidden' });
    expect(await p.exited()).to.equal(0);
    const s = JSON.parse(readFileSync(saved, 'utf8'));
    expect(s).to.deep.include({ name: 'from-flag', port: '2222', cpus: 1, 'zombie-period': 111 });
    expect(s).to.not.have.property('secret');
    // The saved file is a config file again.
    const again = path.join(fx.dir, 'again.json');
    expect(await fx.run(['--config', saved, '--save-config', again]).exited()).to.equal(0);
    expect(JSON.parse(readFileSync(again, 'utf8'))).to.deep.equal(s);
  });

  it('the PID file: a second node on the same folder exits 1; a stale one needs --clean, which removes what it left', async () => {
    const folder = path.join(fx.dir, 'shared');
    const first = fx.run(['--cpus', '1', '--no-discover', '--dest-dir', folder], { DISCORO_SECRET: SECRET });
    await first.line(/listening at/);
    const second = fx.run(['--cpus', '1', '--no-discover', '--dest-dir', folder], { DISCORO_SECRET: SECRET });
    expect(await second.exited()).to.equal(1);
    expect(second.stderr).to.include(`in use by discoronode pid ${first.pid}`);
    process.kill(first.pid, 'SIGTERM');
    expect(await first.exited()).to.equal(0);

    const crashed = path.join(fx.dir, 'crashed');
    mkdirSync(path.join(crashed, 'c-leftover'), { recursive: true });
    writeFileSync(path.join(crashed, 'discoronode.pid'), '999999\n');
    const refused = fx.run(['--cpus', '1', '--no-discover', '--dest-dir', crashed], { DISCORO_SECRET: SECRET });
    expect(await refused.exited()).to.equal(1);
    expect(refused.stderr).to.include('--clean');
    const cleaned = fx.run(['--cpus', '1', '--no-discover', '--dest-dir', crashed, '--clean'], { DISCORO_SECRET: SECRET });
    await cleaned.line(/listening at/);
    expect(readFileSync(path.join(crashed, 'discoronode.pid'), 'utf8').trim()).to.equal(String(cleaned.pid));
    expect(() => readFileSync(path.join(crashed, 'c-leftover'))).to.throw();
    process.kill(cleaned.pid, 'SIGINT');
    expect(await cleaned.exited()).to.equal(0);
    expect(cleaned.lines).to.include('discoronode ' + cleaned.lines[0]!.split(' ')[1] + ' stopped');
  });

  it('secure by default: without a secret it listens on loopback; --serve 1 exits after one computation', async () => {
    const p = fx.run(['--cpus', '1', '--no-discover', '--dest-dir', path.join(fx.dir, 'open'), '--serve', '1']);
    const line = await p.line(/listening at/);
    expect(line).to.match(/listening at 127\.0\.0\.1:\d+ with 1 servers/);
    const c = fx.computation({ components: [], nodes: [/listening at (\S+)/.exec(line)![1]!], secret: undefined });
    await c.schedule({ timeout: 15_000 });
    expect(await c.runResult((_coro: unknown, x: number) => x + 1, 1)).to.equal(2);
    await c.close();
    expect(await p.exited()).to.equal(0);
  });

  it('--host repeated: the node listens on each address (one port), advertises the first, and serves a computation', async () => {
    const node = await fx.node(['--host', '127.0.0.1', '--host', '127.0.0.2', '--cpus', '1']);
    const port = Location.parse(node.location).port;
    expect(node.location).to.equal(`127.0.0.1:${port}`);
    await node.line(new RegExp(`listening at 127\\.0\\.0\\.1:${port} \\(also 127\\.0\\.0\\.2:${port}\\)`));
    const sched = new Scheduler();
    try {
      const probe = await Network.start(sched, { secret: SECRET, discover: false });
      expect((await probe.peer(`127.0.0.2:${port}`, { timeout: 5000 })).name).to.equal(node.name);
    } finally {
      await sched.terminate();
    }
    const c = fx.computation({ components: [fx.component('hosts-work.mjs', WORK)], nodes: [node.location] });
    await c.schedule({ timeout: 15_000 });
    expect(await c.runResult('square', 5)).to.equal(25);
  });

  it('outside its service window (one computed to be closed now) it refuses a computation: a typed error at once, no hang', async () => {
    const hhmm = (hoursFromNow: number): string => {
      const d = new Date(Date.now() + hoursFromNow * 3600_000);
      return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    };
    // Computed once: the node states the start it was given, and a minute may turn meanwhile.
    const start = hhmm(2);
    const node = await fx.node(['--service-start', start, '--service-stop', hhmm(3)]);
    const c = fx.computation({ components: [], nodes: [node.location] });
    const log = statusLog(c);
    const t0 = Date.now();
    const err = (await c.schedule({ timeout: 20_000 }).catch((e: Error) => e)) as Error;
    expect(Date.now() - t0).to.be.below(10_000);
    expect(OutOfServiceError.is(err), String(err)).to.equal(true);
    expect(err.message).to.include(`outside service window, next start ${start}`);
    const discovered = await log.until((s) => s.kind === 'node-discovered');
    expect(discovered.kind === 'node-discovered' && discovered.node.service).to.equal(`outside service window, next start ${start}`);
    await log.until((s) => s.kind === 'node-failed');
  });

  it('on a terminal (a pty from script(1)), stdin takes status, help, terminate (running jobs terminated, clients told) and quit', async function () {
    if (spawnSync('script', ['--version']).status !== 0) this.skip();
    const folder = path.join(fx.dir, 'tty');
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(DISCORONODE)} --cpus 1 --no-discover --dest-dir ${JSON.stringify(folder)}`;
    const tty = new NodeProcess(spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, DISCORO_SECRET: SECRET }, stdio: ['pipe', 'pipe', 'pipe'] }));
    try {
      await tty.line(/listening at/);
      tty.child.stdin!.write('status\n');
      expect(await tty.line(/slots free/)).to.match(/0 computations, 1\/1 slots free, 0 waiting, 0 served/);
      expect(await tty.line(/^service: /)).to.match(/service: in service\r?$/);
      const location = /listening at (\S+)/.exec(await tty.line(/listening at/))![1]!;
      const c = fx.computation({ components: [fx.component('tty-work.mjs', WORK)], nodes: [location] });
      const log = statusLog(c);
      await c.schedule({ timeout: 15_000 });
      const job = (await c.run('forever')) as JobCoro;
      tty.child.stdin!.write('help\n');
      await tty.line(/terminate  close every computation now/);
      tty.child.stdin!.write('terminate\n');
      await tty.line(/terminated 1 computations/);
      expect(await job.finish({ timeout: 10_000 }).catch((e: Error) => e)).to.be.instanceOf(CoroTerminatedError);
      await log.until((s) => s.kind === 'node-closed' && s.reason === 'terminated at the node');
      tty.child.stdin!.write('quit\n');
      await tty.line(/stopping \(quit\)/);
      expect(await tty.exited()).to.equal(0);
    } finally {
      if (tty.code === undefined) fx.kill(tty.pid);
    }
  });
  it('serves its dashboard by default (loopback, ephemeral port, address printed), with the node and jobs by state at /metrics; --no-dashboard serves none', async () => {
    const token = 'discoronode-spec-dashboard-token';
    const p = await fx.node(['--dashboard-token', token]);
    const line = await p.line(/^dashboard at /);
    const url = /^dashboard at (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(line)?.[1];
    expect(url, line).to.be.a('string');
    const cluster = (await (await fetch(`${url}api/cluster`)).json()) as { nodes: Array<{ location: string; name: string }> };
    expect(cluster.nodes.map((n) => [n.location, n.name])).to.deep.equal([[p.location, p.name]]);
    const metrics = await (await fetch(`${url}metrics`)).text();
    expect(metrics).to.match(/^asyncoro_cluster_jobs_total\{state="done"\} 0$/m).and.to.match(/^asyncoro_cluster_jobs_running 0$/m);
    // Actions need the token; a wrong one is refused.
    const refused = await fetch(`${url}api/nodes/${encodeURIComponent(p.location)}/disable`, { method: 'POST', headers: { authorization: 'Bearer wrong-token-0123456789' } });
    expect(refused.status).to.equal(403);
    const done = await fetch(`${url}api/nodes/${encodeURIComponent(p.location)}/disable`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(done.status).to.equal(200);
    const after = (await (await fetch(`${url}api/cluster`)).json()) as { nodes: Array<{ enabled: boolean }> };
    expect(after.nodes[0]!.enabled).to.equal(false);
    process.kill(p.pid, 'SIGTERM');
    expect(await p.exited()).to.equal(0);

    const none = await fx.node(['--no-dashboard']);
    process.kill(none.pid, 'SIGTERM');
    expect(await none.exited()).to.equal(0);
    expect(none.lines.filter((l) => /dashboard/.test(l))).to.deep.equal([]);
    // The config file and the environment turn it off too.
    const config = fx.component('no-dashboard.json', JSON.stringify({ dashboard: false }));
    const viaConfig = await fx.node(['--config', config]);
    const viaEnv = await fx.node([], { DISCORO_DASHBOARD: 'false' });
    for (const q of [viaConfig, viaEnv]) {
      process.kill(q.pid, 'SIGTERM');
      expect(await q.exited()).to.equal(0);
      expect(q.lines.filter((l) => /dashboard/.test(l))).to.deep.equal([]);
    }
  });

  it("its coroutines are on its dashboard (the node's, each computation's, each server's); a job reads neither its secret nor its dashboard token from the environment", async () => {
    const token = 'discoronode-spec-token-in-env';
    const p = await fx.node(['--cpus', '1'], { DISCORO_DASHBOARD_TOKEN: token });
    const url = /^dashboard at (\S+)$/.exec(await p.line(/^dashboard at /))![1]!;
    const c = fx.computation({ components: [fx.component('env-work.mjs', WORK)], nodes: [p.location] });
    await c.schedule({ timeout: 15_000 });
    const env = (_coro: unknown, ...names: string[]): unknown => names.map((name) => process.env[name] ?? null);
    expect(await c.runResult(env, 'DISCORO_SECRET', 'DISCORO_DASHBOARD_TOKEN')).to.deep.equal([null, null]);
    const snapshot = (await (await fetch(`${url}api/snapshot`)).json()) as { coroutines: Array<{ name: string }> };
    expect(snapshot.coroutines.map((co) => co.name)).to.include.members(['discoronode', 'discoro-node', 'client-status', 'spares', 'computations', `computation-${c.id}`, `servers-${c.id}`, `server-1@${c.id}`]);
    await c.close();
    process.kill(p.pid, 'SIGTERM');
    expect(await p.exited()).to.equal(0);
  });

  it('logs each failed job at warn (computation by id and name, job, error with the stack from its server) and keeps the last --failed-jobs for /api/failed-jobs', async () => {
    const p = await fx.node(['--cpus', '1', '--failed-jobs', '2']);
    const url = /^dashboard at (\S+)/.exec(await p.line(/^dashboard at /))![1]!;
    const c = fx.computation({ components: [fx.component('fail-work.mjs', WORK)], nodes: [p.location], name: 'failing batch' });
    await c.schedule({ timeout: 15_000 });
    for (const k of [1, 2, 3]) await c.runResult('fail', `failure ${k}`).catch(() => undefined);
    const kept = async (): Promise<Array<{ error: { message: string; stack: string }; computationName: string }>> => ((await (await fetch(`${url}api/failed-jobs`)).json()) as { jobs: never[] }).jobs;
    const deadline = Date.now() + 10_000;
    while ((await kept()).length < 2 || !(await kept())[1]!.error.message.endsWith('3')) {
      if (Date.now() > deadline) throw new Error(`failed jobs not kept: ${JSON.stringify(await kept())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const jobs = await kept();
    expect(jobs.map((j) => [j.computationName, j.error.message])).to.deep.equal([['failing batch', 'failure 2'], ['failing batch', 'failure 3']]);
    const lines = p.stderr.split('\n').filter((l) => l.includes('"msg":"discoro: job ')).map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines).to.have.length(3);
    expect(lines[0]).to.deep.include({ level: 40, fn: 'fail', computation: { id: c.id, name: 'failing batch' } });
    expect(lines[0]!.job).to.match(/^\d+@127\.0\.0\.1:\d+$/);
    expect(lines[0]!.err.message).to.equal('Error: failure 1 (remote)');
    expect(lines[0]!.err.stack).to.match(/\n\s+at (Object\.)?fail \(file:.*fail-work\.mjs/);
    await c.close();
    process.kill(p.pid, 'SIGTERM');
    expect(await p.exited()).to.equal(0);
  });

  it('--save-config keeps the dashboard settings but not its token', async () => {
    const saved = path.join(fx.dir, 'dashboard-saved.json');
    const p = fx.run(['--dashboard-port', '0', '--dashboard-token', 'not-to-be-saved-0123456789', '--save-config', saved]);
    expect(await p.exited()).to.equal(0);
    const s = JSON.parse(readFileSync(saved, 'utf8'));
    expect(s).to.deep.include({ 'dashboard-port': '0' });
    expect(JSON.stringify(s)).not.to.include('not-to-be-saved');
  });
});
