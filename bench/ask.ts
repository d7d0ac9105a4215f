/**
 * Request/reply: local `ask` round trips (sequential, without and with a timeout armed) against a
 * hand-rolled promise request/reply over a minimal mailbox, measured in the same run. The
 * hand-rolled one fails nothing fast: a server that ends leaves its caller waiting forever, which
 * is what `ask` watches for on every call.
 *
 * Run: `node dist/bench/ask.js`.
 * @module
 */
import { ask, Scheduler, type Address, type Coro } from '../index.js';
import { BaselineMailbox } from './baselineMailbox.js';
import { isMain, printFigure, since, sized, type Size } from './figure.js';

type Request = { x: number; replyTo: Address<number> };

async function askRate(n: number, timeout: number | undefined): Promise<number> {
  const sched = new Scheduler();
  const server = sched.spawnWith({ daemon: true, name: 'squarer' }, async (coro: Coro<Request>) => {
    for (;;) {
      const { x, replyTo } = await coro.receive();
      replyTo.send(x * x);
    }
  });
  const options = timeout === undefined ? undefined : { timeout };
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < n; i++) sum += await ask(server, (replyTo) => ({ x: i & 1023, replyTo }), options);
  const rate = n / since(start);
  await sched.terminate();
  if (sum < 0) throw new Error('unreachable');
  return rate;
}

type BaselineRequest = { x: number; reply: (y: number) => void };

async function baselineRate(n: number): Promise<number> {
  const box = new BaselineMailbox<BaselineRequest>();
  let running = true;
  const server = (async () => {
    while (running) {
      const { x, reply } = await box.receive();
      reply(x * x);
    }
  })();
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < n; i++) sum += await new Promise<number>((reply) => box.send({ x: i & 1023, reply }));
  const rate = n / since(start);
  running = false;
  box.send({ x: 0, reply: () => undefined });
  await server;
  if (sum < 0) throw new Error('unreachable');
  return rate;
}

/** Prints the local ask figures. */
export async function run(size: Size = 'full'): Promise<void> {
  const n = sized(size, 20_000, 1_000_000);
  const reps = sized(size, 1, 5);
  await askRate(n / 10, undefined);
  await baselineRate(n / 10);
  // Interleaved rounds, best of each: the least disturbed run of both.
  let base = 0, plain = 0, timed = 0;
  for (let r = 0; r < reps; r++) {
    base = Math.max(base, await baselineRate(n));
    plain = Math.max(plain, await askRate(n, undefined));
    timed = Math.max(timed, await askRate(n, 5000));
  }
  printFigure({ bench: 'ask', metric: 'local_ask_round_trips_per_s', value: plain, baseline: base, target: '>= 0.5 of hand-rolled' });
  printFigure({ bench: 'ask', metric: 'local_ask_round_trips_per_s_with_timeout', value: timed, baseline: base, target: '>= 0.5 of hand-rolled' });
}

if (isMain(import.meta.url)) await run((process.env.BENCH_SIZE as Size) ?? 'full');
