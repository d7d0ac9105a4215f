/**
 * A forked Node.js process with an IPC channel, as a runtime primitive (Erlang's port): it has one
 * owner, usually a coroutine, whose mailbox receives what the child sends (`ProcessMessage`) and,
 * once, how it ended (`ProcessExit`); `connect` hands it to another owner. Its end is also a wait
 * (`wait({ timeout, signal, coro })`), so nothing in the layers above listens to the child itself.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { checkWaitOptions, describe } from '../../runtime/options.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import type { ActingWaitOptions } from '../../runtime/coroTypes.js';
import type { ExitStatus } from './AsyncPipe.js';

/**
 * Where a forked process's messages go: a coroutine (or anything with `send`); `send` returning
 * false means the owner is gone and the message is dropped.
 * @example
 * ```ts
 * const owner: ProcessOwner = coro;
 * ```
 */
export interface ProcessOwner {
  send(message: unknown): boolean;
}

/**
 * Options of `ForkedProcess.fork`.
 * @example
 * ```ts
 * const options: ForkOptions = { owner: coro, env: { PATH: process.env.PATH }, serialization: 'advanced' };
 * ```
 */
export interface ForkOptions {
  /** Receives its `ProcessMessage`s and its `ProcessExit`. */
  owner: ProcessOwner;
  args?: string[];
  /** Its environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  execArgv?: string[];
  /** How IPC messages are encoded (default `advanced`: the structured clone algorithm). */
  serialization?: 'json' | 'advanced';
  /** Its stdout: this process's (default) or none. */
  stdout?: 'inherit' | 'ignore';
  /** The last `stderrTail` characters of its stderr are kept (default 600)... */
  stderrTail?: number;
  /** ...and it is copied to this process's stderr (default true). */
  forwardStderr?: boolean;
  scheduler?: Scheduler;
}

/**
 * What a forked process sent over its IPC channel, in its owner's mailbox.
 * @example
 * ```ts
 * const m = await coro.receive();
 * if (m instanceof ProcessMessage) log(m.process.pid, m.data);
 * ```
 */
export class ProcessMessage {
  constructor(
    readonly process: ForkedProcess,
    readonly data: unknown,
  ) {}
}

/**
 * How a forked process ended, in its owner's mailbox (once). `error` is set when it could not be
 * started at all (`code` and `signal` are then null).
 * @example
 * ```ts
 * const m = await coro.receive();
 * if (m instanceof ProcessExit) log(`${m.process} ended: code ${m.status.code}, signal ${m.status.signal}`);
 * ```
 */
export class ProcessExit {
  constructor(
    readonly process: ForkedProcess,
    readonly status: ExitStatus,
    readonly error?: Error,
  ) {}
}

/**
 * A forked process.
 * @example
 * ```ts
 * const child = ForkedProcess.fork('worker.js', { owner: coro });
 * child.send({ job: 1 });
 * const reply = await coro.receive({ filter: (m) => m instanceof ProcessMessage, timeout: 5000 });
 * child.kill();
 * await child.wait({ timeout: 2000 });
 * ```
 */
export class ForkedProcess implements AsyncDisposable {
  private ownedBy: ProcessOwner;
  private status: ExitStatus | undefined;
  private readonly exitWaiters = new WaiterQueue();
  private tail = '';

  private constructor(
    private readonly child: ChildProcess,
    owner: ProcessOwner,
    private readonly scheduler: Scheduler,
    tailLength: number,
    forward: boolean,
  ) {
    this.ownedBy = owner;
    child.stderr?.on('data', (d: Buffer) => {
      if (forward) process.stderr.write(d);
      if (tailLength > 0) this.tail = (this.tail + d.toString()).slice(-tailLength);
    });
    child.on('message', (data: unknown) => void this.ownedBy.send(new ProcessMessage(this, data)));
    // The exit is told once the IPC channel has closed too, so that every message the child sent
    // reaches the owner before its exit does.
    child.once('exit', (code, signal) => {
      if (child.connected) child.once('disconnect', () => this.ended({ code, signal }));
      else this.ended({ code, signal });
    });
    // A child that could not be spawned reports 'error' and no 'exit'; later errors (a send on a
    // closed channel) are followed by 'exit' or are answered by send() returning false.
    child.on('error', (err) => {
      if (child.pid === undefined) this.ended({ code: null, signal: null }, err);
    });
  }

