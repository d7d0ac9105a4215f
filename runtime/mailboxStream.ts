/**
 * A stream of messages for `for await`, fed by whatever sends to a private daemon coroutine:
 * the shared machinery behind channel subscriptions and the network's peer-status stream.
 * @module
 */
import type { Coro } from './Coro.js';
import type { MailboxOptions } from './Mailbox.js';
import type { Scheduler } from './Scheduler.js';

/**
 * Options of a mailbox stream: a signal that ends it, and a bounded mailbox for slow loops.
 * @example
 * ```ts
 * const options: StreamOptions = { mailbox: { capacity: 100, overflow: 'drop-oldest' } };
 * ```
 */
export interface StreamOptions {
  signal?: AbortSignal;
  mailbox?: MailboxOptions;
}

/**
 * Spawns a daemon coroutine named `name`, lets `attach` hand it to a source (which sends to it
 * and returns how to detach), and yields what it receives, in order. Breaking out of the loop,
 * an aborted signal or an error detaches it and ends the coroutine.
 * @example
 * ```ts
 * for await (const status of mailboxStream<PeerStatus>(sched, 'peers', (c) => net.peerStatus(c))) log(status);
 * ```
 */
export async function* mailboxStream<M>(
  scheduler: Scheduler,
  name: string,
  attach: (coro: Coro<M>) => (() => unknown) | Promise<() => unknown>,
  options?: StreamOptions,
): AsyncGenerator<M, void, undefined> {
  const sink = scheduler.spawnWith({ daemon: true, name, mailbox: options?.mailbox }, async (coro: Coro<M>) => void (await coro.suspend()));
  let detach: (() => unknown) | undefined;
  try {
    detach = await attach(sink);
    yield* sink.messages({ signal: options?.signal });
  } finally {
    await detach?.();
    sink.terminate();
  }
}
