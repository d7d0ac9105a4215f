/**
 * Supervising coroutines that run on threads: `threadChild(...)` is the `start` of a ChildSpec
 * whose work runs on a thread of a group. The child itself is a small local coroutine that places
 * the work with `spawnOnWith`, hands it every message the child receives, and ends as it ends:
 * with its value, its error, or PeerLostError when its thread is lost. The Supervisor then starts
 * it again, and the placement picks a running thread: with a `key`, the key's thread while it
 * runs, another one while it is lost or being replaced.
 * @module
 */
import type { Coro } from '../../runtime/Coro.js';
import { MonitorStatus } from '../../runtime/MonitorStatus.js';
import { CoroTerminatedError } from '../../runtime/runtimeErrors.js';
import { spawnOnWith, type ArgsOf, type MessageOf, type ResultOf, type SpawnOnOptions, type ThreadFunction } from './spawnOn.js';
import type { Threads } from './Threads.js';

/**
 * The start function of a supervised child that runs `module`'s export `name` on a thread.
 * Messages sent to the child are handed on (in order); terminating the child terminates the
 * work. `options` place it (`thread`, `key` or `leastLoaded`) and bound the placing request.
 * @example
 * ```ts
 * const sup = await Supervisor.start([{ id: 'user-42', start: threadChild(threads, { key: 'user-42' }, url, 'session') }]);
 * sup.child('user-42')?.send({ op: 'login' });
 * ```
 */
export function threadChild<F extends ThreadFunction = ThreadFunction>(
  threads: Threads,
  options: Omit<SpawnOnOptions, 'monitor' | 'coro'>,
  module: string | URL,
  name: string,
  ...args: ArgsOf<F>
): (coro: Coro<MessageOf<F>, ResultOf<F>>) => Promise<ResultOf<F>> {
  return async (coro) => {
    const work = await spawnOnWith<F>(threads, { ...options, monitor: coro, coro }, module, name, ...args);
    let ended = false;
    try {
      for (;;) {
        const message: unknown = await coro.receive();
        if (!(message instanceof MonitorStatus) || !work.equals(message.coro)) {
          work.send(message as MessageOf<F>);
          continue;
        }
        ended = true;
        if (message.reason === 'finished') return message.value as ResultOf<F>;
        if (message.reason === 'terminated') throw new CoroTerminatedError(`${String(work)} was terminated`);
        throw message.error;
      }
    } finally {
      if (!ended) void Promise.resolve(work.terminate()).catch(() => undefined); // the child was stopped: so is its work
    }
  };
}
