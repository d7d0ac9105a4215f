/**
 * Placing coroutines on worker threads: `spawnOn(threads, moduleUrl, 'worker', ...args)` starts
 * a coroutine running that module's exported function on a thread of the group and resolves to
 * its address. The code is named, as RCI and discoro components name it: the module is imported
 * on the thread (once), nothing is shipped. The coroutine is watched from the start, so its
 * outcome is kept for `finish()`, and the thread it runs on knows how loaded it is.
 * @module
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Coro } from '../../runtime/Coro.js';
import type { ActingWaitOptions, MonitorTarget } from '../../runtime/coroTypes.js';
import { checkName, checkWaitOptions, describe } from '../../runtime/options.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { ProtocolError } from '../../transports/net/netErrors.js';
import { NoThreadError, ThreadFunctionError } from '../actorErrors.js';
import { HeldOutcome } from '../remote/HeldOutcome.js';
import { RciCoro } from '../remote/RciCoro.js';
import { RemoteCoro } from '../remote/RemoteCoro.js';
import { RemoteWatches } from '../remote/RemoteWatches.js';
import type { Placement } from './placement.js';
import { THREAD_SPAWN } from './threadProtocol.js';
import type { ThreadLife } from './ThreadSlot.js';
import type { Threads } from './Threads.js';

/** A coroutine function a thread can run: the new coroutine (any Coro type), then the caller's arguments. */
export type ThreadFunction = (coro: any, ...args: any[]) => unknown;
/** What a thread function's coroutine receives. */
export type MessageOf<F> = F extends (coro: Coro<infer M, any>, ...args: any[]) => unknown ? M : unknown;
/** What a thread function's coroutine returns. */
export type ResultOf<F> = F extends (...args: any[]) => infer R ? Awaited<R> : unknown;
/** The arguments of a thread function after its coroutine. */
export type ArgsOf<F> = F extends (coro: any, ...args: infer A) => unknown ? A : unknown[];

/**
 * Options of `spawnOnWith`: where (`thread`, `key` or `leastLoaded`, see Placement), the
 * coroutine's `name` (default: the export's), a `monitor` installed before it runs, and the
 * request's `timeout` (default: the network's requestTimeout), `signal` and acting `coro`.
 * @example
 * ```ts
 * const options: SpawnOnOptions = { key: 'user-42', monitor: me, timeout: 2000 };
 * ```
 */
export interface SpawnOnOptions extends ActingWaitOptions {
  thread?: number;
  key?: string | number;
  leastLoaded?: true;
  name?: string;
  monitor?: MonitorTarget;
}

/**
 * A coroutine placed on a thread: a remote coroutine reference (send, deliver, ask, monitor,
 * terminate) whose outcome is kept, so `finish()`/`value()` work even after it ended, and which
 * says which thread it runs on.
 * @example
 * ```ts
 * const placed = await spawnOn(threads, url, 'worker');
 * log(placed.thread, await placed.value());
 * ```
 */
export class ThreadCoro<M = unknown, R = unknown> extends RciCoro<M, R> {
  constructor(
    net: ConstructorParameters<typeof RciCoro>[0],
    ref: RemoteCoro<any, any>,
    outcome: HeldOutcome,
    /** The index of the thread it runs on. */
    readonly thread: number,
  ) {
    super(net, ref, outcome);
  }
}

/** Counts a placed coroutine on its thread's life until its outcome (or a failed start) comes. */
class Placed {
  private done = false;

  constructor(private readonly life: ThreadLife) {
    life.placed++;
  }

  settle(): void {
    if (!this.done) this.life.placed--;
    this.done = true;
  }
}

/**
 * Starts `module`'s export `name` as a coroutine on the least loaded thread of `threads`, with
 * `args`; resolves to its address once it runs. Rejects with ThreadFunctionError (naming the
 * module, the export and the thread) when the function cannot be loaded there, NoThreadError when
 * no thread runs, PeerLostError when its thread is lost meanwhile, TimeoutError, and
 * InvalidArgumentError for bad arguments. Type it by the function: `spawnOn<typeof worker>(...)`.
 * @example
 * ```ts
 * const worker = await spawnOn(threads, new URL('./work.js', import.meta.url), 'worker', 42);
 * ```
 */
