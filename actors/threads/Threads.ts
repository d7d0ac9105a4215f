/**
 * All cores behind one API: a group of worker threads, each a node of the caller's network with
 * its own scheduler, linked to the caller and to one another by MessagePorts (no sockets, no
 * secret: the caller made every port). Coroutines are placed on them with `spawnOn`; `send`,
 * `ask`, monitors, `locate`, channels and RCI then work across threads as across processes. A
 * thread that is lost (it exited, threw at top level, ran out of memory, or froze) is lost like a
 * peer, and a Supervisor starts a new one in its place.
 * @module
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ResourceLimits } from 'node:worker_threads';
import type { Coro } from '../../runtime/Coro.js';
import type { MonitorStatus } from '../../runtime/MonitorStatus.js';
import type { ActingWaitOptions } from '../../runtime/coroTypes.js';
import { checkCount, checkWaitOptions, describe, type WaitOptions } from '../../runtime/options.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import type { SchedulerSnapshot } from '../../runtime/snapshotTypes.js';
import { TIMED_OUT, within } from '../../runtime/within.js';
import { newNodeId } from '../../transports/net/nodeIdentity.js';
import { ChildStartError, NoThreadError, ThreadStartError } from '../actorErrors.js';
import { Network } from '../remote/Network.js';
import { Supervisor } from '../Supervisor.js';
import { pick, placementOf, type Placement } from './placement.js';
import { listenOf, restartOf } from './groupOptions.js';
import { THREAD_SNAPSHOT, THREAD_TERMINATE } from './threadProtocol.js';
import { THREAD_ENTRY, ThreadSlot, type SlotGroup } from './ThreadSlot.js';
import { ThreadSpares } from './ThreadSpares.js';

/**
 * Options of `Threads.start`. Durations in ms.
 * @example
 * ```ts
 * const options: ThreadsOptions = { count: 4, resourceLimits: { maxOldGenerationSizeMb: 256 }, restart: { maxRestarts: 5, withinMs: 10_000 } };
 * ```
 */
export interface ThreadsOptions extends WaitOptions {
  /** How many threads (default `os.availableParallelism()`). */
  count?: number;
  /** The owner (default: the default scheduler); its network, or one started for the threads. */
  scheduler?: Scheduler;
  /** Heap limits of each thread; one that exceeds them is lost like a crashed peer. */
  resourceLimits?: ResourceLimits;
  /**
   * Whether each thread also listens on TCP, so that nodes on other hosts reach its coroutines
   * directly (default: when the owner's network listens; with its protection and addresses).
   */
  listen?: boolean;
  /**
   * Heartbeats, when the threads start their owner's network (an owner with a network keeps its
   * own: giving these then is InvalidArgumentError). A thread silent for `peerTimeout` is frozen.
   */
  heartbeatInterval?: number;
  peerTimeout?: number;
  /** Start a new thread in the place of a lost one, at most `maxRestarts` in `withinMs` (default 3 in 5 s); `false`: never. */
  restart?: false | { maxRestarts?: number; withinMs?: number };
  /**
   * Threads kept started ahead of need (default 0), the runtime loaded: a lost thread is replaced
   * by one of them at once (a few ms) instead of starting cold (~100 ms). Each costs an idle
   * thread's memory.
   */
  spares?: number;
}

/**
 * One thread of a group, as `threads.list()` reports it.
 * @example
 * ```ts
 * const t: ThreadInfo = threads.list()[0];
 * log(t.index, t.name, t.state, t.placed);
 * ```
 */
export interface ThreadInfo {
  index: number;
  name: string;
  /** `host:port` (port 0: it does not listen; only the nodes of this process reach it). */
  location: string;
  incarnation: string;
  state: 'starting' | 'up' | 'down';
  /** Coroutines placed there by `spawnOn` and still running. */
  placed: number;
  /** Threads started in this place so far (more than 1: it was replaced). */
  starts: number;
}

/**
 * A thread's scheduler at one moment (`threads.snapshot()`); null while it is not running.
 * @example
 * ```ts
 * for (const t of await threads.snapshot()) log(t.name, t.snapshot?.coroutines.length);
 * ```
 */
