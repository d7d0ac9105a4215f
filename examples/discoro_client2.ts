/**
 * Port of asyncoro's discoro_client2.py: CPU jobs under back-pressure, watched on a web page.
 * `run` places a CPU job only on a free server (at most one CPU job runs on a server), so with K
 * servers the loop blocks at the K+1-th job until one ends; each placed job prints
 * "job i processed by <server>". The client serves its computation's dashboard (asyncoro's httpd
 * on :8181): jobs running per server, done, the rate, and every node with a link to its own page.
 *
 * Run: `DISCORO_SECRET=s node dist/examples/discoro_client2.js host:port [jobs]`, open the printed
 * address (DASHBOARD_PORT sets its port; SCALE=0.1 shortens the jobs).
 */
import { Computation, serveDashboard } from '../index.js';
import { isMain, randomFromEnv, scale } from './util.js';

/** The job (shipped as its source): a CPU job that takes `ms`. */
async function compute(coro: { sleep(ms: number): Promise<unknown> }, ms: number): Promise<number> {
  await coro.sleep(ms);
  return ms;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const [node, jobs = '10'] = argv;
  const computation = new Computation({ name: 'client2', components: [compute], nodes: node !== undefined ? [node] : undefined, secret: process.env.DISCORO_SECRET, pulseInterval: 1000 });
  // Asked for before schedule(), the web view sees the nodes and servers as they come.
  const dashboard = await serveDashboard(computation.scheduler, { cluster: computation.clusterSource(), port: Number(process.env.DASHBOARD_PORT ?? 0) });
  console.log(`dashboard at ${dashboard.url}`);
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');
  const random = randomFromEnv();
  for (let i = 0; i < Number(jobs); i++) {
    const job = await computation.run('compute', Math.round(scale(5000 + random() * 5000))); // blocks while every server is busy
    console.log(job === false ? `job ${i} not placed` : `job ${i} processed by ${job.server}`);
  }
  await computation.close(); // waits for the jobs still running
  console.log('all jobs done');
  await dashboard.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
