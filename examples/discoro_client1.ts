/**
 * Port of asyncoro's discoro_client1.py: ten jobs `compute(i, n)` that sleep n (2–5 s, scaled by
 * SCALE) on the servers of a discoronode; runResults returns the results in input order, so the
 * lines are printed for i = 0..9. With K servers it takes about ceil(10/K) × the average sleep
 * (at most one CPU job per server).
 *
 * Run: start `DISCORO_SECRET=s node dist/bin/discoronode.js`, then
 * `DISCORO_SECRET=s node dist/examples/discoro_client1.js host:port` (SCALE=0.1 for short sleeps).
 */
import { Computation } from '../actors/discoro/client/Computation.js';
import { isMain, randomFromEnv, scale } from './util.js';

/** The job: a shipped, self-contained function (no outside variables). */
async function compute(coro: { sleep(ms: number): Promise<unknown>; location?: unknown }, i: number, n: number): Promise<{ i: number; at: string; time: string }> {
  await coro.sleep(n);
  return { i, at: String(coro.location), time: new Date().toISOString() };
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const node = argv[0];
  const computation = new Computation({ components: [compute], nodes: node !== undefined ? [node] : undefined, secret: process.env.DISCORO_SECRET });
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');
  const random = randomFromEnv();
  const args = Array.from({ length: 10 }, (_, i) => [i, Math.round(scale(2000 + random() * 3000))]);
  const results = await computation.runResults<Awaited<ReturnType<typeof compute>>>('compute', args);
  for (const r of results) console.log(`result for ${r.i} from ${r.at}: ${r.time}`);
  await computation.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
