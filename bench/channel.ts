/**
 * Channel fan-out: one channel broadcasting to 1,000 subscriber coroutines,
 * against sending the same messages to the 1,000 coroutines directly.
 *
 * Run: `node dist/bench/channel.js`.
 * @module
 */
import { Channel, Scheduler, type Coro } from '../index.js';
import { best, isMain, printFigure, since, sized, type Size } from './figure.js';

async function fanOut(subscribers: number, messages: number, viaChannel: boolean): Promise<number> {
  const sched = new Scheduler();
  const channel = new Channel<number>('fanout', { scheduler: sched });
  const subs = Array.from({ length: subscribers }, () =>
    sched.spawn(async (coro: Coro<number>) => {
      for (let i = 0; i < messages; i++) await coro.receive();
    }),
  );
  for (const s of subs) await channel.subscribe(s);
  const start = performance.now();
  const sender = sched.spawn(async (coro) => {
    for (let i = 0; i < messages; i++) {
      if (viaChannel) channel.send(i);
      else for (const s of subs) s.send(i);
      await coro.sleep(0);
    }
  });
  await sender.finish();
  await Promise.all(subs.map((s) => s.finish()));
  const rate = (subscribers * messages) / since(start);
  await sched.terminate();
  return rate;
}

/** Prints the channel figure: deliveries (message × subscriber) per second. */
export async function run(size: Size = 'full'): Promise<void> {
  const messages = sized(size, 10, 2000);
  const reps = sized(size, 1, 3);
  await fanOut(1000, messages / 10, true);
  const base = await best(reps, () => fanOut(1000, messages, false));
  const rate = await best(reps, () => fanOut(1000, messages, true));
  printFigure({ bench: 'channel', metric: 'fanout_1000_subscribers_deliveries_per_s', value: rate, baseline: base, target: 'close to direct sends' });
}

if (isMain(import.meta.url)) await run((process.env.BENCH_SIZE as Size) ?? 'full');