export interface ThreadSnapshot extends ThreadInfo {
  snapshot: SchedulerSnapshot | null;
}

/** Groups sharing a network the threads started: the last one to stop stops it. */
const SHARED = Symbol('threads sharing an owned network');

/**
 * A group of worker threads.
 * @example
 * ```ts
 * await using threads = await Threads.start({ count: 2 });
 * const counter = await spawnOnWith(threads, { key: 'user-42' }, new URL('./counter.js', import.meta.url), 'counter');
 * counter.send(1);
 * ```
 */
export class Threads implements AsyncDisposable {
  readonly scheduler: Scheduler;
  /** The owner's network: every thread is a peer of it. */
  readonly network: Network;
  private readonly slots: ThreadSlot[];
  private readonly supervisor: Supervisor;
  private state: 'running' | 'stopping' | 'stopped' = 'running';
  private stopping: Promise<boolean> | undefined;
  private dropExitHook: (() => void) | undefined;

  private constructor(
    scheduler: Scheduler,
    network: Network,
    slots: ThreadSlot[],
    supervisor: Supervisor,
    private readonly sharing: Set<Threads> | undefined,
    private readonly spareThreads: ThreadSpares | undefined,
  ) {
    this.scheduler = scheduler;
    this.network = network;
    this.slots = slots;
    this.supervisor = supervisor;
  }

