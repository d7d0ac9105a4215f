// A pool: 4 supervised workers behind one address; each request goes to one of them.
import { ask, Pool, type Address, type Coro } from '../../index.js';

type Job = { n: number; replyTo: Address<string> };
const pool = await Pool.start(async (coro: Coro<Job>) => {
  for await (const { n, replyTo } of coro.messages()) {
    if (n < 0) throw new Error('negative input');
    replyTo.send(`${coro.name}: ${n * n}`);
  }
}, { size: 4 });

console.log(await Promise.all([1, 2, 3, 4].map((n) => ask(pool, (replyTo) => ({ n, replyTo }), { timeout: 1000 }))));
// A worker that crashes mid-request fails that request at once; the pool restarts it.
console.log(await ask(pool, (replyTo) => ({ n: -1, replyTo }), { timeout: 60_000 }).catch((e: Error) => e.name));
console.log(pool.workers().length, pool.supervisor.restarts);
await pool.stop();
// prints: [ 'worker-0: 1', 'worker-1: 4', 'worker-2: 9', 'worker-3: 16' ] / CoroFinishedError / 4 1
