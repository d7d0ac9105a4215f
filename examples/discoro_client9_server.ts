/**
 * Port of asyncoro's discoro_client9_server.py: per-server setup. The data files are shipped
 * with the computation; `serverSetup` loads them into each server's memory before it takes jobs
 * (a setup that returns anything but 0 keeps the server out); then 15 jobs compute checksums of
 * the loaded data, and the client prints "<alg>sum for <file>: <hex>".
 *
 * Run: `DISCORO_SECRET=s node dist/examples/discoro_client9_server.js host:port [files...]`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Computation } from '../actors/discoro/Computation.js';
import { isMain } from './util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'];

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const [node, ...given] = argv;
  const files = given.length > 0 ? given : ['syslog.txt', 'discoro_client9_server.ts', 'discoro_client4.ts'].map((f) => path.resolve(here, '../../examples', f.endsWith('.txt') ? `fixtures/${f}` : f));
  const computation = new Computation({
    components: [path.join(here, 'discoro_components/files.js'), ...files],
    nodes: node !== undefined ? [node] : undefined,
    secret: process.env.DISCORO_SECRET,
    serverSetup: { fn: 'loadData' },
  });
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');
  const jobs = files.flatMap((f) => ALGORITHMS.map((alg) => [path.basename(f), alg]));
  const sums = await computation.runResults<string>('checksum', jobs);
  for (const [k, [file, alg]] of jobs.entries()) console.log(`${alg}sum for ${file}: ${sums[k]}`);
  await computation.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
