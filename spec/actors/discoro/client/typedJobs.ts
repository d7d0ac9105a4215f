/**
 * A component module for the typed job specs: compiled with the project, its `.js` is shipped, and
 * `typeof import('./typedJobs.js')` types the computation's jobs by name.
 */
import type { Coro } from '../../../../runtime/Coro.js';

/** How many primes are below `below`. */
export function countPrimes(_coro: Coro, below: number): number {
  let count = 0;
  for (let n = 2; n < below; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
    if (prime) count++;
  }
  return count;
}

/** `text` said `times` times, after a tick. */
export async function say(coro: Coro, text: string, times = 1): Promise<string[]> {
  await coro.sleep(1);
  return Array.from({ length: times }, () => text);
}

export const notAJob = 42;
