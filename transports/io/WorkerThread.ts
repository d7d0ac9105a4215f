/**
 * One worker thread as a runtime primitive: started from a module with its data and the ports
 * handed to it, it reports what it posts and how it ended as messages to coroutines (as monitors
 * do), and `join({ timeout, signal })` waits for its end like any other blocking call. The
 * `worker_threads` boundary lives here; what runs on the thread is the caller's business.
 * @module
 */
import { Worker, type ResourceLimits, type Transferable } from 'node:worker_threads';
import type { ActingWaitOptions, MonitorTarget } from '../../runtime/coroTypes.js';
import { checkWaitOptions } from '../../runtime/options.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';

/**
 * How a thread ended: its exit code and, when it failed (an uncaught exception, running out of
 * memory, a module that did not load), the error.
 * @example
 * ```ts
 * const end = thread.exit; // a ThreadExit once it has ended
 * if (end?.error !== undefined) log(end.error.message);
 * ```
 */
export class ThreadExit {
  constructor(
    readonly threadId: number,
    readonly code: number,
    readonly error: Error | undefined,
  ) {}

  toString(): string {
    return `ThreadExit(thread ${this.threadId}, code ${this.code}${this.error === undefined ? '' : `, ${this.error.message}`})`;
  }
}

/**
 * How to start a thread.
 * @example
 * ```ts
 * const options: WorkerThreadOptions = { data: { index: 1 }, resourceLimits: { maxOldGenerationSizeMb: 64 } };
 * ```
 */
export interface WorkerThreadOptions {
  /** Given to the thread as `workerData` (structured clone; ports in it must be in `transfer`). */
  data?: unknown;
  /** Moved to the thread, not copied (MessagePorts, ArrayBuffers). */
  transfer?: readonly Transferable[];
  /** Heap limits; a thread that exceeds them ends with ERR_WORKER_OUT_OF_MEMORY. */
  resourceLimits?: ResourceLimits;
  /** Receives every message the thread posts to its parent port. */
  messages?: MonitorTarget;
  /** For stack traces and inspectors. */
  name?: string;
}

/**
 * A running (or ended) worker thread. It does not keep the process alive by itself.
 * @example
 * ```ts
 * const thread = WorkerThread.start(sched, new URL('./entry.js', import.meta.url), { data: { n: 1 } });
 * thread.post({ stop: true });
 * if (!(await thread.join({ timeout: 1000 }))) await thread.terminate();
 * ```
 */
export class WorkerThread {
  readonly threadId: number;
  private readonly worker: Worker;
  private ended: ThreadExit | undefined;
  private failure: Error | undefined;
  private readonly joiners = new WaiterQueue();
  private readonly watchers = new Set<MonitorTarget>();
  private messages: MonitorTarget | undefined;

  private constructor(
    private readonly scheduler: Scheduler,
    entry: URL,
    options: WorkerThreadOptions,
  ) {
    this.worker = new Worker(entry, {
      workerData: options.data,
      transferList: options.transfer === undefined ? undefined : [...options.transfer],
      resourceLimits: options.resourceLimits,
      name: options.name,
    });
    this.threadId = this.worker.threadId;
    this.worker.unref();
    this.messages = options.messages;
    this.worker.on('message', (m: unknown) => void this.messages?.send(m));
    // 'error' comes before 'exit' for a thread that failed: keep it for the exit status.
    this.worker.on('error', (err) => void (this.failure ??= err));
    this.worker.on('exit', (code) => this.onExit(code));
  }

  /**
   * Starts a thread running the module `entry`. Throws InvalidArgumentError for a bad entry or
   * options (the thread failing later is reported by its exit).
   */
  static start(scheduler: Scheduler, entry: URL, options: WorkerThreadOptions = {}): WorkerThread {
    if (!(entry instanceof URL)) throw new InvalidArgumentError('a thread entry must be a URL');
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('thread options must be an object');
    if (options.messages !== undefined && typeof options.messages?.send !== 'function') throw new InvalidArgumentError('messages must be a coroutine (or anything with send)');
    return new WorkerThread(scheduler, entry, options);
  }

  /** How it ended; undefined while it runs. */
  get exit(): ThreadExit | undefined {
    return this.ended;
  }

  /** Posts a message to the thread's parent port; false once it has ended. */
  post(message: unknown, transfer?: readonly Transferable[]): boolean {
    if (this.ended !== undefined) return false;
    this.worker.postMessage(message, transfer === undefined ? undefined : [...transfer]);
    return true;
  }

  /**
   * From now on, what the thread posts goes to `target` (undefined: nowhere), as if it had been
   * given as `messages` (a thread started ahead of need changes hands). Throws InvalidArgumentError
   * for something without `send`.
   * @example
   * ```ts
   * thread.messagesTo(coro); // what it posts from now on goes to coro
   * thread.post({ kind: 'setup' });
   * ```
   */
  messagesTo(target: MonitorTarget | undefined): void {
    if (target !== undefined && (target === null || typeof target !== 'object' || typeof target.send !== 'function')) throw new InvalidArgumentError('messages must be a coroutine (or anything with send)');
    this.messages = target;
  }

  /**
   * `target` receives the ThreadExit once the thread ends (at once if it has). Returns a function
   * that removes it.
   */
  notify(target: MonitorTarget): () => void {
    if (target === null || typeof target !== 'object' || typeof target.send !== 'function') throw new InvalidArgumentError('notify needs a coroutine (or anything with send)');
    if (this.ended !== undefined) {
      target.send(this.ended);
      return () => undefined;
    }
    this.watchers.add(target);
    return () => void this.watchers.delete(target);
  }

  /** Resolves true once the thread has ended, false when `timeout` ms pass first; an aborted signal rejects. */
  join(options?: ActingWaitOptions): Promise<boolean> {
    const timeout = checkWaitOptions(options);
    if (this.ended !== undefined) return Promise.resolve(true);
    const wait = new Wait<boolean>(this.scheduler, this.scheduler.actor(options?.coro), WaitKind.Other);
    wait.alarm = false;
    wait.what = 'thread exit';
    this.joiners.push(wait);
    return wait.start(timeout, options?.signal);
  }

  /** Stops the thread at once, even in the middle of a busy loop; false if it had already ended. */
  terminate(): boolean {
    if (this.ended !== undefined) return false;
    void this.worker.terminate();
    return true;
  }

  /**
   * How busy its event loop has been since `previous` (or since it started): the share of time
   * spent running, 0 to 1.
   */
  utilization(previous?: { idle: number; active: number }): { idle: number; active: number; utilization: number } {
    if (this.ended !== undefined) return { idle: 0, active: 0, utilization: 0 };
    return this.worker.performance.eventLoopUtilization(previous as Parameters<typeof this.worker.performance.eventLoopUtilization>[0]);
  }

  /** Keeps the process alive while the thread runs (off by default). */
  ref(): void {
    this.worker.ref();
  }

  unref(): void {
    this.worker.unref();
  }

  private onExit(code: number): void {
    const end = (this.ended = new ThreadExit(this.threadId, code, this.failure));
    for (const w of this.joiners.drain()) w.wake(true);
    const watchers = [...this.watchers];
    this.watchers.clear();
    for (const target of watchers) target.send(end);
  }
}
