/**
 * The package as `npm pack` ships it (.ci/pack.mjs, the `prepack` script): built into a temporary
 * package folder, installed by name into a temporary user project, and used there by a real
 * program in a child process: it starts threads, places coroutines from a user module that itself
 * imports `asyncoro` (so the thread's runtime and the module's `asyncoro` must be the same module
 * instances: the default scheduler, the classes, `spawn`/`receive`), asks one, watches one die,
 * runs a WorkerPool job; the packed `discoronode` answers `--version` and serves a computation
 * whose job module imports `asyncoro` (a discoro server's entry and the node's own package paths
 * in the packed layout).
 */
import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './sourceText.js';
import { killRunning } from './fixtures/index.js';

const run = promisify(execFile);

/** A user's module placed on the threads: it imports the package by name. */
const USER_WORK = `
import { Coro, Scheduler, MonitorStatus, spawn } from 'asyncoro';

/** Answers asks with what its thread's runtime is, as seen through the user's own import of asyncoro. */
export async function identity(coro) {
  for (;;) {
    const { replyTo } = await coro.receive();
    // spawn() with no scheduler uses the default one: the thread's, if this is its runtime.
    const helper = spawn(async (h) => h.scheduler === coro.scheduler);
    replyTo.send({
      coroIsCoro: coro instanceof Coro,
      defaultIsOwn: Scheduler.default() === coro.scheduler,
      spawnedOnDefault: await helper.finish({ timeout: 5000 }),
      monitorStatusClass: typeof MonitorStatus === 'function',
    });
  }
}

export async function fails(_coro, message) {
  throw new Error(message);
}

export function square(n) {
  return n * n;
}
`;

/** A discoro job module: shipped to the node, imported by its server, which gives it the node's own asyncoro. */
const USER_JOB = `
import { Coro, Scheduler } from 'asyncoro';
export async function identity(coro, n) {
  return { coroIsCoro: coro instanceof Coro, schedulerIsScheduler: coro.scheduler instanceof Scheduler, n: n * 2 };
}
`;

/** A discoro client: one job on the node at argv[2], its value on stdout. */
const USER_CLIENT = `
import { readFileSync } from 'node:fs';
import { Computation } from 'asyncoro';
const computation = new Computation({ components: ['./job.mjs'], nodes: [process.argv[2]], secret: readFileSync('secret', 'utf8').trim() });
try {
  if (!(await computation.schedule({ timeout: 30000 }))) throw new Error('no server');
  process.stdout.write(JSON.stringify(await computation.runResults('identity', [[21]], { timeout: 30000 })) + '\\n');
} finally {
  await computation.close();
}
`;

/** The user's program: the package by name, a report on stdout as JSON. */
const USER_MAIN = `
import { ask, Scheduler, spawnOnWith, Threads, WorkerPool, MonitorStatus } from 'asyncoro';

const work = new URL('./work.mjs', import.meta.url);
const sched = new Scheduler();
const threads = await Threads.start({ count: 2, scheduler: sched });
const out = {};
try {
  const placed = await spawnOnWith(threads, { thread: 2 }, work, 'identity');
  out.identity = await ask(placed, (replyTo) => ({ replyTo }), { timeout: 10000 });
  const watcher = sched.spawn(async (coro) => coro.receive({ timeout: 10000, alarm: 'timeout' }));
  await spawnOnWith(threads, { thread: 1, monitor: watcher }, work, 'fails', 'boom on a thread');
  const status = await watcher.finish({ timeout: 10000 });
  out.death = { isStatus: status instanceof MonitorStatus, reason: status.reason, message: status.error?.message };
  const pool = new WorkerPool({ size: 1, scheduler: sched });
  out.pool = await pool.run({ module: work, name: 'square' }, [12], { timeout: 10000 });
  await pool.close();
} finally {
  await threads.stop({ timeout: 5000 });
  await sched.terminate();
}
process.stdout.write(JSON.stringify(out) + '\\n');
`;

