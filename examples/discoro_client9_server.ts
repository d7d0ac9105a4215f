/**
 * Port of asyncoro's discoro_client9_server.py: per-server setup with per-server data. The data
 * files are shipped with the computation; with `disableServers` each server waits at
 * `server-discovered` until the client enables it with the files it is to hold
 * (`enableServer(location, files)`), which its `serverSetup` loads into its memory (a setup that
 * returns anything but 0 keeps the server out). Then 15 jobs compute checksums of the loaded data,
 * each at the server holding its file (runResultAt), and the client prints "<alg>sum for <file>: <hex>".
 *
 * Run: `DISCORO_SECRET=s node dist/examples/discoro_client9_server.js host:port [files...]`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Computation } from '../actors/discoro/client/Computation.js';
import { isMain } from './util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'];

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const [node, ...given] = argv;
  const files = given.length > 0 ? given : ['syslog.txt', 'discoro_client9_server.ts', 'discoro_client4.ts'].map((f) => path.resolve(here, '../../examples', f.endsWith('.txt') ? `fixtures/${f}` : f));
  const names = files.map((f) => path.basename(f));
  const computation = new Computation({
    components: [path.join(here, 'discoro_components/files.js'), ...files],
    nodes: node !== undefined ? [node] : undefined,
    secret: process.env.DISCORO_SECRET,
    serverSetup: { fn: 'loadData' },
    disableServers: true,
  });
  const statuses = computation.status();
  const scheduled = computation.schedule({ timeout: 30_000 }); // resolves once a server is enabled
  // Wait for the node's servers, give each its share of the files, then wait until all are initialized.
  const holder = new Map<string, string>();
  let ready = 0;
  for await (const s of statuses) {
    if (s.kind === 'node-initialized') {
      const servers = computation.servers().map((srv) => srv.location);
      names.forEach((n, k) => holder.set(n, servers[k % servers.length]!));
      for (const server of servers) computation.enableServer(server, names.filter((n) => holder.get(n) === server));
    } else if (s.kind === 'server-initialized' && ++ready === new Set(holder.values()).size) break;
    else if (s.kind === 'server-failed' || s.kind === 'node-failed') throw s.error;
  }
  if (!(await scheduled)) throw new Error('no discoronode found within 30 s');
  const jobs = names.flatMap((f) => ALGORITHMS.map((alg) => [f, alg] as const));
  const sums = await Promise.all(jobs.map(([f, alg]) => computation.runResultAt<string>(holder.get(f)!, 'checksum', f, alg)));
  for (const [k, [file, alg]] of jobs.entries()) console.log(`${alg}sum for ${file}: ${sums[k]}`);
  await computation.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
