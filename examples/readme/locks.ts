// Locks belong to coroutines: FIFO hand-off, released if the owner dies.
import { Condition, Lock, spawn, spawnWith, type Coro } from '../../index.js';

const lock = new Lock();
let balance = 0;
const deposit = async (coro: Coro, amount: number) => {
  using held = await lock.guard(coro, { timeout: 1000 }); // released when the block ends
  const seen = balance;
  await coro.sleep(1); // another coroutine runs here, but cannot enter
  balance = seen + amount;
};
await Promise.all([10, 20, 30].map((n) => spawn(deposit, n).finish()));
console.log(`balance: ${balance}`);

const crasher = spawnWith({ name: 'crasher' }, async (coro) => {
  await lock.acquire(coro);
  throw new Error('died holding the lock');
});
await crasher.finish().catch(() => undefined);
console.log(`locked after its owner died: ${lock.locked}, abandoned by: ${lock.abandonedBy?.name}`);

const ready = new Condition();
const items: string[] = [];
const consumer = spawn(async (coro) => {
  await ready.acquire(coro);
  while (items.length === 0) await ready.wait(coro, { timeout: 1000 });
  const item = items.shift();
  ready.release(coro);
  return item;
});
spawn(async (coro) => {
  await ready.acquire(coro);
  items.push('job 1');
  ready.notify(coro);
  ready.release(coro);
});
console.log(`consumed: ${await consumer.value()}`);
// prints: balance: 60 / locked after its owner died: false, abandoned by: crasher / consumed: job 1
