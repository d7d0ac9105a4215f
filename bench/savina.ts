/**
 * The Savina actor benchmarks (PingPong, Counting, ThreadRing, Chameneos, Big, and both fork-join
 * workloads), each against its hand-rolled twin: the same work on plain async functions with
 * promise mailboxes. Rounds are interleaved (the twin first in one round, asyncoro first in the
 * next), with a full GC before each run; each figure is the best time of each side.
 *
 * Run: `node dist/bench/savina.js [workload...]`.
 * @module
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { isMain, printFigure, sized, type Size } from './figure.js';
import { big } from './savina/big.js';
import { chameneos } from './savina/chameneos.js';
import { counting } from './savina/counting.js';
import { forkJoinCreation, forkJoinThroughput } from './savina/forkJoin.js';
import { pingPong } from './savina/pingPong.js';
import { threadRing } from './savina/threadRing.js';
import type { Workload } from './savina/workload.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Every workload, in the order they are reported. */
export const workloads: Workload<any>[] = [pingPong, counting, threadRing, chameneos, big, forkJoinThroughput, forkJoinCreation];

async function timed(run: () => Promise<number>): Promise<{ ms: number; checksum: number }> {
  gc();
  const start = performance.now();
  const checksum = await run();
  return { ms: performance.now() - start, checksum };
}

/** Runs one workload against its twin and prints its figure. */
async function compare<P>(w: Workload<P>, size: Size, rounds: number): Promise<void> {
  const params = size === 'smoke' ? w.smoke : w.full;
  let hand = Infinity, ours = Infinity;
  for (let r = -1; r < rounds; r++) {
    // Round -1 warms both up; later rounds alternate which side goes first.
    const handFirst = r % 2 === 0;
    const a = await timed(() => (handFirst ? w.handRolled(params) : w.asyncoro(params)));
    const b = await timed(() => (handFirst ? w.asyncoro(params) : w.handRolled(params)));
    const [h, o] = handFirst ? [a, b] : [b, a];
    if (h.checksum !== o.checksum) throw new Error(`savina ${w.name}: asyncoro computed ${o.checksum}, the hand-rolled twin ${h.checksum}`);
    if (r < 0) continue;
    hand = Math.min(hand, h.ms);
    ours = Math.min(ours, o.ms);
  }
  printFigure({ bench: 'savina', metric: `${w.name}_ms`, value: ours, baseline: hand, target: '<= 1.25x hand-rolled' });
}

/** Prints one figure per workload: asyncoro's time against its hand-rolled twin's. */
export async function run(size: Size = 'full', only: string[] = []): Promise<void> {
  const rounds = sized(size, 1, 5);
  for (const w of workloads) if (only.length === 0 || only.includes(w.name)) await compare(w, size, rounds);
}

if (isMain(import.meta.url)) await run((process.env.BENCH_SIZE as Size) ?? 'full', process.argv.slice(2));
