/**
 * Threads started ahead of need: a spare boots a worker and loads the runtime (most of what
 * starting a thread costs: a fresh V8 isolate compiles every module), then waits. When a thread of
 * the group is lost, its replacement takes a warm spare instead of starting cold, and a new spare
 * starts once the replacement is up. A spare that ends while it waits (it failed to start: the
 * same code a thread runs) turns the spares off: lost threads are then replaced cold, and the
 * group's Supervisor judges them as before.
 * @module
 */
import type { ResourceLimits } from 'node:worker_threads';
import type { MonitorTarget } from '../../runtime/coroTypes.js';
import type { Logger } from '../../runtime/logging.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import { ThreadExit, WorkerThread } from '../../transports/io/WorkerThread.js';
import type { SpareData } from './threadProtocol.js';

/** One spare: its thread, and whether the runtime is loaded there yet. */
class Spare implements MonitorTarget {
  warm = false;
  readonly unwatch: () => void;

  constructor(
    private readonly pool: ThreadSpares,
    readonly thread: WorkerThread,
  ) {
    thread.messagesTo(this);
    this.unwatch = thread.notify(this);
  }

  /** What the thread posts while it is a spare (it says warm), and its exit. */
  send(message: unknown): boolean {
    if (message instanceof ThreadExit) this.pool.lost(this, message);
    else if ((message as { kind?: unknown } | null)?.kind === 'warm') this.warm = true;
    return true;
  }
}

/**
 * The spares of one group.
 * @example
 * ```ts
 * const spares = new ThreadSpares(1, sched, new URL('./threadMain.js', import.meta.url), { resourceLimits: undefined, name: 'ab12cd34', logger: sched.logger });
 * spares.start();
 * const thread = spares.take(); // a warm WorkerThread, or undefined
 * ```
 */
export class ThreadSpares {
  private readonly spares = new Set<Spare>();
  private state: 'idle' | 'keeping' | 'stopped' = 'idle';

  constructor(
    /** How many to keep. */
    private readonly count: number,
    private readonly scheduler: Scheduler,
    private readonly entry: URL,
    private readonly options: { readonly resourceLimits: ResourceLimits | undefined; readonly name: string; readonly logger: Logger },
  ) {}

  /** Spares whose runtime is loaded now (they take a place at once). */
  get warm(): number {
    let n = 0;
    for (const s of this.spares) if (s.warm) n++;
    return n;
  }

  /** From now on keeps `count` spares (the group's threads run: the spares do not slow their start). */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'keeping';
    this.fill();
  }

  /** Starts spares until there are `count` (warm or starting), once started. */
  fill(): void {
    const data: SpareData = { spare: true };
    while (this.state === 'keeping' && this.spares.size < this.count) {
      const thread = WorkerThread.start(this.scheduler, this.entry, { data, resourceLimits: this.options.resourceLimits, name: `spare.${this.options.name}` });
      this.spares.add(new Spare(this, thread));
    }
  }

  /**
   * A warm spare, no longer the pool's: what it posts and its exit are for the caller to watch
   * (`messagesTo`, `notify`). Undefined when none is warm. The pool starts another on `fill()`.
   */
  take(): WorkerThread | undefined {
    for (const spare of this.spares) {
      if (!spare.warm || spare.thread.exit !== undefined) continue;
      this.spares.delete(spare);
      spare.unwatch();
      spare.thread.messagesTo(undefined);
      return spare.thread;
    }
    return undefined;
  }

  /** Ends every spare; no more start. */
  stop(): void {
    this.state = 'stopped';
    for (const spare of this.spares) {
      spare.unwatch();
      spare.thread.terminate();
    }
    this.spares.clear();
  }

  /**
   * @internal A spare ended while it waited (it did not start, or something ended it): the spares
   * are turned off rather than started again and again.
   */
  lost(spare: Spare, exit: ThreadExit): void {
    if (!this.spares.delete(spare) || this.state === 'stopped') return;
    this.stop();
    const why = spare.warm ? 'a spare thread ended while it waited' : 'a spare thread did not start';
    this.options.logger.warn({ err: exit.error, code: exit.code, group: this.options.name }, `${why}: lost threads are replaced cold from now on`);
  }
}
