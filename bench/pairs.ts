/**
 * Cost per message as coroutines grow: N live pairs (1k, 10k, 100k, 1M) each play `rounds`
 * round trips of ping-pong at the same time, against the same pairs of plain async functions
 * with hand-rolled promise mailboxes. Reports ns per message and young-generation collections
 * per million messages, for both. Each measurement runs in a fresh child process (a clean heap,
 * big enough for two million coroutines); rounds are interleaved and the best of each side kept.
 *
 * Run: `node dist/bench/pairs.js [pairs...]`, e.g. `node dist/bench/pairs.js 10000`.
 * @module
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Scheduler, type Coro } from '../index.js';
import { BaselineMailbox } from './baselineMailbox.js';
import { isMain, printFigure, sized, type Size } from './figure.js';
import { countGcs, type GcCounts } from './gcCount.js';

interface Result {
  ns: number;
  youngPerM: number;
}

/** Round trips per pair: about two million messages at every size (four million at 1M pairs). */
function roundsFor(pairs: number): number {
  return Math.max(2, Math.round(1_000_000 / pairs));
}

/** Waits until `ready()` holds, one event-loop turn at a time (bounded). */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000_000 && !ready(); i++) await new Promise((r) => setImmediate(r));
}

function result(messages: number, ms: number, gcs: GcCounts): Result {
  return { ns: (ms * 1e6) / messages, youngPerM: (gcs.young * 1e6) / messages };
}

async function asyncoro(pairs: number, rounds: number): Promise<Result> {
  const sched = new Scheduler();
  let started = 0;
  const pongs: Coro<number>[] = new Array(pairs);
  for (let p = 0; p < pairs; p++) {
    const ping = sched.spawn(async (coro: Coro<number>, index: number) => {
      started++;
      for (let k = 1; k < rounds; k++) pongs[index]!.send((await coro.receive()) + 1);
      await coro.receive();
    }, p);
    pongs[p] = sched.spawn(async (coro: Coro<number>) => {
      started++;
      for (let k = 0; k < rounds; k++) ping.send((await coro.receive()) + 1);
    });
  }
  await until(() => started === 2 * pairs);
  const stop = countGcs();
  const start = performance.now();
  for (const pong of pongs) pong.send(0);
  await sched.join();
  const ms = performance.now() - start;
  const gcs = await stop();
  await sched.terminate();
  return result(2 * pairs * rounds, ms, gcs);
}

async function handRolled(pairs: number, rounds: number): Promise<Result> {
  let started = 0;
  let left = 2 * pairs;
  let allDone!: () => void;
  const done = new Promise<void>((r) => (allDone = r));
  const end = (): void => void (--left === 0 && allDone());
  const pongs: BaselineMailbox<number>[] = new Array(pairs);
  for (let p = 0; p < pairs; p++) {
    const ping = new BaselineMailbox<number>();
    const pong = (pongs[p] = new BaselineMailbox<number>());
    void (async () => {
      started++;
      for (let k = 1; k < rounds; k++) pong.send((await ping.receive()) + 1);
      await ping.receive();
    })().then(end);
    void (async () => {
      started++;
      for (let k = 0; k < rounds; k++) ping.send((await pong.receive()) + 1);
    })().then(end);
  }
  await until(() => started === 2 * pairs);
  const stop = countGcs();
  const start = performance.now();
  for (const pong of pongs) pong.send(0);
  await done;
  const ms = performance.now() - start;
  const gcs = await stop();
  return result(2 * pairs * rounds, ms, gcs);
}

/** Runs one measurement in a child process and returns what it printed. */
async function measureInChild(side: 'asyncoro' | 'hand', pairs: number, rounds: number): Promise<Result> {
  const self = fileURLToPath(import.meta.url);
  const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=8192', self, '--child', side, String(pairs), String(rounds)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Result;
}

const label = (pairs: number): string => (pairs >= 1_000_000 ? `${pairs / 1_000_000}M` : `${pairs / 1000}k`);

/** Prints, per size, ns per message and young collections per million messages, against hand-rolled. */
export async function run(size: Size = 'full', only: number[] = []): Promise<void> {
  const sizes = only.length > 0 ? only : sized(size, [1000], [1000, 10_000, 100_000, 1_000_000]);
  const rounds = sized(size, 1, 3);
  for (const pairs of sizes) {
    const trips = sized(size, 20, roundsFor(pairs));
    let hand: Result | undefined, ours: Result | undefined;
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 === 0 ? (['hand', 'asyncoro'] as const) : (['asyncoro', 'hand'] as const)) {
        const got = await measureInChild(side, pairs, trips);
        if (side === 'hand') hand = hand === undefined || got.ns < hand.ns ? got : hand;
        else ours = ours === undefined || got.ns < ours.ns ? got : ours;
      }
    }
    printFigure({ bench: 'pairs', metric: `ns_per_message_${label(pairs)}_pairs`, value: ours!.ns, baseline: hand!.ns, target: '<= 1.3x hand-rolled' });
    printFigure({ bench: 'pairs', metric: `young_gcs_per_million_messages_${label(pairs)}_pairs`, value: ours!.youngPerM, baseline: hand!.youngPerM });
  }
}

if (isMain(import.meta.url)) {
  if (process.argv[2] === '--child') {
    const [side, pairs, rounds] = [process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
    // A short warm-up at a small size, so the measured run is not the JIT's first.
    await (side === 'hand' ? handRolled(200, 50) : asyncoro(200, 50));
    const got = await (side === 'hand' ? handRolled(pairs, rounds) : asyncoro(pairs, rounds));
    process.stdout.write(JSON.stringify(got));
  } else await run((process.env.BENCH_SIZE as Size) ?? 'full', process.argv.slice(2).map(Number));
}
