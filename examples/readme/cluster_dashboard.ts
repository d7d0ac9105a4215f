// A client's dashboard of its computation: its nodes, servers and jobs, live. (Every discoronode
// serves one of its own too: its address is printed at start.)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Computation, DiscoroNode, newSecret, serveDashboard } from '../../index.js';

const secret = newSecret();
const destDir = mkdtempSync(path.join(os.tmpdir(), 'discoro-'));
const node = await DiscoroNode.start({ cpus: 2, name: 'n1', discover: false, secret, destDir });

function square(_job: unknown, x: number): number {
  return x * x;
}
const computation = new Computation({ components: [square], nodes: [node.location], secret, name: 'squares' });
// Asked for before schedule(), the cluster source sees everything from the start.
const dash = await serveDashboard(computation.scheduler, { cluster: computation.clusterSource(), token: 'a-long-random-secret-token' });
if (await computation.schedule({ timeout: 30_000 })) {
  await computation.runResults('square', [1, 2, 3]);
  const view = (await (await fetch(`${dash.url}api/cluster`)).json()) as { nodes: Array<{ name: string }>; computations: Array<{ name: string }>; counts: object };
  console.log(view.computations[0]!.name, 'on', view.nodes.map((n) => n.name).join(), JSON.stringify(view.counts));
  await computation.close();
}
await dash.close();
await node.stop();
rmSync(destDir, { recursive: true, force: true });
// prints: squares on n1 {"submitted":3,"running":0,"done":3,"failed":0}
