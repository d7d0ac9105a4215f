/**
 * Port of asyncoro's tut_channel.py: two subscribers of a channel compute the
 * sum and the product of the numbers broadcast on it; `null` ends them.
 *
 * Run: `node dist/examples/tut_channel.js [n1 n2 ...]` (default 1 2 3 4 → sum 10, prod 24).
 */
import { Channel, spawn, type Coro } from '../index.js';
import { isMain } from './util.js';

type Msg = number | null;

async function seqsum(coro: Coro<Msg>, channel: Channel<Msg>): Promise<void> {
  await channel.subscribe(coro);
  let sum = 0;
  for (let n = await coro.receive(); n !== null; n = await coro.receive()) sum += n;
  await channel.unsubscribe(coro);
  console.log(`sum: ${sum}`);
}

async function seqprod(coro: Coro<Msg>, channel: Channel<Msg>): Promise<void> {
  await channel.subscribe(coro);
  let prod = 1;
  for (let n = await coro.receive(); n !== null; n = await coro.receive()) prod *= n;
  await channel.unsubscribe(coro);
  console.log(`prod: ${prod}`);
}

/** Broadcasts `numbers` then `null`; resolves when both subscribers have printed. */
export async function main(numbers: number[] = [1, 2, 3, 4]): Promise<void> {
  const channel = new Channel<Msg>('sum_prod');
  const subscribers = [spawn(seqsum, channel), spawn(seqprod, channel)];
  const sender = spawn(async (coro: Coro) => {
    // deliver with n = 2 waits until both subscribers have subscribed
    await channel.deliver(numbers[0]!, { n: 2, coro });
    console.log(`sent ${numbers[0]}`);
    for (const n of numbers.slice(1)) {
      channel.send(n);
      console.log(`sent ${n}`);
      await coro.sleep(0);
    }
    channel.send(null);
  });
  await sender.finish();
  await Promise.all(subscribers.map((c) => c.finish()));
  channel.close();
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2).map(Number);
  void main(args.length > 0 ? args : undefined);
}
