/**
 * asyncoro survives a bundler that trusts `"sideEffects": false`: nothing registers itself at
 * import time (Network.start plugs the remote layers in explicitly), so esbuild with tree shaking
 * may drop any module nobody uses and the distribution still works. The spec writes small programs
 * importing the compiled dist/index.js into a temporary folder, bundles them with esbuild (format
 * esm, platform node, the repo's package.json honoured), and runs the networked one as a child
 * process: it starts a peer on a second scheduler in the same process and locates a channel, a
 * coroutine and an RCI there, each of which must be the remote kind and answer.
 */
import { expect } from 'chai';
import { build, type Metafile } from 'esbuild';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './sourceText.js';
import { killRunning } from './fixtures/index.js';

const INDEX = JSON.stringify(path.join(ROOT, 'dist/index.js'));

/** Starts a peer and a home node in one process and prints what the three remote kinds do. */
const NETWORKED = `
import { Channel, Coro, Network, Rci, RemoteChannel, RemoteCoro, RemoteRci, Scheduler } from ${INDEX};

const secret = 'bundle spec secret';
const peer = new Scheduler();
const peerNet = await Network.start(peer, { secret, discover: false });
peer.spawnWith({ name: 'echo', daemon: true }, async (coro) => {
  for (;;) {
    const m = await coro.receive();
    m.reply.send({ echoed: m.body });
  }
}).register();
new Channel('news', { scheduler: peer }).register();
new Rci('add', async (_coro, a, b) => a + b, { scheduler: peer }).register();

const home = new Scheduler();
const homeNet = await Network.start(home, { secret, discover: false });
const location = peerNet.location;
const out = { attached: Network.of(home) === homeNet && home.network === homeNet };

const channel = await Channel.locate('news', { scheduler: home, location, timeout: 5000 });
out.channel = channel instanceof RemoteChannel;
const reader = home.spawn(async (coro) => coro.receive({ timeout: 5000, alarm: 'timeout' }));
await channel.subscribe(reader);
channel.send('headline');
out.channelGot = await reader.finish({ timeout: 5000, alarm: 'timeout' });

const echo = await Coro.locate('echo', { scheduler: home, location, timeout: 5000 });
out.coro = echo instanceof RemoteCoro;
const asker = home.spawn(async (coro) => {
  echo.send({ reply: coro, body: 'ping' });
  return coro.receive({ timeout: 5000, alarm: 'timeout' });
});
out.coroGot = await asker.finish({ timeout: 5000, alarm: 'timeout' });

const add = await Rci.locate('add', { scheduler: home, location, timeout: 5000 });
out.rci = add instanceof RemoteRci;
const call = await add.call(2, 3);
out.rciCoro = call instanceof RemoteCoro;
out.rciGot = await call.finish({ timeout: 5000, alarm: 'timeout' });

await homeNet.stop();
await peerNet.stop();
await home.terminate();
await peer.terminate();
process.stdout.write(JSON.stringify(out) + '\\n');
process.exit(0);
`;

/** Uses only a lock: the peer network has nothing to do in its bundle. */
const LOCAL_ONLY = `
import { Lock, Scheduler } from ${INDEX};
const sched = new Scheduler();
const lock = new Lock();
const held = await sched.spawn(async (coro) => { await lock.acquire(coro); const h = lock.owner === coro; lock.release(coro); return h; }).finish();
await sched.terminate();
process.stdout.write(JSON.stringify({ held }) + '\\n');
`;

describe('bundling with esbuild (sideEffects: false honoured)', function () {
  this.timeout(60_000);
  let dir: string;
  const children: ChildProcess[] = [];

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'asyncoro-bundle-'));
    // The bundles keep cbor-x and pino external; they resolve them through this link.
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  });
  after(() => {
    killRunning(children);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Bundles `program` (tree shaking on, the repo's package.json honoured); returns its path, text and metafile. */
  async function bundle(name: string, program: string, extra: { ignoreAnnotations?: boolean } = {}): Promise<{ file: string; text: string; metafile: Metafile }> {
    writeFileSync(path.join(dir, `${name}.mjs`), program);
    const file = path.join(dir, `${name}.bundle.mjs`);
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: [path.join(dir, `${name}.mjs`)],
      outfile: file,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      treeShaking: true,
      packages: 'external',
      metafile: true,
      logLevel: 'silent',
      ...extra,
    });
    // esbuild warns when it drops an import it was told has no side effects, e.g. `import './x.js'`.
    expect(result.warnings.map((w) => w.text), 'esbuild warnings').to.deep.equal([]);
    expect(result.errors).to.deep.equal([]);
    return { file, text: readFileSync(file, 'utf8'), metafile: result.metafile };
  }

  /** Runs a bundle as a child process and resolves to the JSON line it prints. */
  function run(file: string): Promise<any> {
    const child = spawn(process.execPath, [file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        process.kill(child.pid!, 'SIGKILL');
        reject(new Error(`${path.basename(file)} did not finish in 30 s; stdout: ${stdout}; stderr: ${stderr}`));
      }, 30_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code !== 0) reject(new Error(`${path.basename(file)} exited with ${code}; stderr: ${stderr}`));
        else {
          try {
            resolve(JSON.parse(stdout.trim().split('\n').pop()!));
          } catch {
            reject(new Error(`${path.basename(file)} printed no JSON line: ${stdout}; stderr: ${stderr}`));
          }
        }
      });
    });
  }

  it('the repo declares "sideEffects": false', () => {
    expect(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).sideEffects).to.equal(false);
  });

  it('a bundle that uses only a lock leaves the peer network out, and runs', async () => {
    const { file, text, metafile } = await bundle('local', LOCAL_ONLY);
    const bundled = Object.keys(metafile.outputs[path.relative(ROOT, file)]!.inputs);
    expect(bundled.some((f) => f.includes('dist/actors/sync/Lock.js')), bundled.join(', ')).to.equal(true);
    expect(bundled.filter((f) => /dist\/(transports\/net|actors\/remote)\//.test(f)), 'peer network modules in the bundle').to.deep.equal([]);
    expect(text).to.not.match(/\bPeerNetwork\b/);
    expect(await run(file)).to.deep.equal({ held: true });
    // It is the sideEffects field that lets esbuild drop them: ignoring it, the same program drags them in.
    const ignoring = await bundle('local-ignoring', LOCAL_ONLY, { ignoreAnnotations: true });
    const dragged = Object.keys(ignoring.metafile.outputs[path.relative(ROOT, ignoring.file)]!.inputs);
    expect(dragged.filter((f) => /dist\/(transports\/net|actors\/remote)\//.test(f))).to.not.deep.equal([]);
  });

  it('in a bundle, Channel.locate, Coro.locate and Rci.locate at { location } reach another node and answer', async () => {
    const { file, text } = await bundle('networked', NETWORKED);
    expect(text).to.match(/\bPeerNetwork\b/);
    expect(await run(file)).to.deep.equal({
      attached: true,
      channel: true,
      channelGot: 'headline',
      coro: true,
      coroGot: { echoed: 'ping' },
      rci: true,
      rciCoro: true,
      rciGot: 5,
    });
  });
});
