/**
 * Port of asyncoro's tut_coros.py: ten coroutines each sleep a random time;
 * the process ends by itself once the last one is done, because the scheduler
 * keeps it alive while non-daemon coroutines live.
 *
 * Run: `node dist/examples/tut_coros.js [count]` (SCALE=0.1 runs faster, SEED=n repeats a run).
 */
import { spawn, type Coro } from '../index.js';
import { isMain, randomFromEnv, scale } from './util.js';

async function sleeper(coro: Coro, i: number, seconds: number): Promise<void> {
  console.log(`coroutine ${i} sleeping for ${seconds.toFixed(2)} seconds`);
  await coro.sleep(scale(seconds * 1000));
  console.log(`coroutine ${i} terminating`);
}

/** Starts `count` sleepers and resolves when all have ended. */
export async function main(count = 10): Promise<void> {
  const random = randomFromEnv();
  const coros = [];
  for (let i = 0; i < count; i++) coros.push(spawn(sleeper, i, 0.5 + random() * 2.5));
  await Promise.all(coros.map((c) => c.finish()));
}

if (isMain(import.meta.url)) void main(Number(process.argv[2] ?? 10));
