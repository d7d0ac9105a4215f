/**
 * A pool of worker threads for CPU-bound functions, the Node counterpart of
 * asyncoro's AsyncThreadPool.
 * @module
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { checkCount, checkWaitOptions } from '../../runtime/options.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import { PoolClosedError, PoolFullError, WorkerCrashedError, WorkerTaskError } from './ioErrors.js';
import type { TaskMessage } from './workerEntry.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';
import { TIMED_OUT, within } from '../../runtime/within.js';

/**
 * What to run: an exported function of a module (imported once per worker), or a
 * self-contained function (its source is compiled in the worker, so it must not use variables
 * from its surroundings).
 */
export type PoolTask = { module: string | URL; name?: string } | ((...args: any[]) => unknown);

/**
 * Options of a pool.
 * @example
 * ```ts
 * new WorkerPool({ size: 2, maxQueue: 100 });
 * ```
 */
export interface WorkerPoolOptions {
  /** Worker threads; default `os.availableParallelism()`. */
  size?: number;
  /** Most tasks waiting for a worker; `run` beyond it throws PoolFullError. Default 10,000. */
  maxQueue?: number;
  scheduler?: Scheduler;
}

interface Slot {
  worker: Worker;
  task: Wait<unknown> | undefined;
}

const entry = new URL('./workerEntry.js', import.meta.url);

/**
 * Runs functions on worker threads so that they do not block the scheduler. Arguments and
 * results are copied (structured clone). A task that throws rejects with WorkerTaskError; a
 * worker that dies fails its task with WorkerCrashedError and is replaced. A queued task that
 * times out or is cancelled is dropped; a running one is stopped by terminating its worker,
 * which is then replaced.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool({ size: 2 });
 * const n = await pool.run((x: number) => { let s = 0; for (let i = 0; i < x; i++) s += i; return s; }, [1e7], { coro });
 * await pool.close();
 * ```
 */
export class WorkerPool {
  readonly size: number;
  private readonly maxQueue: number;
  private readonly scheduler: Scheduler;
  private readonly slots: Slot[] = [];
  private readonly queue = new WaiterQueue();
  private nextId = 1;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private drained: (() => void) | undefined;

  constructor(options: WorkerPoolOptions = {}) {
    this.size = checkCount(options.size ?? os.availableParallelism(), 'size', 1);
    this.maxQueue = checkCount(options.maxQueue ?? 10_000, 'maxQueue');
    this.scheduler = options.scheduler ?? Scheduler.default();
    for (let i = 0; i < this.size; i++) this.slots.push(this.startWorker());
  }

  /** Tasks waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Tasks running now. */
  get running(): number {
    return this.slots.filter((s) => s.task !== undefined).length;
  }

  /**
   * Runs `task(...args)` on a worker and resolves with its result.
   * @example
   * ```ts
   * await pool.run({ module: new URL('./hash.js', import.meta.url), name: 'sha256' }, [data], { timeout: 5000 });
   * ```
   */
  run(task: PoolTask, args: unknown[] = [], options?: ActingWaitOptions): Promise<unknown> {
    if (this.state !== 'open') return Promise.reject(new PoolClosedError('the pool is closed'));
    let message: TaskMessage;
    let timeout: number;
    try {
      message = this.describe(task, args);
      timeout = checkWaitOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.queue.length >= this.maxQueue) return Promise.reject(new PoolFullError(`the pool's queue holds ${this.maxQueue} tasks`));
    const sched = options?.coro?.scheduler ?? this.scheduler;
    const wait = new Wait<unknown>(sched, sched.actor(options?.coro), WaitKind.Other);
    wait.throwOnTimeout = true;
    wait.data = message;
    wait.onCancel = () => this.cancelRunning(wait);
    this.queue.push(wait);
    const result = wait.start(timeout, options?.signal);
    this.dispatch();
    return result;
  }

