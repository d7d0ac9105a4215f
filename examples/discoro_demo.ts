/**
 * What `npm start` runs: starts a discoronode on loopback with one server process per CPU,
 * prints where it listens and where its dashboard is, runs a short computation against it (CPU
 * jobs spread over the servers; a progress bar on a terminal, a line every 10 % otherwise), then
 * keeps the node serving until Ctrl-C (SIGINT), which stops it cleanly, and says exactly how to
 * point a second client at it. The node's secret and its dashboard's token are random, written
 * to files only the user can read (0600) in the demo's folder, which is removed at the end.
 *
 * Usage: node dist/examples/discoro_demo.js [jobs]   (default 40 jobs)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Computation, newSecret } from '../index.js';

const jobs = Number(process.argv[2] ?? 40);
const secret = newSecret();
const folder = mkdtempSync(path.join(os.tmpdir(), 'asyncoro-demo-'));
const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../bin/discoronode.js');
// The secrets go in files only this user can read: on a command line they would show in `ps`.
const secretFile = path.join(folder, 'secret');
const tokenFile = path.join(folder, 'dashboard-token');
writeFileSync(secretFile, `${secret}\n`, { mode: 0o600, flag: 'wx' });
writeFileSync(tokenFile, `${newSecret()}\n`, { mode: 0o600, flag: 'wx' });

const node = spawn(process.execPath, [bin, '--no-discover', '--daemon', '--name', 'demo', '--dest-dir', path.join(folder, 'node'), '--pulse-interval', '2000', '--secret-file', secretFile, '--dashboard-token-file', tokenFile], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const nodeExited = new Promise<number | null>((resolve) => node.once('exit', resolve));
const { location, dashboard } = await new Promise<{ location: string; dashboard: string }>((resolve, reject) => {
  let out = '';
  node.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening at (\S+) with \d+ servers[\s\S]*\ndashboard at (\S+)/.exec(out);
    if (m) resolve({ location: m[1]!, dashboard: m[2]! });
  });
  void nodeExited.then((code) => reject(new Error(`discoronode exited (${code}) before listening`)));
});
console.log(`discoronode listening at ${location} (folder ${folder})`);
console.log(`dashboard at ${dashboard} (its actions need the token in ${tokenFile}; every node it knows at ${dashboard}cluster)`);

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

const computation = new Computation({ components: [collatz], nodes: [location], secret, pulseInterval: 2000, name: 'collatz demo' });
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
// A second client: any program given the node's address and its secret (from the file, never on a command line).
const client1 = path.relative(process.cwd(), path.join(here, 'discoro_client1.js')) || path.join(here, 'discoro_client1.js');
console.log(`discoronode still serving at ${location}; to run a second client against it (the secret is in ${secretFile}, readable by you only):`);
console.log(`  DISCORO_SECRET="$(cat ${secretFile})" node ${client1} ${location}`);
console.log('press Ctrl-C to stop it');
await interrupted;
node.kill('SIGINT');
const code = await nodeExited;
rmSync(folder, { recursive: true, force: true });
console.log(`discoronode stopped (exit ${code})`);
await computation.scheduler.terminate();
