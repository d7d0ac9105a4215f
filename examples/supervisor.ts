/**
 * Monitors that restart work: a supervisor watches a worker; when the worker
 * fails, the supervisor is told (a MonitorStatus message) and starts a new one,
 * up to a restart intensity (at most 3 restarts within 5 s, as in OTP) after
 * which it gives up. Jobs go through the supervisor so a restart is invisible
 * to clients, except for the job that crashed the worker.
 *
 * Run: `node dist/examples/supervisor.js`
 */
import { MonitorStatus, spawn, type Coro } from '../index.js';
import { isMain } from './util.js';

type Job = { n: number; reply: Coro<string> };

async function worker(coro: Coro<Job>): Promise<void> {
  for (;;) {
    const { n, reply } = await coro.receive();
    if (n % 4 === 3) throw new Error(`cannot handle job ${n}`);
    reply.send(`job ${n} -> ${n * n}`);
  }
}

async function supervisor(coro: Coro<Job | MonitorStatus>, maxRestarts: number, withinMs: number): Promise<void> {
  const worker$ = { current: spawn(worker) };
  await coro.monitor(worker$.current);
  // Like an OTP supervisor, take the worker down with us, however we end.
  try {
    await supervise(coro, worker$, maxRestarts, withinMs);
  } finally {
    worker$.current.terminate();
  }
}

async function supervise(coro: Coro<Job | MonitorStatus>, worker$: { current: Coro<Job> }, maxRestarts: number, withinMs: number): Promise<void> {
  const restarts: number[] = [];
  for (;;) {
    const msg = await coro.receive();
    if (!(msg instanceof MonitorStatus)) {
      worker$.current.send(msg);
      continue;
    }
    if (msg.reason === 'finished') return;
    console.log(`worker ${msg.coro.name}/${msg.coro.id} ${msg.reason}: ${(msg.error as Error).message}`);
    const now = performance.now();
    restarts.push(now);
    while (restarts.length > 0 && now - restarts[0]! > withinMs) restarts.shift();
    if (restarts.length > maxRestarts) {
      console.log(`restart intensity reached (${maxRestarts} in ${withinMs} ms): giving up`);
      return;
    }
    worker$.current = spawn(worker);
    await coro.monitor(worker$.current);
    console.log(`restarted as ${worker$.current.name}/${worker$.current.id}`);
  }
}

/** Sends jobs 0..n-1 through the supervisor and prints the replies. */
export async function main(jobs = 12): Promise<void> {
  const sup = spawn(supervisor, 3, 5000);
  const client = spawn(async (coro: Coro<string>) => {
    for (let n = 0; n < jobs; n++) {
      sup.send({ n, reply: coro });
      const reply = await coro.receive({ timeout: 500, alarm: `job ${n} lost` });
      console.log(reply);
    }
  });
  await client.finish();
  sup.terminate();
}

if (isMain(import.meta.url)) void main(Number(process.argv[2] ?? 12));
