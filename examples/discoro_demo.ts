/**
 * What `npm start` runs: starts a discoronode on loopback with one server process per CPU,
 * prints where it listens, runs a short computation against it (CPU jobs spread over the
 * servers; a progress bar on a terminal, a line every 10 % otherwise), then keeps the node
 * serving until Ctrl-C (SIGINT), which stops it cleanly.
 *
 * Usage: node dist/examples/discoro_demo.js [jobs]   (default 40 jobs)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Computation } from '../actors/discoro/client/Computation.js';

const jobs = Number(process.argv[2] ?? 40);
const secret = randomBytes(24).toString('base64url');
const folder = mkdtempSync(path.join(os.tmpdir(), 'asyncoro-demo-'));
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/discoronode.js');

// The node gets the secret through its environment: on the command line it would show in `ps`.
const node = spawn(process.execPath, [bin, '--no-discover', '--daemon', '--name', 'demo', '--dest-dir', folder, '--pulse-interval', '2000'], {
  env: { ...process.env, DISCORO_SECRET: secret },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const nodeExited = new Promise<number | null>((resolve) => node.once('exit', resolve));
const location = await new Promise<string>((resolve, reject) => {
  let out = '';
  node.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening at (\S+) with (\d+) servers/.exec(out);
    if (m) resolve(m[1]!);
  });
  void nodeExited.then((code) => reject(new Error(`discoronode exited (${code}) before listening`)));
});
console.log(`discoronode listening at ${location} (folder ${folder})`);

/** A CPU-bound job, shipped as source: the longest Collatz chain below `limit`. */
function collatz(_coro: unknown, start: number, limit: number): { start: number; best: number; steps: number; pid: number } {
  let best = start;
  let most = 0;
  for (let n = start; n < limit; n++) {
    let steps = 0;
    for (let x = n; x !== 1; x = x % 2 === 0 ? x / 2 : 3 * x + 1) steps++;
    if (steps > most) [best, most] = [n, steps];
  }
  return { start, best, steps: most, pid: process.pid };
}

const computation = new Computation({ components: [collatz], nodes: [location], secret, pulseInterval: 2000 });
const statuses = computation.status();
if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no server started within 30 s');
for await (const s of statuses) if (s.kind === 'node-initialized' || s.kind === 'node-failed') break; // all its servers are up
console.log(`computation scheduled on ${computation.servers().length} servers: ${computation.servers().map((s) => `${s.location} (pid ${s.pid})`).join(', ')}`);

const tty = process.stdout.isTTY === true;
let lastTenth = 0;
const progress = (done: number, total: number): void => {
  if (tty) {
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stdout.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
    if (done === total) process.stdout.write('\n');
  } else if (Math.floor((done / total) * 10) > lastTenth) {
    lastTenth = Math.floor((done / total) * 10);
    console.log(`progress: ${lastTenth * 10}% (${done}/${total} jobs)`);
  }
};
const chunk = 20_000;
const started = performance.now();
const results = await computation.runResults<ReturnType<typeof collatz>>('collatz', Array.from({ length: jobs }, (_, k) => [1 + k * chunk, 1 + (k + 1) * chunk]), { onProgress: progress });
const ms = Math.round(performance.now() - started);
const best = results.reduce((a, b) => (b.steps > a.steps ? b : a));
const perServer = new Map<number, number>();
for (const r of results) perServer.set(r.pid, (perServer.get(r.pid) ?? 0) + 1);
console.log(`${jobs} jobs in ${ms} ms; longest Collatz chain below ${jobs * chunk + 1}: ${best.best} (${best.steps} steps)`);
console.log(`jobs per server process: ${[...perServer].map(([pid, n]) => `pid ${pid}: ${n}`).join(', ')}`);
await computation.close();
console.log('computation closed (its servers and files are gone)');

const interrupted = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
console.log(`discoronode still serving at ${location}; press Ctrl-C to stop it`);
await interrupted;
node.kill('SIGINT');
const code = await nodeExited;
rmSync(folder, { recursive: true, force: true });
console.log(`discoronode stopped (exit ${code})`);
await computation.scheduler.terminate();
