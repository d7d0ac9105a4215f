/**
 * Port of asyncoro's discoro_client3.py: objects as job arguments and results, sent back by
 * the job to a client coroutine passed as an argument. (asyncoro shipped a class and pickled its
 * instances; here arguments are CBOR data: plain objects, and coroutine references.) Each job
 * gets `{ i, n }` with n in [5, 10] (× SCALE × 100 ms), sleeps n, and delivers `{ i, n: √n }`.
 *
 * Run: `DISCORO_SECRET=s node dist/examples/discoro_client3.js host:port`.
 */
import { Computation } from '../actors/discoro/client/Computation.js';
import type { Coro } from '../runtime/Coro.js';
import { isMain, randomFromEnv, scale } from './util.js';

type C = { i: number; n: number };

async function compute(coro: { sleep(ms: number): Promise<unknown> }, obj: C, client: { deliver(m: unknown, o: { timeout: number }): Promise<boolean> }, ms: number): Promise<void> {
  await coro.sleep(obj.n * ms);
  await client.deliver({ i: obj.i, n: Math.sqrt(obj.n) }, { timeout: 5000 });
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const computation = new Computation({ components: [compute], nodes: argv[0] !== undefined ? [argv[0]] : undefined, secret: process.env.DISCORO_SECRET });
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');
  const random = randomFromEnv();
  const jobs = 10;
  const client = computation.scheduler.spawn(async (coro: Coro<C>) => {
    for (let k = 0; k < jobs; k++) {
      const reply = await coro.receive({ timeout: 60_000 });
      if (reply === undefined) throw new Error('no reply within 60 s');
      console.log(`result for job ${k}: ${reply.i}: ${reply.n.toFixed(3)}`);
    }
  });
  for (let i = 0; i < jobs; i++) {
    const job = await computation.run('compute', { i, n: 5 + Math.floor(random() * 6) }, client, scale(100));
    if (job === false) throw new Error('no server');
  }
  await client.finish();
  await computation.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