  /**
   * Stops taking tasks, waits (up to `timeout` ms) for the queued and running ones, then stops the
   * workers. Resolves true when every task finished, false when the timeout passed first (the
   * rest then fail with PoolClosedError); an aborted signal rejects, after stopping the workers.
   * @example
   * ```ts
   * if (!(await pool.close({ timeout: 5000 }))) log('tasks were cut short');
   * ```
   */
  async close(options?: ActingWaitOptions): Promise<boolean> {
    if (this.state === 'closed') return true;
    this.state = 'closing';
    if (this.queue.length === 0 && this.running === 0) {
      await this.terminate();
      return true;
    }
    const done = new Promise<void>((r) => (this.drained = r));
    try {
      return (await within(this.scheduler, done, options)) !== TIMED_OUT;
    } finally {
      await this.terminate(); // after a timeout or an abort too: what is left fails with PoolClosedError
    }
  }

  /**
   * Stops every worker at once; queued and running tasks fail with PoolClosedError.
   * @example
   * ```ts
   * await pool.terminate();
   * ```
   */
  async terminate(): Promise<void> {
    this.state = 'closed';
    const error = new PoolClosedError('the pool was terminated');
    for (const w of this.queue.drain()) w.fail(error);
    const slots = this.slots.splice(0);
    for (const s of slots) s.task?.fail(error);
    await Promise.all(slots.map((s) => s.worker.terminate()));
    this.drained?.();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private describe(task: PoolTask, args: unknown[]): TaskMessage {
    if (!Array.isArray(args)) throw new InvalidArgumentError('args must be an array');
    const id = this.nextId++;
    if (typeof task === 'function') return { id, source: task.toString(), args };
    if (task !== null && typeof task === 'object' && (typeof task.module === 'string' || task.module instanceof URL)) {
      const href = task.module instanceof URL ? task.module.href : /^[a-z]+:/i.test(task.module) ? task.module : pathToFileURL(task.module).href;
      return { id, module: href, name: task.name, args };
    }
    throw new InvalidArgumentError('task must be a function or { module, name }');
  }

  private startWorker(): Slot {
    const slot: Slot = { worker: new Worker(entry), task: undefined };
    slot.worker.unref(); // an idle pool must not keep the process alive
    slot.worker.on('message', (reply: { id: number; ok: boolean; value?: unknown; error?: { name: string; message: string; stack?: string } }) => {
      const wait = slot.task;
      if (wait === undefined || (wait.data as TaskMessage).id !== reply.id) return;
      this.finishTask(slot);
      if (reply.ok) wait.wake(reply.value);
      else {
        const err = new WorkerTaskError(`${reply.error!.name}: ${reply.error!.message}`);
        err.remoteName = reply.error!.name;
        err.remoteStack = reply.error!.stack;
        wait.fail(err);
      }
      this.dispatch();
    });
    slot.worker.on('error', (err) => this.replace(slot, new WorkerCrashedError(`worker crashed: ${err.message}`, { cause: err })));
    slot.worker.on('exit', (code) => this.replace(slot, new WorkerCrashedError(`worker exited with code ${code}`)));
    return slot;
  }

  /** A worker died: fail its task and start another in its place. */
  private replace(slot: Slot, error: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    const wait = slot.task;
    this.finishTask(slot);
    wait?.fail(error);
    if (this.state === 'closed') return;
    this.slots[i] = this.startWorker();
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.task !== undefined) continue;
      const wait = this.queue.shift();
      if (wait === undefined) break;
      slot.task = wait;
      slot.worker.ref();
      slot.worker.postMessage(wait.data);
    }
    if (this.state === 'closing' && this.queue.length === 0 && this.running === 0) this.drained?.();
  }

  private finishTask(slot: Slot): void {
    slot.task = undefined;
    slot.worker.unref();
  }

  /** A running task whose caller gave up: stop its worker (a thread cannot be interrupted otherwise). */
  private cancelRunning(wait: Wait<unknown>): void {
    const i = this.slots.findIndex((s) => s.task === wait);
    if (i < 0) return;
    const old = this.slots[i]!;
    old.task = undefined;
    // A fresh worker takes the slot now: the old one is still stopping and must get no task.
    this.slots[i] = this.startWorker();
    void old.worker.terminate();
    queueMicrotask(() => this.dispatch());
  }
}
