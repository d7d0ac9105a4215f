/**
 * Helpers shared by the examples: a seeded random generator (so that specs can
 * check exact output) and the "run when executed directly" test.
 * @module
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

/**
 * A small seeded PRNG (mulberry32): the same seed gives the same sequence.
 * @example
 * ```ts
 * const rand = seeded(42); rand(); // 0 <= x < 1
 * ```
 */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random generator from the SEED environment variable, or an unseeded one. */
export function randomFromEnv(): () => number {
  const seed = process.env.SEED;
  return seed === undefined ? Math.random : seeded(Number(seed));
}

/** Scales the example's delays: SCALE=0.1 runs ten times faster (used by the specs and the tour). */
export function scale(ms: number): number {
  const factor = Number(process.env.SCALE ?? '1');
  return Math.max(0, Math.round(ms * (Number.isFinite(factor) && factor > 0 ? factor : 1)));
}

/** True when `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

/** Resolves when a line "quit" or "exit" arrives on stdin (or stdin ends), as asyncoro's servers did. */
export async function untilQuit(): Promise<void> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) if (['quit', 'exit'].includes(line.trim().toLowerCase())) break;
  process.stdin.destroy(); // an open stdin would keep the process alive
}
