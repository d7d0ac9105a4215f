// discoro: jobs that import a package shipped with the computation, named through a typed module
// map, and a failed job's remote stack and cause at the client.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Computation, DiscoroNode, newSecret, type RemoteError } from '../../index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'discoro-packages-'));
// A package of our own (a folder with its package.json, or what `npm pack` makes of it).
mkdirSync(path.join(dir, 'stats'));
writeFileSync(path.join(dir, 'stats', 'package.json'), JSON.stringify({ name: 'stats', type: 'module', main: 'index.js' }));
writeFileSync(path.join(dir, 'stats', 'index.js'), 'export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;\n');
// The component whose jobs import it ('asyncoro' and 'pino' always resolve: the node's own).
writeFileSync(path.join(dir, 'jobs.mjs'), `import { mean } from 'stats';
export function average(job, xs) {
  if (xs.length === 0) throw new RangeError('no values to average', { cause: new Error('xs is empty') });
  return mean(xs);
}\n`);
/** What `typeof import('./jobs.js')` gives a TypeScript project that compiles its jobs module. */
interface Jobs {
  average(job: unknown, xs: number[]): number;
}

const secret = newSecret();
const node = await DiscoroNode.start({ cpus: 2, discover: false, secret, destDir: path.join(dir, 'node') });
const computation = new Computation<Jobs>({ components: [path.join(dir, 'jobs.mjs'), { package: path.join(dir, 'stats') }], nodes: [node.location], secret });
if (await computation.schedule({ timeout: 30_000 })) {
  const mean: number = await computation.runResult('average', [1, 2, 3, 6]); // 'average' takes number[]
  console.log(mean);
  const failed = (await computation.runResult('average', []).catch((e: unknown) => e)) as RemoteError;
  console.log(failed.name, failed.remoteMessage, /at (Object\.)?average .*jobs\.mjs/.test(failed.remoteStack ?? ''), (failed.cause as RemoteError).remoteMessage);
  await computation.close();
}
await node.stop();
rmSync(dir, { recursive: true, force: true });
// prints: 3 / RangeError no values to average true xs is empty
