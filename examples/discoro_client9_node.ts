/**
 * Port of asyncoro's discoro_client9_node.py: per-node setup with per-node data. With
 * `disableNodes`, each node waits at `node-discovered` (its slots reserved) until the client has
 * sent it the data files and called `enableNode(node, files)`; the node setup then checksums
 * them once for the node (asyncoro kept the data in the node's memory, which its forked servers
 * inherited; here the node setup runs in its own process and leaves its result in the
 * computation folder); then 15 jobs read the prepared sums: "<alg>sum for <file>: <hex>".
 *
 * Run: `DISCORO_SECRET=s node dist/examples/discoro_client9_node.js host:port [files...]`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Computation } from '../actors/discoro/client/Computation.js';
import { Network } from '../actors/remote/Network.js';
import { isMain } from './util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'];

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const [node, ...given] = argv;
  const files = given.length > 0 ? given : [path.resolve(here, '../../examples/fixtures/syslog.txt')];
  const computation = new Computation({
    components: [path.join(here, 'discoro_components/files.js')],
    nodes: node !== undefined ? [node] : undefined,
    secret: process.env.DISCORO_SECRET,
    disableNodes: true,
    nodeSetup: { fn: 'nodeChecksums' },
    nodeAllocations: [{ platform: 'win', cpus: 0 }, { node: '*' }], // as the original: not on Windows nodes
  });
  const statuses = computation.status();
  const scheduled = computation.schedule({ timeout: 30_000 });
  for await (const s of statuses) {
    if (s.kind !== 'node-discovered') continue;
    const net = Network.of(computation.scheduler)!;
    for (const f of files) await net.sendFile(s.node.location, f, { dir: computation.id, overwrite: true, timeout: 10_000 });
    computation.enableNode(s.node.location, files.map((f) => path.basename(f)));
    break;
  }
  if (!(await scheduled)) throw new Error('no discoronode found within 30 s');
  const jobs = files.flatMap((f) => ALGORITHMS.map((alg) => [path.basename(f), alg]));
  const sums = await computation.runResults<string>('nodeSum', jobs);
  for (const [k, [file, alg]] of jobs.entries()) console.log(`${alg}sum for ${file}: ${sums[k]}`);
  await computation.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
