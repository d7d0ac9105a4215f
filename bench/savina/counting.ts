/**
 * Savina Counting: a producer sends `count` increments to a counter actor, then asks it for the
 * total, which the counter sends back.
 * @module
 */
import { Scheduler, type Coro } from '../../index.js';
import { BaselineMailbox } from '../baselineMailbox.js';
import type { Workload } from './workload.js';

interface Params {
  count: number;
}

/** The question "how many?", with where to send the answer. */
class Retrieve<R> {
  constructor(readonly replyTo: R) {}
}

async function asyncoro({ count }: Params): Promise<number> {
  const sched = new Scheduler();
  const counter = sched.spawn(async (coro: Coro<number | Retrieve<Coro<number>>>) => {
    let total = 0;
    for (;;) {
      const m = await coro.receive();
      if (typeof m === 'number') total += m;
      else return void m.replyTo.send(total);
    }
  });
  const producer = sched.spawn(async (coro: Coro<number, number>) => {
    for (let i = 0; i < count; i++) counter.send(1);
    counter.send(new Retrieve(coro));
    return coro.receive();
  });
  await sched.join();
  const total = await producer.value();
  await sched.terminate();
  return total;
}

async function handRolled({ count }: Params): Promise<number> {
  const counterBox = new BaselineMailbox<number | Retrieve<BaselineMailbox<number>>>();
  const producerBox = new BaselineMailbox<number>();
  const counter = (async () => {
    let total = 0;
    for (;;) {
      const m = await counterBox.receive();
      if (typeof m === 'number') total += m;
      else return void m.replyTo.send(total);
    }
  })();
  const producer = (async () => {
    for (let i = 0; i < count; i++) counterBox.send(1);
    counterBox.send(new Retrieve(producerBox));
    return producerBox.receive();
  })();
  await counter;
  return producer;
}

/** Counting: `count` messages into one mailbox, then one request/reply. */
export const counting: Workload<Params> = {
  name: 'counting',
  about: '1 producer, 1 counter',
  smoke: { count: 5_000 },
  full: { count: 1_000_000 },
  asyncoro,
  handRolled,
};
