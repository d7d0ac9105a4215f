// Threads: every core behind one API. This file is also the module the threads import.
import { isMainThread } from 'node:worker_threads';
import { ask, spawn, spawnOnWith, Threads, type Address, type Coro, type MonitorStatus } from '../../index.js';

/** One account per key: adds what it is sent, answers its total. */
export async function account(coro: Coro<{ add?: number; total?: Address<number>; crash?: boolean }>): Promise<void> {
  let total = 0;
  for (;;) {
    const m = await coro.receive();
    if (m.crash) process.exit(1); // the whole thread ends: it is lost like a peer
    total += m.add ?? 0;
    m.total?.send(total);
  }
}

if (isMainThread) {
  await using threads = await Threads.start({ count: 2 });
  const alice = await spawnOnWith<typeof account>(threads, { key: 'alice' }, import.meta.url, 'account');
  const sameKey = await spawnOnWith<typeof account>(threads, { key: 'alice' }, import.meta.url, 'account');
  alice.send({ add: 5 });
  alice.send({ add: 7 });
  console.log(await ask(alice, (total) => ({ total }), { timeout: 5000 }), alice.thread === sameKey.thread);

  const watcher = spawn(async (coro: Coro<MonitorStatus>) => {
    await coro.monitor(alice);
    alice.send({ crash: true });
    const status = await coro.receive();
    return `${status.reason}: ${(status.error as Error).name}`;
  });
  console.log(await watcher.value());
}
// prints: 12 true / peer-lost: PeerLostError