describe('the packed package (.ci/pack.mjs, as npm pack ships it), used by name from a user project', function () {
  this.timeout(60_000);
  let dir: string;
  let pkg: string;
  let app: string;
  const children: ChildProcess[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'asyncoro-pack-'));
    pkg = path.join(dir, 'package');
    app = path.join(dir, 'app');
    await run(process.execPath, [path.join(ROOT, '.ci/pack.mjs'), '--out', pkg]);
    // As installed: the package's own dependencies beside it, the user's project depending on it by name.
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
    mkdirSync(path.join(app, 'node_modules'), { recursive: true });
    symlinkSync(pkg, path.join(app, 'node_modules', 'asyncoro'), 'dir');
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'user-app', type: 'module', private: true }));
    writeFileSync(path.join(app, 'work.mjs'), USER_WORK);
    writeFileSync(path.join(app, 'main.mjs'), USER_MAIN);
    writeFileSync(path.join(app, 'job.mjs'), USER_JOB);
    writeFileSync(path.join(app, 'client.mjs'), USER_CLIENT);
    writeFileSync(path.join(app, 'secret'), 'packed package spec secret\n', { mode: 0o600 });
  });
  after(() => {
    killRunning(children);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the packed discoronode (one server, no discovery, no dashboard); its location once it listens. */
  function discoronode(): Promise<string> {
    const args = [path.join(pkg, 'lib/bin/discoronode.js'), '--no-discover', '--no-dashboard', '--daemon', '--cpus', '1', '--name', 'packed', '--dest-dir', path.join(dir, 'node'), '--secret-file', path.join(app, 'secret')];
    const child = spawn(process.execPath, args, { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    return new Promise((resolve, reject) => {
      let out = '', err = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening at (\S+) with \d+ server/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.once('exit', (code) => reject(new Error(`discoronode exited (${code}): ${err}`)));
    });
  }

  /** Runs `node file args` in the user project; its stdout once it exits 0. */
  function node(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stdout = '', stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}: ${stderr}`))));
    });
  }

  it('ships the entries at their paths, the shared code in a few chunks, every declaration, and no other JavaScript', () => {
    const lib = path.join(pkg, 'lib');
    const js = readdirSync(lib, { recursive: true }).map(String).filter((f) => f.endsWith('.js')).sort();
    const entries = ['index.js', 'extend.js', 'bin/discoronode.js', 'actors/threads/threadMain.js', 'transports/io/workerEntry.js', 'actors/discoro/server/serverMain.js'];
    expect(js.filter((f) => !f.startsWith('chunks')).sort()).to.deep.equal(entries.map((f) => f.split('/').join(path.sep)).sort());
    expect(js.filter((f) => f.startsWith('chunks')).length).to.be.within(1, 30);
    for (const dts of ['index.d.ts', 'extend.d.ts', 'actors/threads/Threads.d.ts', 'runtime/Scheduler.d.ts']) expect(existsSync(path.join(lib, dts)), dts).to.equal(true);
  });

  it('threads started from it run the same runtime as a user module importing asyncoro: identity holds, an ask is answered, a death reaches its monitor, a WorkerPool job runs', async () => {
    const out = JSON.parse(await node(['main.mjs']));
    expect(out.identity).to.deep.equal({ coroIsCoro: true, defaultIsOwn: true, spawnedOnDefault: true, monitorStatusClass: true });
    expect(out.death).to.deep.include({ isStatus: true, reason: 'failed' });
    expect(out.death.message).to.include('boom on a thread');
    expect(out.pool).to.equal(144);
  });

  it('discoronode --version answers from the packed bin (its package.json found beside lib/)', async () => {
    const version = (JSON.parse(await node(['-e', "process.stdout.write(require('fs').readFileSync(require.resolve('asyncoro/package.json'), 'utf8'))"])) as { version: string }).version;
    expect((await node([path.join(pkg, 'lib/bin/discoronode.js'), '--version'])).trim()).to.equal(`discoronode ${version}`);
  });

  it('the packed discoronode serves a computation: its server runs a job whose module imports asyncoro, on the server\'s own runtime', async () => {
    const location = await discoronode();
    expect(JSON.parse(await node(['client.mjs', location]))).to.deep.equal([{ coroIsCoro: true, schedulerIsScheduler: true, n: 42 }]);
  });
});
