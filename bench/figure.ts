/**
 * Shared by the benchmarks: printing one JSON line per figure, best-of-N timing,
 * and the "run when executed directly" test.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** One measured figure with the baseline measured in the same run. */
export interface Figure {
  bench: string;
  metric: string;
  value: number;
  baseline?: number;
  target?: string;
}

/** Prints a figure as one JSON line (with the value/baseline ratio). */
export function printFigure(f: Figure): void {
  const round = (x: number): number => (Math.abs(x) >= 100 ? Math.round(x) : Math.round(x * 1000) / 1000);
  const line: Record<string, unknown> = { bench: f.bench, metric: f.metric, value: round(f.value) };
  if (f.baseline !== undefined) {
    line.baseline = round(f.baseline);
    line.ratio = round(f.baseline === 0 ? 0 : f.value / f.baseline);
  }
  if (f.target !== undefined) line.target = f.target;
  console.log(JSON.stringify(line));
}

/** Runs `measure` `reps` times and returns the best (highest) result: the least disturbed run. */
export async function best(reps: number, measure: () => Promise<number>): Promise<number> {
  let top = -Infinity;
  for (let i = 0; i < reps; i++) top = Math.max(top, await measure());
  return top;
}

/**
 * Runs every measurement `reps` times, interleaved (the order rotates each round, so a slow spell
 * of a shared machine hits all of them alike), and returns the best (highest) result of each.
 */
export async function bestInterleaved(reps: number, measures: Array<() => Promise<number>>): Promise<number[]> {
  const top = measures.map(() => -Infinity);
  for (let r = 0; r < reps; r++) {
    for (let k = 0; k < measures.length; k++) {
      const i = (k + r) % measures.length;
      top[i] = Math.max(top[i]!, await measures[i]!());
    }
  }
  return top;
}

/** Seconds since `start` (a performance.now() reading). */
export function since(start: number): number {
  return (performance.now() - start) / 1000;
}

/** True when the module is the script node was started with. */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && url === pathToFileURL(process.argv[1]).href;
}

/**
 * Runs the bench module at `url` as a fresh node process (its `isMain` part measures) and prints
 * what it printed: figures that what ran before them in this process must not disturb.
 */
export function runAlone(url: string): void {
  process.stdout.write(execFileSync(process.execPath, [fileURLToPath(url)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 22 }));
}

/** Benchmark sizes: `smoke` (for the spec that keeps benches from rotting) or `full`. */
export type Size = 'smoke' | 'full';

/** Picks the smoke or full value. */
export function sized<T>(size: Size, smoke: T, full: T): T {
  return size === 'smoke' ? smoke : full;
}