  /**
   * Forks `module` (a path to a JavaScript file) with an IPC channel. Throws InvalidArgumentError
   * for bad options; a process that cannot be started ends at once (`ProcessExit` with `error`).
   * @example
   * ```ts
   * const child = ForkedProcess.fork(new URL('./server.js', import.meta.url).pathname, { owner: coro, args: ['--port', '0'] });
   * ```
   */
  static fork(module: string, options: ForkOptions): ForkedProcess {
    if (typeof module !== 'string' || module === '') throw new InvalidArgumentError(`fork needs a module path, got ${describe(module)}`);
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`fork options must be an object, got ${describe(options)}`);
    checkOwner(options.owner);
    if (options.args !== undefined && !(Array.isArray(options.args) && options.args.every((a) => typeof a === 'string'))) throw new InvalidArgumentError('args must be an array of strings');
    if (options.serialization !== undefined && options.serialization !== 'json' && options.serialization !== 'advanced') throw new InvalidArgumentError("serialization must be 'json' or 'advanced'");
    if (options.stdout !== undefined && options.stdout !== 'inherit' && options.stdout !== 'ignore') throw new InvalidArgumentError("stdout must be 'inherit' or 'ignore'");
    const tail = options.stderrTail ?? 600;
    if (!Number.isInteger(tail) || tail < 0) throw new InvalidArgumentError('stderrTail must be a non-negative integer');
    if (options.forwardStderr !== undefined && typeof options.forwardStderr !== 'boolean') throw new InvalidArgumentError('forwardStderr must be a boolean');
    if (options.scheduler !== undefined && !(options.scheduler instanceof Scheduler)) throw new InvalidArgumentError('scheduler must be a Scheduler');
    const child = fork(module, options.args ?? [], {
      env: options.env, cwd: options.cwd, execArgv: options.execArgv,
      serialization: options.serialization ?? 'advanced',
      stdio: ['ignore', options.stdout ?? 'inherit', 'pipe', 'ipc'],
    });
    return new ForkedProcess(child, options.owner, options.scheduler ?? Scheduler.default(), tail, options.forwardStderr ?? true);
  }

  /** Its process id (0 if it could not be started). */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Who receives its messages now. */
  get owner(): ProcessOwner {
    return this.ownedBy;
  }

  /** False once it has exited. */
  get isAlive(): boolean {
    return this.status === undefined;
  }

  /** How it ended; undefined while it runs. */
  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** The end of what it wrote to stderr (for the error when it fails). */
  get stderrTail(): string {
    return this.tail;
  }

  /**
   * Hands it to `owner`: its messages from now on, and its exit, go there (messages already
   * delivered stay with the previous owner).
   * @example
   * ```ts
   * spare.connect(serverCoro);
   * ```
   */
  connect(owner: ProcessOwner): void {
    checkOwner(owner);
    this.ownedBy = owner;
  }

  /**
   * Sends a message over its IPC channel; false once the channel has closed. Throws
   * InvalidArgumentError for a message the serialization cannot encode (nothing is sent).
   * @example
   * ```ts
   * child.send({ type: 'close', grace: 5000 });
   * ```
   */
  send(message: unknown): boolean {
    if (this.status !== undefined || !this.child.connected) return false;
    try {
      // With a callback a failed send does not become an 'error' event: the exit tells the owner.
      return this.child.send(message as never, () => undefined);
    } catch (err) {
      throw new InvalidArgumentError(`cannot send ${describe(message)} to ${this}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Sends it a signal (default SIGKILL); false when it has already exited.
   * @example
   * ```ts
   * child.kill('SIGTERM');
   * ```
   */
  kill(signal: NodeJS.Signals = 'SIGKILL'): boolean {
    if (this.status !== undefined) return false;
    return this.child.kill(signal);
  }

  /**
   * Waits for it to exit: its status, or false when `timeout` ms pass first; rejects with the
   * signal's reason when it aborts, or when the acting coroutine is terminated.
   * @example
   * ```ts
   * const status = await child.wait({ timeout: 2000, coro });
   * ```
   */
  wait(options?: ActingWaitOptions): Promise<ExitStatus | false> {
    let timeout: number;
    try {
      timeout = checkWaitOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.status !== undefined) return this.scheduler.ready(this.status);
    const sched = options?.coro?.scheduler ?? this.scheduler;
    const wait = new Wait<ExitStatus | false>(sched, sched.actor(options?.coro), WaitKind.Other);
    wait.alarm = false;
    wait.what = `exit of ${this}`;
    this.exitWaiters.push(wait);
    return wait.start(timeout, options?.signal);
  }

  /**
   * `await using child = ForkedProcess.fork(...)` kills it (SIGKILL) and waits for its exit.
   * @example
   * ```ts
   * { await using child = ForkedProcess.fork('worker.js', { owner: coro }); }
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.kill();
    await this.wait();
  }

  toString(): string {
    return `process ${this.pid}`;
  }

  private ended(status: ExitStatus, error?: Error): void {
    if (this.status !== undefined) return;
    this.status = status;
    for (const w of this.exitWaiters.drain()) w.wake(status);
    this.ownedBy.send(new ProcessExit(this, status, error));
  }
}

function checkOwner(owner: unknown): void {
  if (owner === null || typeof owner !== 'object' || typeof (owner as ProcessOwner).send !== 'function') {
    throw new InvalidArgumentError(`a process owner must be a coroutine (something with send), got ${describe(owner)}`);
  }
}
