/**
 * The Savina actor benchmarks (PingPong, Counting, ThreadRing, Chameneos, Big, and both fork-join
 * workloads), each against its hand-rolled twin: the same work on plain async functions with
 * promise mailboxes. Rounds are interleaved (the twin first in one round, asyncoro first in the
 * next), with a full GC before each run; each figure is the best time of each side, wall time
 * and, beside it, the process's CPU time (steadier when the machine is shared).
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

/** Wall time and the process's CPU time (user + system, every thread: GC helpers too) of one run. */
async function timed(run: () => Promise<number>): Promise<{ ms: number; cpuMs: number; checksum: number }> {
  gc();
  const start = performance.now();
  const cpu = process.cpuUsage();
  const checksum = await run();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, checksum };
}

/** Runs one workload against its twin and prints its figure. */
async function compare<P>(w: Workload<P>, size: Size, rounds: number): Promise<void> {
  const params = size === 'smoke' ? w.smoke : w.full;
  let hand = Infinity, ours = Infinity, handCpu = Infinity, oursCpu = Infinity;
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
    handCpu = Math.min(handCpu, h.cpuMs);
    oursCpu = Math.min(oursCpu, o.cpuMs);
  }
  printFigure({ bench: 'savina', metric: `${w.name}_ms`, value: ours, baseline: hand, target: '<= 1.25x hand-rolled' });
  // On a machine shared with other work the CPU time holds where the wall time swings.
  printFigure({ bench: 'savina', metric: `${w.name}_cpu_ms`, value: oursCpu, baseline: handCpu });
}

/** Prints one figure per workload: asyncoro's time against its hand-rolled twin's. */
export async function run(size: Size = 'full', only: string[] = []): Promise<void> {
  const rounds = sized(size, 1, 5);
  for (const w of workloads) if (only.length === 0 || only.includes(w.name)) await compare(w, size, rounds);
}

if (isMain(import.meta.url)) await run((process.env.BENCH_SIZE as Size) ?? 'full', process.argv.slice(2));
