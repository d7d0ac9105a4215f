// What is running: a snapshot of the scheduler, and its metrics in the Prometheus text format.
import { Lock, Scheduler, prometheusText, schedulerMetrics, type Coro } from '../../index.js';

const sched = new Scheduler();
const lock = new Lock();
sched.spawnWith({ name: 'holder' }, async (coro) => {
  await lock.acquire(coro);
  await coro.suspend();
});
sched.spawnWith({ name: 'waiter' }, async (coro) => lock.acquire(coro, { timeout: 60_000 }));
const inbox = sched.spawnWith({ name: 'inbox' }, async (coro: Coro<string>) => coro.receive({ filter: (m) => m === 'go' }));
inbox.send('queued');
await sched.join({ timeout: 20 }); // they are all blocked: this only lets them reach their waits
for (const c of sched.snapshot().coroutines) {
  console.log(`${c.name}: ${c.state}${c.waitingOn === null ? '' : ` on ${c.waitingOn}`}, mailbox ${c.mailbox}, holds [${c.holds}]`);
}
const metrics = prometheusText(schedulerMetrics(sched.snapshot()));
console.log(metrics.split('\n').filter((line) => /^asyncoro_(messages_sent_total|coroutines_alive) /.test(line)).join(', '));
await sched.terminate();
// prints: holder: suspended, mailbox 0, holds [Lock] / waiter: waiting on Lock, mailbox 0, holds [] / inbox: receiving, mailbox 1, holds [] / asyncoro_messages_sent_total 1, asyncoro_coroutines_alive 3
