/**
 * Port of asyncoro's discoro_client7.py: job submission driven by status messages. Each
 * `server-initialized` starts a job on that server (runAt); each finished job starts the next
 * one on the server it ran on, until ten jobs have finished.
 *
 * Run: `DISCORO_SECRET=s node dist/examples/discoro_client7.js host:port` (SCALE=0.1 shortens the jobs).
 */
import { Computation } from '../actors/discoro/client/Computation.js';
import { isMain, randomFromEnv, scale } from './util.js';

async function rcoroProc(coro: { sleep(ms: number): Promise<unknown> }, n: number): Promise<number> {
  await coro.sleep(n);
  return n;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const computation = new Computation({ components: [rcoroProc], nodes: argv[0] !== undefined ? [argv[0]] : undefined, secret: process.env.DISCORO_SECRET });
  const random = randomFromEnv();
  const total = 10;
  let submitted = 0;
  let finished = 0;
  const submit = async (server: string): Promise<void> => {
    if (submitted >= total) return;
    submitted++;
    const n = Math.round(scale(1000 + random() * 2000));
    const job = await computation.runAt(server, 'rcoroProc', n);
    if (job !== false) console.log(`rcoro_proc started at ${server} with ${n}`);
  };
  const statuses = computation.status();
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');
  for await (const s of statuses) {
    if (s.kind === 'server-initialized') void submit(s.server.location);
    else if (s.kind === 'job-finished') {
      console.log(`rcoro_proc at ${s.info.server} finished with ${String(s.value)}`);
      if (++finished === total) break;
      void submit(s.info.server);
    } else if (s.kind === 'job-failed') console.log(`rcoro_proc at ${s.info.server} failed: ${s.error.message}`);
  }
  await computation.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
