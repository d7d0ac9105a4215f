// discoro: ship a function to a node's server processes and run jobs there. The node runs in this
// process here; in production it is `npx discoronode` on each host.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Computation, DiscoroNode, newSecret } from '../../index.js';

const secret = newSecret();
const destDir = mkdtempSync(path.join(os.tmpdir(), 'discoro-')); // shipped files and the node's PID file
const node = await DiscoroNode.start({ cpus: 2, discover: false, secret, destDir });

function square(_job: unknown, x: number): number {
  return x * x; // runs in a server process: shipped as its source text
}
const computation = new Computation({ components: [square], nodes: [node.location], secret });
if (await computation.schedule({ timeout: 30_000 })) { // once every node's servers are up
  const squares: number[] = await computation.runResults(square, [1, 2, 3, 4]); // typed by square; in input order
  console.log(squares);
  const job = await computation.runAsync(square, 12); // a RemoteCoro (false: no server in time)
  if (job !== false) console.log(await job.value({ timeout: 10_000 })); // finish(), monitors work too
  await computation.close(); // its servers and shipped files are removed
}
await node.stop();
rmSync(destDir, { recursive: true, force: true });
// prints: [ 1, 4, 9, 16 ] / 144
