/**
 * Local messaging between two coroutines, each figure against a hand-rolled promise mailbox
 * measured in the same run: one-way send→receive (the sender yields every 256 messages, and
 * again with the sender awaiting after every send), and ping-pong without and with receive
 * timeouts armed.
 *
 * Run: `node dist/bench/messaging.js`.
 * @module
 */
import { Scheduler, type Coro } from '../index.js';
import { BaselineMailbox } from './baselineMailbox.js';
import { bestInterleaved, isMain, printFigure, since, sized, type Size } from './figure.js';

/** `every`: the sender yields after every `every` sends (a power of two). */
async function oneWayAsyncoro(n: number, every = 256): Promise<number> {
  const sched = new Scheduler();
  const start = performance.now();
  const mask = every - 1;
  const rx = sched.spawn(async (coro: Coro<number>) => {
    for (let i = 0; i < n; i++) await coro.receive();
  });
  sched.spawn(async (coro) => {
    for (let i = 0; i < n; i++) {
      rx.send(i);
      if ((i & mask) === mask) await coro.sleep(0); // a sender that yields now and then, like a real one
    }
  });
  await rx.finish();
  const rate = n / since(start);
  await sched.terminate();
  return rate;
}

async function oneWayBaseline(n: number, every = 256): Promise<number> {
  const box = new BaselineMailbox<number>();
  const start = performance.now();
  const mask = every - 1;
  const rx = (async () => {
    for (let i = 0; i < n; i++) await box.receive();
  })();
  await (async () => {
    for (let i = 0; i < n; i++) {
      box.send(i);
      if ((i & mask) === mask) await Promise.resolve();
    }
  })();
  await rx;
  return n / since(start);
}

/** Ping-pong; with `timeouts`, every receive has a 5 s timeout armed (and cancelled). */
async function pingPongAsyncoro(n: number, timeouts: boolean): Promise<number> {
  const sched = new Scheduler();
  const start = performance.now();
  const pong = sched.spawn(async (coro: Coro<Coro<number> | null>) => {
    for (;;) {
      const from = timeouts ? await coro.receive({ timeout: 5000, alarm: null }) : await coro.receive();
      if (from === null) return;
      from.send(1);
    }
  });
  const ping = sched.spawn(async (coro: Coro<number>) => {
    for (let i = 0; i < n; i++) {
      pong.send(coro);
      await (timeouts ? coro.receive({ timeout: 5000 }) : coro.receive());
    }
    pong.send(null);
  });
  await ping.finish();
  const rate = n / since(start);
  await sched.terminate();
  return rate;
}

async function pingPongBaseline(n: number): Promise<number> {
  const a = new BaselineMailbox<number>();
  const b = new BaselineMailbox<BaselineMailbox<number>>();
  const start = performance.now();
  const pong = (async () => {
    for (let i = 0; i < n; i++) {
      const from = await b.receive();
      from.send(1);
    }
  })();
  for (let i = 0; i < n; i++) {
    // The request carries its reply address, as the coroutine's does: the same work, and the
    // same kinds of values through the mailboxes (a twin passing only numbers kept V8's paths for
    // small integers, and the one-way figure after it compared a warmed number path with ours).
    b.send(a);
    await a.receive();
  }
  await pong;
  return n / since(start);
}

/** Prints the messaging figures. */
export async function run(size: Size = 'full'): Promise<void> {
  const n = sized(size, 20_000, 2_000_000);
  const reps = sized(size, 1, 5);
  await oneWayAsyncoro(n / 10);
  await oneWayBaseline(n / 10);
  await pingPongAsyncoro(n / 10, true);
  await pingPongBaseline(n / 10);
  const [oneWayBase, oneWay] = await bestInterleaved(reps, [() => oneWayBaseline(n), () => oneWayAsyncoro(n)]);
  printFigure({ bench: 'messaging', metric: 'one_way_msgs_per_s', value: oneWay!, baseline: oneWayBase, target: '>= 0.9 of baseline' });
  const [awaitEachBase, awaitEach] = await bestInterleaved(reps, [() => oneWayBaseline(n / 2, 1), () => oneWayAsyncoro(n / 2, 1)]);
  printFigure({ bench: 'messaging', metric: 'one_way_await_each_send_msgs_per_s', value: awaitEach!, baseline: awaitEachBase });
  const m = n / 2;
  const [ppBase, ppPlain, pp] = await bestInterleaved(reps, [() => pingPongBaseline(m), () => pingPongAsyncoro(m, false), () => pingPongAsyncoro(m, true)]);
  printFigure({ bench: 'messaging', metric: 'ping_pong_round_trips_per_s', value: ppPlain!, baseline: ppBase });
  printFigure({ bench: 'messaging', metric: 'ping_pong_round_trips_per_s_with_timeouts', value: pp!, baseline: ppBase, target: '>= 0.5 of baseline (no timeouts)' });
}

if (isMain(import.meta.url)) await run((process.env.BENCH_SIZE as Size) ?? 'full');
