/**
 * A module placed on threads by `bench/threadsStart.ts` that imports the package's index, as a
 * user's module importing from `asyncoro` does (and the README's example): a fresh thread loads
 * the index's modules at the first `spawnOn` of it. The doubler is `bench/threadWork.ts`'s.
 * @module
 */
import { ask, type Address, type Coro } from '../index.js';

/** Answers every `{ n, replyTo }` with n * 2 (`ask` is imported as a user's module would, for use). */
export async function doubler(coro: Coro<{ n: number; replyTo: Address<number> }>): Promise<void> {
  void ask;
  for (;;) {
    const { n, replyTo } = await coro.receive();
    replyTo.send(n * 2);
  }
}
