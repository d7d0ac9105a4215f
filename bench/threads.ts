/**
 * Worker threads as nodes, each figure against a baseline measured in the same run:
 * - how messages cross: structured clone of a turn's batch against the project's CBOR (the
 *   batch's messages encoded one by one, as the peer protocol does, in one transferred buffer),
 *   raw MessagePorts both, for typical messages;
 * - one-way messages/s from a coroutine here to one on a thread, against a raw MessagePort sender
 *   to the same thread with the same batching (one postMessage of the burst's messages per turn),
 *   each message handed to an async consumer there (and, as before, to a raw worker of its own);
 * - `ask` round trips to a coroutine on a thread, against a raw MessagePort request/reply to the
 *   same thread answered through a hand-rolled mailbox (and, as before, to a raw worker of its
 *   own answering in its handler);
 * - parallel speed-up over the same work on one thread: Mandelbrot rows, and Savina's Big
 *   (neighbourhoods of actors pinging random neighbours), on 2 threads and on
 *   `os.availableParallelism()`, steady and cold (bench/threadsSpeedup.ts);
 * - starting a thread and spawning on it, to the first message handled, cold and from a warm
 *   spare, against a bare Worker answering its first message (bench/threadsStart.ts).
 *
 * Run: `node dist/bench/threads.js [messages=300000] [roundTrips=5000] [crossing messages speedup start]`.
 * @module
 */
import { BroadcastChannel, Worker } from 'node:worker_threads';
import { Encoder } from 'cbor-x';
import { ask, Scheduler, spawnOn, spawnOnWith, Threads, type Coro, type RemoteCoro } from '../index.js';
import { isMain, printFigure, since } from './figure.js';
import { speedups } from './threadsSpeedup.js';
import { starts } from './threadsStart.js';
import { senderSide } from './threadsWire.js';

const WORK = new URL('./threadWork.js', import.meta.url);
const RAW = new URL('./threadsRaw.js', import.meta.url);
const SAME_THREAD = new URL('./threadChannelRaw.js', import.meta.url);
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

/**
 * Our sender: a coroutine here sends to a sink on a thread, BURST messages a turn of the event
 * loop, as the raw sender does (the link sends the first of a turn at once, the others at its end).
 */