export function spawnOn<F extends ThreadFunction = ThreadFunction>(threads: Threads, module: string | URL, name: string, ...args: ArgsOf<F>): Promise<ThreadCoro<MessageOf<F>, ResultOf<F>>> {
  return spawnOnWith<F>(threads, {}, module, name, ...args);
}

/**
 * `spawnOn` with options: placement (`{ thread: 2 }`, `{ key: 'user-42' }` — one key always lands
 * on one running thread —, or `{ leastLoaded: true }`), `name`, `monitor`, `timeout`, `signal`, `coro`.
 * Options come first, as in `spawnWith`, so that no argument is mistaken for them.
 * @example
 * ```ts
 * const counter = await spawnOnWith<typeof counterFn>(threads, { key: 'user-42' }, url, 'counter', 0);
 * ```
 */
export async function spawnOnWith<F extends ThreadFunction = ThreadFunction>(
  threads: Threads,
  options: SpawnOnOptions,
  module: string | URL,
  name: string,
  ...args: ArgsOf<F>
): Promise<ThreadCoro<MessageOf<F>, ResultOf<F>>> {
  if (threads === null || typeof threads !== 'object' || typeof threads.pick !== 'function') throw new InvalidArgumentError(`spawnOn needs a Threads group, got ${describe(threads)}`);
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`spawnOn options must be an object, got ${describe(options)}`);
  checkWaitOptions(options);
  const url = moduleUrl(module);
  checkName(name, 'export name');
  if (options.name !== undefined) checkName(options.name, 'coroutine name');
  const monitor = options.monitor;
  if (monitor !== undefined && (monitor === null || typeof monitor !== 'object' || typeof monitor.send !== 'function')) throw new InvalidArgumentError('monitor must be a coroutine or remote coroutine reference');
  const placement: Placement = threads.placement(options);
  const slot = threads.pick(placement);
  if (slot === undefined || slot.state !== 'up' || slot.peer === undefined) {
    throw new NoThreadError(!threads.isRunning ? 'the threads have stopped' : slot === undefined ? 'no thread is running' : `${slot.name} is not running (${slot.state})`);
  }
  const net = threads.network;
  const peer = slot.peer;
  const placed = new Placed(slot.life);
  const outcome = new HeldOutcome({ ended: () => placed.settle() }, monitor);
  const watches = RemoteWatches.of(net);
  // Watched before the request: the outcome (or the thread's loss) cannot be missed; it is held
  // until the reply names the coroutine, then delivered once.
  const subject = new RemoteCoro(net, slot.location, slot.incarnation, 0, options.name ?? name);
  const watchId = watches.add(peer, subject, outcome);
  let ref: unknown;
  try {
    const { timeout, signal, coro } = options;
    ref = await peer.request(THREAD_SPAWN, [slot.incarnation, url, name, args, watchId, options.name ?? null], { timeout: timeout ?? net.requestTimeout, signal, coro });
    if (!(ref instanceof RemoteCoro)) throw new ProtocolError('thread-spawn was answered without a coroutine reference');
  } catch (err) {
    watches.drop(watchId);
    outcome.startFailed(subject); // a lost thread is still told to the monitor
    placed.settle();
    // Raised on the thread, it arrives as a RemoteError with the code: give the caller the class.
    if (ThreadFunctionError.is(err) && !(err instanceof ThreadFunctionError)) throw new ThreadFunctionError((err as { remoteMessage?: string }).remoteMessage ?? (err as Error).message, { cause: err });
    throw err;
  }
  watches.setSubject(watchId, ref);
  outcome.bind(ref);
  return new ThreadCoro<MessageOf<F>, ResultOf<F>>(net, ref, outcome, slot.index);
}

/** A module as a URL the thread can import: a URL, a `file:`/`data:` URL string, or an absolute path. */
function moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module.length === 0) throw new InvalidArgumentError(`module must be a URL or an absolute path, got ${describe(module)}`);
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return new URL(module).href;
  if (!isAbsolute(module)) throw new InvalidArgumentError(`module must be a URL or an absolute path (use new URL('./x.js', import.meta.url)), got '${module.slice(0, 200)}'`);
  return pathToFileURL(module).href;
}
