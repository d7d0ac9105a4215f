/**
 * Port of asyncoro's discoro_client8.py: remote code that blocks its thread while messages keep
 * coming. Each job first receives the client coroutine to answer, then numbers; for each it
 * blocks its server's thread for that long (Atomics.wait: no coroutine, timer or socket of that
 * process runs meanwhile, as with time.sleep in the original), and adds it up. The numbers the
 * client sends while a job blocks wait, in order, in the server's socket and then in the job's
 * mailbox; nothing is lost. After five numbers the client sends null, and the job replies with
 * its sum. (A blocked thread answers no heartbeat either: a job that blocks its server for longer
 * than the client's peer timeout, 5 s by default, makes the server look lost. The original's 10 to
 * 20 s are 1 to 2 s here; for longer work, split it or give it to a WorkerPool.)
 *
 * Run: `DISCORO_SECRET=s node dist/examples/discoro_client8.js host:port [jobs]` (SCALE=0.1 shortens it).
 */
import { Computation, type Coro } from '../index.js';
import { isMain, randomFromEnv, scale } from './util.js';

/** The job (shipped as its source). */
async function computeTask(coro: { receive(): Promise<unknown> }): Promise<void> {
  const client = (await coro.receive()) as { send(m: unknown): boolean };
  const blocker = new Int32Array(new SharedArrayBuffer(4));
  let result = 0;
  for (;;) {
    const n = await coro.receive();
    if (n === null) break;
    Atomics.wait(blocker, 0, 0, n as number); // blocks the whole server process for n ms
    result += n as number;
  }
  client.send(result);
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const [node, count = '10'] = argv;
  const computation = new Computation({ name: 'client8', components: [computeTask], nodes: node !== undefined ? [node] : undefined, secret: process.env.DISCORO_SECRET });
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');
  const random = randomFromEnv();
  const senders: Array<Coro<number, void>> = [];
  for (let i = 0; i < Number(count); i++) {
    const job = await computation.run('computeTask'); // a CPU job: waits for a free server
    if (job === false) throw new Error('no server');
    console.log(`job ${i} processed by ${job.server}`);
    const numbers = Array.from({ length: 5 }, () => scale(1000 + random() * 1000));
    const gaps = numbers.map(() => scale(2000 + random() * 3000));
    senders.push(computation.scheduler.spawn(async (coro: Coro<number, void>) => {
      job.send(coro);
      for (let k = 0; k < numbers.length; k++) {
        job.send(numbers[k]); // accepted even while the job blocks its server
        await coro.sleep(gaps[k]!); // the next input comes later
      }
      job.send(null);
      const result = await coro.receive({ timeout: 120_000 });
      const sent = numbers.reduce((a, b) => a + b, 0);
      console.log(`${job.server} computed result: ${result?.toFixed(4)} (sent ${sent.toFixed(4)})`);
    }));
  }
  for (const s of senders) await s.finish();
  await computation.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