async function ourOneWay(sched: Scheduler, sink: RemoteCoro, n: number, make: (i: number) => unknown): Promise<number> {
  const sender = sched.spawn(async (coro: Coro<number>) => {
    sink.send({ expect: n, reportTo: coro });
    const t0 = performance.now();
    for (let sent = 0; sent < n; ) {
      for (const end = Math.min(n, sent + BURST); sent < end; sent++) sink.send(make(sent));
      await turn();
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

/** Raw request/reply round trips over a port to the doubler's own thread (threadChannelRaw.ts), µs. */
async function channelRoundTrips(channel: BroadcastChannel, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const reply = new Promise((r) => (channel.onmessage = r));
    channel.postMessage({ id: i, n: i });
    await reply;
    times.push((performance.now() - t0) * 1000);
  }
  return times.sort((a, b) => a - b);
}

/**
 * A raw request/reply on the thread `doubler` runs on: a port (a BroadcastChannel, which Node
 * makes of a MessagePort) whose requests an async consumer there takes from a hand-rolled
 * mailbox and answers, as the doubler's coroutine receives them. On the same thread, both sides
 * of the figure run on the core the OS gives that thread (a separate raw worker may be given
 * another, and its wake-ups then take ~20 or ~60 µs for a whole run: the figure swung with it).
 */
async function sameThreadChannel(threads: Threads, kind: 'rawChannelEcho' | 'rawChannelSink'): Promise<{ channel: BroadcastChannel; stop(): void }> {
  const name = `threads-bench-${process.pid}-${performance.now()}`;
  const channel = new BroadcastChannel(name);
  const ready = new Promise((r) => (channel.onmessage = r));
  const echo = await spawnOnWith(threads, { thread: 1 }, SAME_THREAD, kind, name, true);
  await ready;
  return { channel, stop: () => (echo.send('stop'), channel.close()) };
}

/** The one-way baseline on the sink's own thread (threadChannelRaw.ts): BURST messages a turn, one postMessage each turn. */
async function channelOneWay(channel: BroadcastChannel, n: number, make: (i: number) => unknown): Promise<number> {
  const done = new Promise((r) => (channel.onmessage = r));
  channel.postMessage({ count: n });
  const t0 = performance.now();
  for (let sent = 0; sent < n; ) {
    const batch: unknown[] = [];
    for (const end = Math.min(n, sent + BURST); sent < end; sent++) batch.push(make(sent));
    channel.postMessage(batch);
    await turn();
  }
  await done;
  return n / since(t0);
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
  if (parts.includes('start')) await starts();
}

async function messaging(raw: Worker, messages: number, roundTrips: number): Promise<void> {
  const sched = new Scheduler();
  const threads = await Threads.start({ count: 1, scheduler: sched });
  const sink = (await spawnOn(threads, WORK, 'sink')) as RemoteCoro;
  const doubler = (await spawnOn(threads, WORK, 'doubler')) as RemoteCoro;

  // Round trips first (before the one-way bursts leave garbage behind), in alternating rounds, so
  // that both sides see the same machine.
  // Warm both up well: the runtime's deeper paths need thousands of calls before the JIT has them.
  const same = await sameThreadChannel(threads, 'rawChannelEcho');
  await ourRoundTrips(doubler, 5000);
  await channelRoundTrips(same.channel, 5000);
  await rawRoundTrips(raw, 5000);
  const ourTimes: number[] = [], sameTimes: number[] = [], rawTimes: number[] = [];
  const round = Math.max(1, Math.floor(roundTrips / 10));
  for (let r = 0; r < 10; r++) {
    ourTimes.push(...(await ourRoundTrips(doubler, round)));
    sameTimes.push(...(await channelRoundTrips(same.channel, round)));
    rawTimes.push(...(await rawRoundTrips(raw, round)));
  }
  same.stop();
  for (const times of [ourTimes, sameTimes, rawTimes]) times.sort((a, b) => a - b);
  const SAME = 'raw MessagePort request/reply to the same thread, each request taken by an async consumer from a hand-rolled mailbox';
  printFigure({ bench: 'threads', metric: `ask round trip to a thread, mean µs (baseline: ${SAME})`, value: mean(ourTimes), baseline: mean(sameTimes), target: '<= 1.3' });
  printFigure({ bench: 'threads', metric: `ask round trip to a thread, median µs (baseline: ${SAME})`, value: median(ourTimes), baseline: median(sameTimes), target: '<= 1.3' });
  printFigure({ bench: 'threads', metric: 'ask round trip to a thread, median µs (baseline: raw MessagePort request/reply to a worker of its own, answered in its handler)', value: median(ourTimes), baseline: median(rawTimes) });

  const make = MESSAGES['small object']!;
  const sameSink = await sameThreadChannel(threads, 'rawChannelSink');
  await ourOneWay(sched, sink, 20_000, make);
  await channelOneWay(sameSink.channel, 20_000, make);
  await rawOneWay(raw, 20_000, make, 'clone', true);
  await rawOneWay(raw, 20_000, make, 'clone');
  let ours = 0, sameThread = 0, consumed = 0, counted = 0;
  for (let r = 0; r < 5; r++) {
    ours = Math.max(ours, await ourOneWay(sched, sink, messages, make));
    sameThread = Math.max(sameThread, await channelOneWay(sameSink.channel, messages, make));
    consumed = Math.max(consumed, await rawOneWay(raw, messages, make, 'clone', true));
    counted = Math.max(counted, await rawOneWay(raw, messages, make, 'clone'));
  }
  sameSink.stop();
  printFigure({ bench: 'threads', metric: `one-way to a coroutine on a thread, bursts of ${BURST}, msgs/s (baseline: raw MessagePort to the same thread, same batching, each message handed to an async consumer by a hand-rolled mailbox)`, value: ours, baseline: sameThread, target: '>= 0.8' });
  printFigure({ bench: 'threads', metric: `one-way to a coroutine on a thread, bursts of ${BURST}, msgs/s (baseline: the same to a raw worker of its own)`, value: ours, baseline: consumed });
  printFigure({ bench: 'threads', metric: `one-way to a coroutine on a thread, bursts of ${BURST}, msgs/s (baseline: raw MessagePort to a worker of its own, same batching, the receiver only counts)`, value: ours, baseline: counted });
  await threads.stop();
  await sched.terminate();
}

if (isMain(import.meta.url)) await run(Number(process.argv[2] ?? 300_000), Number(process.argv[3] ?? 5000), process.argv.length > 4 ? process.argv.slice(4) : PARTS);
