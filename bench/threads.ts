/**
 * Worker threads as nodes, each figure against a baseline measured in the same run:
 * - how messages cross: structured clone of a turn's batch against the project's CBOR (the
 *   batch's messages encoded one by one, as the peer protocol does, in one transferred buffer),
 *   raw MessagePorts both, for typical messages;
 * - one-way messages/s from a coroutine here to one on a thread, against a raw MessagePort sender
 *   with the same batching (one postMessage of the burst's messages per turn);
 * - `ask` round trips to a coroutine on a thread, against a raw MessagePort request/reply;
 * - parallel speed-up over the same work on one thread: Mandelbrot rows, and Savina's Big
 *   (neighbourhoods of actors pinging random neighbours), on 2 threads and on
 *   `os.availableParallelism()`;
 * - starting a thread and spawning on it, to the first message handled, against a bare Worker
 *   answering its first message.
 *
 * Run: `node dist/bench/threads.js [messages=300000] [roundTrips=5000] [crossing messages speedup start]`.
 * @module
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { Encoder } from 'cbor-x';
import { ask, Scheduler, spawnOn, spawnOnWith, Threads, type Coro, type RemoteCoro } from '../index.js';
import { isMain, printFigure, since } from './figure.js';
import { senderSide } from './threadsWire.js';

const WORK = new URL('./threadWork.js', import.meta.url);
const RAW = new URL('./threadsRaw.js', import.meta.url);
const BURST = 1000;
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

const MESSAGES: Record<string, (i: number) => unknown> = {
  'small object': (i) => ({ seq: i, op: 'tick', from: 'client' }),
  number: (i) => i,
  nested: (i) => ({ id: i, user: { name: 'alice', tags: ['a', 'b', 'c'] }, values: [1.5, 2.5, i], ok: true }),
  '200-char text': (i) => `${'x'.repeat(200)}${i}`,
};

async function rawWorker(): Promise<Worker> {
  const w = new Worker(RAW);
  await new Promise((r) => w.once('message', r));
  return w;
}

/**
 * A raw sender: bursts of BURST messages, one postMessage per turn (clone an array, or CBOR each
 * into one transferred buffer); the raw receiver counts them, or (`mailbox`) hands each to an
 * async consumer through a hand-rolled mailbox, as a coroutine receiving them would.
 */
async function rawOneWay(w: Worker, n: number, make: (i: number) => unknown, encoding: 'clone' | 'cbor', mailbox = false): Promise<number> {
  const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
  const done = new Promise((r) => w.once('message', r));
  w.postMessage({ count: n, mailbox });
  const t0 = performance.now();
  for (let sent = 0; sent < n; ) {
    const batch: unknown[] = [];
    for (const end = Math.min(n, sent + BURST); sent < end; sent++) batch.push(make(sent));
    if (encoding === 'clone') w.postMessage(batch);
    else {
      const parts = batch.map((m) => encoder.encode(m));
      const total = parts.reduce((s, p) => s + p.length, 0);
      const out = Buffer.allocUnsafeSlow(total + 5);
      out[0] = 0x9a; // a CBOR array of the parts, which are already items
      out.writeUInt32BE(parts.length, 1);
      let at = 5;
      for (const p of parts) at += p.copy(out, at);
      w.postMessage(out.buffer, [out.buffer]);
    }
    await turn();
  }
  await done;
  return n / since(t0);
}

/** `{ n, replyTo }` through the project's Codec against its CloneWire, both ends, same batching. */
async function crossingWithReferences(raw: Worker, messages: number): Promise<void> {
  const sender = senderSide();
  const oneWay = async (n: number, encoding: 'clone' | 'cbor'): Promise<number> => {
    const done = new Promise((r) => raw.once('message', r));
    raw.postMessage({ count: n, wire: true });
    const t0 = performance.now();
    for (let sent = 0; sent < n; sent += BURST) {
      const { value, transfer } = sender.batch(sent, Math.min(BURST, n - sent), encoding);
      raw.postMessage(value, transfer);
      await turn();
    }
    await done;
    return n / since(t0);
  };
  await oneWay(20_000, 'clone');
  await oneWay(20_000, 'cbor');
  let clone = 0, cbor = 0;
  for (let r = 0; r < 3; r++) {
    clone = Math.max(clone, await oneWay(messages / 3, 'clone'));
    cbor = Math.max(cbor, await oneWay(messages / 3, 'cbor'));
  }
  printFigure({ bench: 'threads', metric: 'crossing, { n, replyTo: a coroutine }: the Codec (CBOR) msgs/s (baseline: CloneWire, structured clone)', value: cbor, baseline: clone });
  await sender.stop();
}

/** Our sender: a coroutine here sends to a sink on a thread, yielding every BURST messages. */
async function ourOneWay(sched: Scheduler, sink: RemoteCoro, n: number, make: (i: number) => unknown): Promise<number> {
  const sender = sched.spawn(async (coro: Coro<number>) => {
    sink.send({ expect: n, reportTo: coro });
    const t0 = performance.now();
    for (let sent = 0; sent < n; ) {
      for (const end = Math.min(n, sent + BURST); sent < end; sent++) sink.send(make(sent));
      await coro.sleep(0);
    }
    await coro.receive({ timeout: 120_000 });
    return n / since(t0);
  });
  return (await sender.value()) as number;
}

