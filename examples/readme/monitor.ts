// Monitors: learn how another coroutine ended, and terminate().
import { MonitorStatus, spawn, type Coro } from '../../index.js';

const sleeper = spawn(async (coro) => {
  await coro.sleep(60_000); // interrupted: terminate() takes effect at the pending call
});
const failing = spawn(async () => {
  throw new Error('boom');
});

const watcher = spawn(async (coro: Coro<MonitorStatus>) => {
  await coro.monitor(sleeper);
  await coro.monitor(failing);
  sleeper.terminate();
  const seen = [];
  for (let i = 0; i < 2; i++) {
    const status = await coro.receive();
    seen.push(`${status.coro.name}: ${status.reason}`);
  }
  return seen.sort();
});
console.log(await watcher.value());
// Anonymous functions are named 'coro'.
// prints: [ 'coro: failed', 'coro: terminated' ]
