/**
 * The package as a user gets it: `npm pack` (which builds the library with `prepack`), the
 * tarball's file list against the expected shape, an install into a fresh project, a strict
 * `module nodenext` TypeScript program that imports only from 'asyncoro' compiled against the
 * installed declarations and run, and the installed `discoronode --help` when the package has it.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const PROGRAM = `
import { ask, Channel, Coro, Lock, Network, Scheduler, spawnWith, TimeoutError, type Address } from 'asyncoro';
import { PeerNetwork, type NetworkLayer } from 'asyncoro/extend';

type Request = { x: number; replyTo: Address<number> };
const sched = new Scheduler();
const squarer = sched.spawnWith({ daemon: true, name: 'squarer' }, async (coro: Coro<Request>) => {
  for await (const { x, replyTo } of coro.messages()) replyTo.send(x * x);
});
squarer.register();
const y: number = await ask(squarer, (replyTo) => ({ x: 12, replyTo }), { timeout: 1000 });
const lock = new Lock();
const locked = await sched.spawn(async (coro) => lock.acquire(coro, { timeout: 100 })).value();
const channel = new Channel<number>('numbers', { scheduler: sched });
const layer: NetworkLayer = { install: (net: PeerNetwork) => void net.handle('echo', (body) => body) };
const net = await Network.start(sched, { discover: false });
const located = await Coro.locate<Request>('squarer', { scheduler: sched, timeout: 100 });
await net.stop();
console.log(JSON.stringify({ y, locked, channel: channel.name, layer: typeof layer.install, located: located !== undefined, timeout: TimeoutError.CODE, spawnWith: typeof spawnWith }));
await sched.terminate();
`;

describe('the package (npm pack, install, compile and run as a consumer)', function () {
  this.timeout(180_000);
  let dir: string;
  let tarball: string;
  let files: string[];

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), 'asyncoro-consumer-'));
    const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', dir], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    // The whole of stdout is JSON: prepack (.ci/pack.mjs) says what it built on stderr.
    const [info] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = path.join(dir, info!.filename);
    files = info!.files.map((f) => f.path);
  });

  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('ships the library, its declarations, bin, README, LICENSE and package.json only', () => {
    expect(files).to.include.members(['package.json', 'README.md', 'LICENSE', 'lib/index.js', 'lib/index.d.ts', 'lib/extend.js', 'lib/extend.d.ts']);
    const outside = files.filter((f) => !['package.json', 'README.md', 'LICENSE'].includes(f) && !f.startsWith('lib/'));
    expect(outside, 'files outside lib/').to.deep.equal([]);
    for (const banned of [/^lib\/spec\//, /^lib\/bench\//, /^lib\/examples\//, /\.map$/, /\.ts$(?<!\.d\.ts)/]) {
      expect(files.filter((f) => banned.test(f)), String(banned)).to.deep.equal([]);
    }
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { sideEffects: unknown };
    expect(pkg.sideEffects, 'sideEffects must stay false (spec/bundle.spec.ts shows it is true)').to.equal(false);
  });

  it('installs into a fresh project; a strict nodenext program importing only from asyncoro compiles and runs', async () => {
    const project = path.join(dir, 'app');
    writeFileSync(path.join(dir, 'placeholder'), '');
    await run('mkdir', ['-p', project]);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { asyncoro: `file:${tarball}` } }));
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'], types: ['node'], typeRoots: [path.join(root, 'node_modules/@types')], skipLibCheck: false, outDir: 'out' },
        include: ['main.ts'],
      }),
    );
    writeFileSync(path.join(project, 'main.ts'), PROGRAM);
    await run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], { cwd: project, maxBuffer: 16 * 1024 * 1024 });
    const tsc = path.join(root, 'node_modules/.bin/tsc');
    const compiled = await run(tsc, ['-p', project, '--pretty', 'false'], { cwd: project }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? String(err), failed: true }));
    expect('failed' in compiled ? compiled.stdout : '', 'type errors').to.equal('');
    const { stdout } = await run(process.execPath, [path.join(project, 'out/main.js')], { cwd: project, timeout: 30_000, env: { ...process.env, ASYNCORO_LOG: 'silent' } });
    expect(JSON.parse(stdout)).to.deep.equal({ y: 144, locked: true, channel: 'numbers', layer: 'function', located: true, timeout: 'ERR_TIMEOUT', spawnWith: 'function' });
    const pkg = JSON.parse(readFileSync(path.join(project, 'node_modules/asyncoro/package.json'), 'utf8')) as { bin?: Record<string, string> };
    if (pkg.bin?.discoronode !== undefined) {
      const help = await run(path.join(project, 'node_modules/.bin/discoronode'), ['--help'], { cwd: project, timeout: 30_000 });
      expect(help.stdout).to.match(/discoronode/);
    }
  });
});