async function rawRoundTrips(w: Worker, n: number): Promise<number[]> {
  w.postMessage({ echo: true });
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const reply = new Promise((r) => w.once('message', r));
    w.postMessage({ id: i, n: i });
    await reply;
    times.push((performance.now() - t0) * 1000);
  }
  return times.sort((a, b) => a - b);
}

async function ourRoundTrips(doubler: RemoteCoro<any>, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await ask(doubler, (replyTo) => ({ n: i, replyTo })); // no timeout armed: the raw one has none
    times.push((performance.now() - t0) * 1000);
  }
  return times.sort((a, b) => a - b);
}

const median = (sorted: number[]): number => sorted[Math.floor(sorted.length / 2)]!;
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Seconds for `chunks` Mandelbrot row ranges computed by one worker coroutine per thread. */
async function mandelbrotSeconds(count: number, rows: number, width: number, maxIter: number, chunks: number): Promise<number> {
  const sched = new Scheduler();
  const threads = await Threads.start({ count, scheduler: sched });
  try {
    const workers = await Promise.all(Array.from({ length: count }, (_, i) => spawnOnWith(threads, { thread: i + 1 }, WORK, 'mandelbrot', width, rows, maxIter)));
    const per = Math.ceil(rows / chunks);
    const t0 = performance.now();
    const parts = await Promise.all(Array.from({ length: chunks }, (_, c) => ask(workers[c % count]! as RemoteCoro<any>, (replyTo) => ({ from: c * per, to: Math.min(rows, (c + 1) * per), replyTo }), { timeout: 300_000 })));
    const seconds = since(t0);
    if ((parts as number[]).some((p) => typeof p !== 'number')) throw new Error('bad checksum');
    return seconds;
  } finally {
    await threads.stop();
    await sched.terminate();
  }
}

/** Seconds for `hoods` Big neighbourhoods spread over `count` threads (one thread: all of them there). */
async function bigSeconds(count: number, hoods: number, actors: number, pings: number): Promise<number> {
  const sched = new Scheduler();
  const threads = await Threads.start({ count, scheduler: sched });
  try {
    const t0 = performance.now();
    const runs = await Promise.all(Array.from({ length: hoods }, (_, h) => spawnOnWith(threads, { thread: (h % count) + 1 }, WORK, 'bigNeighbourhood', actors, pings, h + 1)));
    const answered = await Promise.all(runs.map((r) => r.value({ timeout: 300_000 })));
    const seconds = since(t0);
    if ((answered as number[]).reduce((s, a) => s + a, 0) !== hoods * actors * pings) throw new Error('Big lost pings');
    return seconds;
  } finally {
    await threads.stop();
    await sched.terminate();
  }
}

/** Start one thread, spawn on it, ms to its first answer; against a bare Worker's first answer. */
async function startMs(): Promise<{ ours: number; raw: number }> {
  let t0 = performance.now();
  const w = new Worker(RAW);
  await new Promise((r) => w.once('message', r));
  const reply = new Promise((r) => w.once('message', r));
  w.postMessage({ id: 1, n: 1 });
  await reply;
  const raw = performance.now() - t0;
  await w.terminate();
  const sched = new Scheduler();
  t0 = performance.now();
  const threads = await Threads.start({ count: 1, scheduler: sched });
  const doubler = await spawnOn(threads, WORK, 'doubler');
  await ask(doubler as RemoteCoro<any>, (replyTo) => ({ n: 1, replyTo }), { timeout: 10_000 });
  const ours = performance.now() - t0;
  await threads.stop();
  await sched.terminate();
  return { ours, raw };
}

/** The parts of the benchmark, all by default. */
const PARTS = ['crossing', 'messages', 'speedup', 'start'] as const;

export async function run(messages = 300_000, roundTrips = 5000, parts: readonly string[] = PARTS): Promise<void> {
  // How messages cross: clone against CBOR, raw, same batching.
  const raw = await rawWorker();
  for (const [kind, make] of parts.includes('crossing') ? Object.entries(MESSAGES) : []) {
    await rawOneWay(raw, 20_000, make, 'clone');
    await rawOneWay(raw, 20_000, make, 'cbor');
    let clone = 0, cbor = 0;
    for (let r = 0; r < 3; r++) {
      clone = Math.max(clone, await rawOneWay(raw, messages / 3, make, 'clone'));
      cbor = Math.max(cbor, await rawOneWay(raw, messages / 3, make, 'cbor'));
    }
    printFigure({ bench: 'threads', metric: `crossing, ${kind}: CBOR msgs/s (baseline: structured clone)`, value: cbor, baseline: clone });
  }
  if (parts.includes('crossing')) await crossingWithReferences(raw, messages);

  if (parts.includes('messages')) await messaging(raw, messages, roundTrips);
  await raw.terminate();
  if (parts.includes('speedup')) await speedups();
  if (parts.includes('start')) {
    const starts: Array<{ ours: number; raw: number }> = [];
    for (let i = 0; i < 5; i++) starts.push(await startMs());
    const best = (k: 'ours' | 'raw'): number => Math.min(...starts.map((s) => s[k]));
    printFigure({ bench: 'threads', metric: 'start a thread + spawn on it, ms to the first message handled (best of 5; baseline: bare Worker answering its first message)', value: best('ours'), baseline: best('raw'), target: '< 50 ms' });
  }
}

