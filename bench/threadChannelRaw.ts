/**
 * The raw baselines of `bench/threads.ts`'s `ask` and one-way figures, placed with `spawnOn` on
 * the thread the coroutines measured run on, so that both sides of a figure run on the same
 * thread and see the same core (a raw worker of its own may be given another, and a figure then
 * swung with it). They talk over a BroadcastChannel, which Node makes of a MessagePort. Their
 * own module, so that the start figures' placed module (threadWork.ts) imports no more than before.
 * @module
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { Coro } from '../index.js';
import { BaselineMailbox } from './baselineMailbox.js';

/**
 * Answers every `{ id, n }` posted on the BroadcastChannel `name` (which Node makes of a
 * MessagePort) with `{ id, n: n * 2 }`: in the channel's handler, or (`mailbox`) from an async
 * consumer that takes each request from the hand-rolled mailbox, as a coroutine receives it.
 * Posts 'ready' once listening; runs until sent anything.
 */
export async function rawChannelEcho(coro: Coro<unknown>, name: string, mailbox: boolean): Promise<void> {
  const channel = new BroadcastChannel(name);
  const requests = new BaselineMailbox<{ id: number; n: number }>();
  let open = true;
  channel.onmessage = (e) => {
    const m = (e as { data: { id: number; n: number } }).data;
    if (mailbox) requests.send(m);
    else channel.postMessage({ id: m.id, n: m.n * 2 });
  };
  if (mailbox) {
    void (async () => {
      while (open) {
        const m = await requests.receive();
        channel.postMessage({ id: m.id, n: m.n * 2 });
      }
    })();
  }
  channel.postMessage('ready');
  await coro.receive();
  open = false;
  channel.close();
}

/**
 * Counts the messages of the batches (arrays) posted on the BroadcastChannel `name`, each handed
 * to an async consumer through the hand-rolled mailbox (as a coroutine receives them); `{ count }`
 * starts a count, answered with the count once that many were consumed. Posts 'ready' once
 * listening; runs until sent anything.
 */
export async function rawChannelSink(coro: Coro<unknown>, name: string): Promise<void> {
  const channel = new BroadcastChannel(name);
  let box = new BaselineMailbox<unknown>();
  const consume = async (mailbox: BaselineMailbox<unknown>, n: number): Promise<void> => {
    for (let got = 0; got < n; ) if ((await mailbox.receive()) !== undefined) got++;
    channel.postMessage(n);
  };
  channel.onmessage = (e) => {
    const m = (e as { data: unknown }).data;
    if (Array.isArray(m)) for (const item of m) box.send(item);
    else if (typeof (m as { count?: unknown })?.count === 'number') void consume((box = new BaselineMailbox()), (m as { count: number }).count);
  };
  channel.postMessage('ready');
  await coro.receive();
  channel.close();
}