  /**
   * Starts `count` threads and resolves once every one is running and linked; rejects with
   * ThreadStartError (after stopping the others) when one does not start within `timeout` ms
   * (default 10 s). Bad options reject with InvalidArgumentError. Without networking on the
   * owner, it starts a network of its own for the threads (no listener, no discovery).
   * @example
   * ```ts
   * const threads = await Threads.start({ count: 2 });
   * ```
   */
  static async start(options: ThreadsOptions = {}): Promise<Threads> {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`threads options must be an object, got ${describe(options)}`);
    const count = checkCount(options.count ?? os.availableParallelism(), 'count', 1);
    const startTimeout = checkWaitOptions({ timeout: options.timeout ?? 10_000, signal: options.signal });
    const sched = options.scheduler ?? Scheduler.default();
    if (!(sched instanceof Scheduler)) throw new InvalidArgumentError('scheduler must be a Scheduler');
    if (!sched.isRunning) throw new InvalidArgumentError('the scheduler has stopped');
    const restart = restartOf(options.restart);
    if (options.listen !== undefined && typeof options.listen !== 'boolean') throw new InvalidArgumentError(`listen must be a boolean, got ${describe(options.listen)}`);
    const spareCount = checkCount(options.spares ?? 0, 'spares');
    const group = randomBytes(4).toString('hex');
    let net = Network.of(sched);
    if (net !== undefined && (options.heartbeatInterval !== undefined || options.peerTimeout !== undefined)) {
      throw new InvalidArgumentError('the threads keep the heartbeats of their owner\'s network: set heartbeatInterval and peerTimeout in Network.start');
    }
    let sharing: Set<Threads> | undefined;
    if (net === undefined) {
      if (options.listen === true) throw new InvalidArgumentError('the threads cannot listen: their owner has no listening network (start Network first)');
      net = await Network.start(sched, {
        name: `main.${group}`,
        heartbeatInterval: options.heartbeatInterval,
        peerTimeout: options.peerTimeout,
        inProcess: { incarnation: newNodeId(), listen: false },
      });
      sharing = net.extension(SHARED, () => new Set<Threads>());
    } else if (net.options.inProcess !== undefined) sharing = net.extension(SHARED, () => new Set<Threads>());
    const slots = Array.from({ length: count }, (_, i) => new ThreadSlot(i + 1, `thread-${i + 1}.${group}`));
    const spares = spareCount === 0 ? undefined : new ThreadSpares(spareCount, sched, THREAD_ENTRY, { resourceLimits: options.resourceLimits, name: group, logger: net.logger });
    const shared: SlotGroup = { net, resourceLimits: options.resourceLimits, listen: listenOf(net, options.listen), slots, spares };
    const specs = slots.map((slot) => ({
      id: slot.name,
      start: (coro: Coro<any, void>, ready: () => void) => slot.keep(coro, shared, ready),
      restart: restart === undefined ? ('temporary' as const) : ('permanent' as const),
      ready: true,
      readyTimeout: startTimeout === Infinity ? undefined : startTimeout,
      shutdownTimeout: 0,
    }));
    // Every thread starts loading now; the Supervisor's keepers (started one after another) take them over.
    for (const slot of slots) slot.startEarly(shared);
    let supervisor: Supervisor;
    try {
      const starting = Supervisor.start(specs, { scheduler: sched, name: `threads.${group}`, strategy: 'one-for-one', ...(restart ?? {}) });
      // An aborted start stops what started meanwhile.
      const started = await within(sched, starting, { signal: options.signal }, (late) => void late.stop());
      if (started === TIMED_OUT) throw new ThreadStartError('the threads did not start'); // no timeout is given: cannot happen
      supervisor = started;
    } catch (err) {
      for (const slot of slots) slot.dropEarly();
      spares?.stop();
      if (sharing !== undefined && sharing.size === 0) await net.stop();
      if (ChildStartError.is(err)) throw new ThreadStartError(`a thread did not start: ${(err as Error).message}`, { cause: (err as Error).cause ?? err });
      throw err;
    }
    supervisor.coro?.setDaemon();
    const threads = new Threads(sched, net, slots, supervisor, sharing, spares);
    spares?.start();
    sharing?.add(threads);
    // Before the network's own exit hook (-1000): the threads say goodbye while it still runs.
    threads.dropExitHook = sched.atExit(() => threads.stop(), -100);
    // Past its restart intensity the Supervisor gives up: its threads are stopped, and so is the group.
    supervisor.coro?.notify({ passive: true, send: (status: unknown) => threads.gaveUp(status as MonitorStatus) });
    return threads;
  }

  /** How many threads the group has (running or being replaced). */
  get count(): number {
    return this.slots.length;
  }

  /** Spares ready to take the place of a lost thread now (warm: the runtime loaded). */
  get spares(): number {
    return this.spareThreads?.warm ?? 0;
  }

  /** True until `stop()` is called. */
  get isRunning(): boolean {
    return this.state === 'running';
  }

  /**
   * The threads now: index, name, location, incarnation, state, coroutines placed and running.
   * @example
   * ```ts
   * log(threads.list().map((t) => `${t.name} ${t.state}`));
   * ```
   */
  list(): ThreadInfo[] {
    return this.slots.map(infoOf);
  }

  /**
   * Every thread's `scheduler.snapshot()` (asked now, each bounded by `timeout`, default the
   * network's requestTimeout); null for a thread that is not running or did not answer in time.
   * @example
   * ```ts
   * const [first] = await threads.snapshot({ timeout: 1000 });
   * log(first.snapshot?.coroutines.map((c) => c.name));
   * ```
   */
  async snapshot(options?: ActingWaitOptions): Promise<ThreadSnapshot[]> {
    options?.signal?.throwIfAborted();
    const timeout = checkWaitOptions(options ?? { timeout: this.network.requestTimeout });
    return Promise.all(
      this.slots.map(async (slot) => {
        const info = infoOf(slot);
        const peer = slot.state === 'up' ? slot.peer : undefined;
        const asked = peer?.request(THREAD_SNAPSHOT, null, { timeout, signal: options?.signal, coro: options?.coro, alarm: null });
        // A thread lost meanwhile has no snapshot; an aborted call rejects, as every call does.
        const snapshot = (await asked?.catch((err: unknown) => (options?.signal?.aborted === true ? Promise.reject(err) : null))) ?? null;
        return { ...info, snapshot: snapshot as SchedulerSnapshot | null };
      }),
    );
  }

  /**
   * Terminates coroutine `id` on thread `thread` (as `snapshot()` lists them: its monitors hear
   * 'terminated'). Resolves true when it was running there, false when it had ended, or when the
   * thread is no longer the `incarnation` given (a coroutine of a lost thread ended with it).
   * Rejects with NoThreadError when that thread is not running, PeerLostError when it is lost
   * meanwhile, TimeoutError after `timeout` (default: the network's requestTimeout), and
   * InvalidArgumentError for bad arguments.
   * @example
   * ```ts
   * const [first] = await threads.snapshot();
   * const stuck = first.snapshot?.coroutines.find((c) => c.name === 'stuck');
   * if (stuck !== undefined) await threads.terminateOn(first.index, stuck.id, { incarnation: first.incarnation });
   * ```
   */
  async terminateOn(thread: number, id: number, options?: ActingWaitOptions & { incarnation?: string }): Promise<boolean> {
    if (!Number.isSafeInteger(thread) || thread < 1 || thread > this.slots.length) throw new InvalidArgumentError(`thread must be a thread of the group (1 to ${this.slots.length}), got ${describe(thread)}`);
    if (!Number.isSafeInteger(id) || id < 1) throw new InvalidArgumentError(`id must be a coroutine id (a positive integer), got ${describe(id)}`);
    const incarnation = options?.incarnation;
    if (incarnation !== undefined && typeof incarnation !== 'string') throw new InvalidArgumentError(`incarnation must be a string, got ${describe(incarnation)}`);
    const timeout = checkWaitOptions({ timeout: options?.timeout ?? this.network.requestTimeout, signal: options?.signal });
    const slot = this.slots[thread - 1]!;
    if (this.state !== 'running' || slot.state !== 'up' || slot.peer === undefined) throw new NoThreadError(`${slot.name} is not running (${slot.state})`);
    if (incarnation !== undefined && incarnation !== slot.incarnation) return false;
    const done = await slot.peer.request(THREAD_TERMINATE, [slot.incarnation, id], { timeout, signal: options?.signal, coro: options?.coro });
    return done === true;
  }

  /**
   * Stops every thread: its coroutines are terminated (monitors hear 'terminated'), it says
   * goodbye and ends. Resolves true once all have ended, false when `timeout` ms (default 5000)
   * pass first: those still running are then stopped at once. Idempotent.
   * @example
   * ```ts
   * await threads.stop({ timeout: 2000 });
   * ```
   */
  stop(options?: ActingWaitOptions): Promise<boolean> {
    checkWaitOptions(options);
    if (this.stopping !== undefined) return this.stopping.catch(() => true); // an aborted stop stopped them at once all the same
    return (this.stopping = this.shutdown(options));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** @internal The running thread a placement picks; undefined when none can take a coroutine. */
  pick(placement: Placement): ThreadSlot | undefined {
    return this.state === 'running' ? pick(this.slots, placement) : undefined;
  }

  /** @internal Validates the placement options of `spawnOnWith`. */
  placement(options: { thread?: unknown; key?: unknown; leastLoaded?: unknown }): Placement {
    return placementOf(options);
  }

  /** The Supervisor ended by itself (it gave up): the group is stopped. */
  private gaveUp(status: MonitorStatus): boolean {
    if (this.state !== 'running') return true;
    this.network.logger.error({ err: status.error, group: this.supervisor.coro?.name }, 'threads lost too often: the group gave up and stopped');
    void this.stop();
    return true;
  }

  private async shutdown(options: ActingWaitOptions | undefined): Promise<boolean> {
    this.state = 'stopping';
    this.dropExitHook?.();
    this.spareThreads?.stop();
    const threads = this.slots.flatMap((s) => s.thread ?? []);
    await this.supervisor.stop(); // each keeper asks its thread to stop
    const all = Promise.all(threads.map((t) => t.join()));
    let clean: boolean;
    try {
      clean = (await within(this.scheduler, all, options ?? { timeout: 5000 })) !== TIMED_OUT;
    } finally {
      for (const t of threads) t.terminate(); // whatever did not end in time (or an aborted stop)
      this.sharing?.delete(this);
      if (this.sharing?.size === 0 && this.network.options.inProcess !== undefined) await this.network.stop();
      this.state = 'stopped';
    }
    return clean;
  }
}

function infoOf(slot: ThreadSlot): ThreadInfo {
  return { index: slot.index, name: slot.name, location: String(slot.location), incarnation: slot.incarnation, state: slot.state, placed: slot.life.placed, starts: slot.starts };
}