async function messaging(raw: Worker, messages: number, roundTrips: number): Promise<void> {
  const sched = new Scheduler();
  const threads = await Threads.start({ count: 1, scheduler: sched });
  const sink = (await spawnOn(threads, WORK, 'sink')) as RemoteCoro;
  const doubler = (await spawnOn(threads, WORK, 'doubler')) as RemoteCoro;

  // Round trips first (before the one-way bursts leave garbage behind), in alternating rounds, so
  // that both sides see the same machine.
  // Warm both up well: the runtime's deeper paths need thousands of calls before the JIT has them.
  await ourRoundTrips(doubler, 5000);
  await rawRoundTrips(raw, 5000);
  const ourTimes: number[] = [], rawTimes: number[] = [];
  const round = Math.max(1, Math.floor(roundTrips / 10));
  for (let r = 0; r < 10; r++) {
    ourTimes.push(...(await ourRoundTrips(doubler, round)));
    rawTimes.push(...(await rawRoundTrips(raw, round)));
  }
  ourTimes.sort((a, b) => a - b);
  rawTimes.sort((a, b) => a - b);
  printFigure({ bench: 'threads', metric: 'ask round trip to a thread, mean µs (baseline: raw MessagePort request/reply)', value: mean(ourTimes), baseline: mean(rawTimes), target: '<= 1.3' });
  printFigure({ bench: 'threads', metric: 'ask round trip to a thread, median µs (baseline: raw MessagePort request/reply)', value: median(ourTimes), baseline: median(rawTimes) });

  const make = MESSAGES['small object']!;
  await ourOneWay(sched, sink, 20_000, make);
  await rawOneWay(raw, 20_000, make, 'clone', true);
  await rawOneWay(raw, 20_000, make, 'clone');
  let ours = 0, consumed = 0, counted = 0;
  for (let r = 0; r < 5; r++) {
    ours = Math.max(ours, await ourOneWay(sched, sink, messages, make));
    consumed = Math.max(consumed, await rawOneWay(raw, messages, make, 'clone', true));
    counted = Math.max(counted, await rawOneWay(raw, messages, make, 'clone'));
  }
  printFigure({ bench: 'threads', metric: `one-way to a coroutine on a thread, bursts of ${BURST}, msgs/s (baseline: raw MessagePort, same batching, each message handed to an async consumer by a hand-rolled mailbox)`, value: ours, baseline: consumed, target: '>= 0.8' });
  printFigure({ bench: 'threads', metric: `one-way to a coroutine on a thread, bursts of ${BURST}, msgs/s (baseline: raw MessagePort, same batching, the receiver only counts)`, value: ours, baseline: counted });
  await threads.stop();
  await sched.terminate();
}

async function speedups(): Promise<void> {
  const cores = os.availableParallelism();
  // Each time the least disturbed (shortest) of 3 runs: the machine is shared.
  const shortest = async (run: () => Promise<number>): Promise<number> => Math.min(await run(), await run(), await run());
  const [rows, width, maxIter] = [1200, 1200, 500];
  const one = await shortest(() => mandelbrotSeconds(1, rows, width, maxIter, 48));
  for (const n of [...new Set([2, cores])]) {
    const many = await shortest(() => mandelbrotSeconds(n, rows, width, maxIter, 48));
    printFigure({ bench: 'threads', metric: `speed-up, Mandelbrot ${rows}x${width} rows on ${n} threads${n === cores ? ' (os.availableParallelism())' : ''} (baseline: the same rows on 1 thread; shortest of 3 runs each)`, value: one / many, baseline: 1, target: n === 2 ? '>= 1.7' : undefined });
  }
  const [hoods, actors, pings] = [8, 200, 400];
  const bigOne = await shortest(() => bigSeconds(1, hoods, actors, pings));
  for (const n of [...new Set([2, cores])]) {
    const bigMany = await shortest(() => bigSeconds(n, hoods, actors, pings));
    printFigure({ bench: 'threads', metric: `speed-up, Savina Big (${hoods} neighbourhoods x ${actors} actors x ${pings} pings) on ${n} threads${n === cores ? ' (os.availableParallelism())' : ''} (baseline: the same neighbourhoods on 1 thread; shortest of 3 runs each)`, value: bigOne / bigMany, baseline: 1, target: n === 2 ? '>= 1.7' : undefined });
  }
}

if (isMain(import.meta.url)) await run(Number(process.argv[2] ?? 300_000), Number(process.argv[3] ?? 5000), process.argv.length > 4 ? process.argv.slice(4) : PARTS);
