/**
 * The `ask` figure's raw baseline in `bench/threads.ts`, placed with `spawnOn` on the thread the
 * doubler runs on, so that both sides of the figure run on the same thread and see the same core
 * (a raw worker of its own may be given another, and the figure then swung with it). Its own
 * module, so that the start figures' placed module (threadWork.ts) imports no more than before.
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
