/**
 * Pull-style pipes to child processes, after asyncoro's `AsyncPipe`: one
 * process or a chain (the first's stdin ... the last's stdout).
 * @module
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type net from 'node:net';
import { InvalidArgumentError, TimeoutError } from '../../runtime/runtimeErrors.js';
import { checkWaitOptions } from '../../runtime/options.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import { AsyncFile, type FileReadOptions } from './AsyncFile.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';
import { ConnectionResetError, SocketClosedError } from './ioErrors.js';

/** A command of a chain: the program and its arguments. */
export type Command = [program: string, ...args: string[]];

/** How a child process ended. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Options of a pipe: the child processes' options (cwd, env...), the scheduler and the receive
 * buffer size past which stdout is no longer read from the OS (backpressure).
 * @example
 * ```ts
 * AsyncPipe.spawn(['grep', '-i', 'error'], { cwd: '/var/log' });
 * ```
 */
export interface PipeOptions extends Omit<SpawnOptions, 'stdio'> {
  scheduler?: Scheduler;
  highWaterMark?: number;
}

/**
 * What `communicate` returns: both outputs, the exit status, and whether the child stopped reading
 * its input before the end (it exited, or closed its stdin).
 * @example
 * ```ts
 * const { stdout, inputCut }: CommunicateResult = await AsyncPipe.spawn(['head', '-c', '100']).communicate(Buffer.alloc(1 << 20));
 * ```
 */
export interface CommunicateResult {
  stdout: Buffer;
  stderr: Buffer;
  status: ExitStatus;
  inputCut: boolean;
}

/**
 * Pipes to a child process or a chain of them. `write` feeds the first one's stdin; `read`,
 * `readLine` read the last one's stdout, `readStderr`/`readLineStderr` its stderr (the stderr of
 * the others in a chain is discarded). Reads and
 * writes are those of {@link AsyncFile} on streams: FIFO, with backpressure, and a read that
 * times out consumes nothing. `communicate` writes input while it reads both outputs, so a child
 * that writes a lot before reading cannot deadlock it.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * const pipe = AsyncPipe.chain([['grep', '-i', 'error'], ['wc', '-l']]);
 * const { stdout } = await pipe.communicate(await readFile('app.log'));
 * log(Number(stdout.toString()));
 * ```
 */
export class AsyncPipe {
  readonly children: ChildProcess[];
  private readonly stdin: AsyncFile;
  private readonly stdout: AsyncFile;
  private readonly stderr: AsyncFile;
  private readonly exits: (ExitStatus | undefined)[];
  private readonly exitWaiters = new WaiterQueue();
  private readonly scheduler: Scheduler;

  private constructor(children: ChildProcess[], scheduler: Scheduler) {
    this.children = children;
    this.scheduler = scheduler;
    const first = children[0]!;
    const last = children[children.length - 1]!;
    this.stdin = new AsyncFile(first.stdin as net.Socket, false, scheduler);
    this.stdout = new AsyncFile(last.stdout as net.Socket, false, scheduler);
    this.stderr = new AsyncFile(last.stderr as net.Socket, false, scheduler);
    this.exits = children.map(() => undefined);
    children.forEach((child, i) => {
      const done = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (this.exits[i] !== undefined) return;
        this.exits[i] = { code, signal };
        if (this.exits.every((e) => e !== undefined)) for (const w of this.exitWaiters.drain()) w.wake(true);
      };
      child.once('exit', done);
      child.once('error', () => done(null, null)); // e.g. ENOENT: the program does not exist
    });
  }

  /**
   * Starts one program with piped stdin, stdout and stderr.
   * @example
   * ```ts
   * const sum = AsyncPipe.spawn(['sha1sum']);
   * ```
   */
  static spawn(command: Command, options?: PipeOptions): AsyncPipe {
    return AsyncPipe.chain([command], options);
  }

  /**
   * Starts a chain: each program's stdout feeds the next one's stdin.
   * @example
   * ```ts
   * const pipe = AsyncPipe.chain([['cat', 'app.log'], ['grep', 'x'], ['wc', '-l']]);
   * ```
   */
  static chain(commands: Command[], options: PipeOptions = {}): AsyncPipe {
    if (!Array.isArray(commands) || commands.length === 0) throw new InvalidArgumentError('chain needs at least one command');
    for (const c of commands) {
      if (!Array.isArray(c) || c.length === 0 || c.some((part) => typeof part !== 'string')) {
        throw new InvalidArgumentError('each command is an array of strings: [program, ...args]');
      }
    }
    const { scheduler, highWaterMark: _hwm, ...spawnOptions } = options;
    const children: ChildProcess[] = [];
    for (let i = 0; i < commands.length; i++) {
      const [program, ...args] = commands[i]!;
      const last = i === commands.length - 1;
      const stdinFrom = i === 0 ? 'pipe' : children[i - 1]!.stdout!;
      // Only the last program's stderr is read; an unread pipe would stall the others when full.
      children.push(spawn(program, args, { ...spawnOptions, stdio: [stdinFrom, 'pipe', last ? 'pipe' : 'ignore'] }));
      // The child has its own copy of the previous stdout: ours must not compete for its bytes.
      if (i > 0) children[i - 1]!.stdout!.destroy();
    }
    return new AsyncPipe(children, scheduler ?? Scheduler.default());
  }

  /** Process id of each program in the chain. */
  get pids(): (number | undefined)[] {
    return this.children.map((c) => c.pid);
  }

  /** Exit status of the last program once it (and the rest of the chain) has exited. */
  get exitStatus(): ExitStatus | undefined {
    return this.exits.every((e) => e !== undefined) ? this.exits[this.exits.length - 1] : undefined;
  }

  /** Writes to the first program's stdin; `full` waits until all of it is taken (see AsyncFile.write). */
  write(data: Uint8Array | string, options?: FileReadOptions): Promise<number> {
    return this.stdin.write(data, options);
  }

  /** Closes the first program's stdin (end of its input). */
  async closeStdin(): Promise<void> {
    await this.stdin.close();
  }

  /** Reads the last program's stdout (see AsyncFile.read; empty Buffer at its end). */
  read(size: number, options?: FileReadOptions): Promise<Buffer> {
    return this.stdout.read(size, options);
  }

  /** Reads one line of the last program's stdout. */
  readLine(options?: ActingWaitOptions & { maxLength?: number }): Promise<Buffer> {
    return this.stdout.readLine(options);
  }

  /**
   * The last program's stdout as lines (without their '\n') until it ends, for `for await`.
   * @example
   * ```ts
   * for await (const line of pipe.lines()) log(line);
   * ```
   */
  async *lines(options?: ActingWaitOptions & { maxLength?: number }): AsyncGenerator<string, void, undefined> {
    for (let line = await this.readLine(options); line.length > 0; line = await this.readLine(options)) {
      yield line.toString('utf8', 0, line[line.length - 1] === 0x0a ? line.length - 1 : line.length);
    }
  }

  /** Reads the last program's stderr. */
  readStderr(size: number, options?: FileReadOptions): Promise<Buffer> {
    return this.stderr.read(size, options);
  }

  /** Reads one line of the last program's stderr. */
  readLineStderr(options?: ActingWaitOptions & { maxLength?: number }): Promise<Buffer> {
    return this.stderr.readLine(options);
  }

  /**
   * Feeds `input` (if any) to stdin and closes it, while reading stdout and stderr to their end;
   * then waits for the chain to exit. `timeout` bounds the whole exchange (TimeoutError). A child
   * that exits before reading all its input (`head -c 100`) is not an error, as in Python: the
   * result has what it wrote, its status, and `inputCut: true`.
   * @example
   * ```ts
   * const { stdout, stderr, status } = await AsyncPipe.spawn(['sort']).communicate('b\na\n');
   * ```
   */
  async communicate(input?: Uint8Array | string | AsyncFile, options?: ActingWaitOptions): Promise<CommunicateResult> {
    const timeout = checkWaitOptions(options);
    const deadline = performance.now() + timeout;
    const left = (): ActingWaitOptions => ({ ...options, timeout: timeout === Infinity ? undefined : Math.max(0, deadline - performance.now()) });
    let inputCut = false;
    const feed = async (): Promise<void> => {
      try {
        if (input instanceof AsyncFile) {
          for (let chunk = await input.read(64 * 1024, left()); chunk.length > 0; chunk = await input.read(64 * 1024, left())) {
            await this.stdin.write(chunk, { ...left(), full: true });
          }
        } else if (input !== undefined) {
          await this.stdin.write(input, { ...left(), full: true });
        }
      } catch (err) {
        // The child closed its stdin (EPIPE, reset): what it wrote still counts.
        if (!ConnectionResetError.is(err) && !SocketClosedError.is(err) && (err as { code?: string })?.code !== 'ERR_SOCKET_IO') throw err;
        inputCut = true;
      } finally {
        await this.stdin.close().catch(() => undefined);
      }
    };
    const [, stdout, stderr] = await Promise.all([feed(), this.stdout.read(0, left()), this.stderr.read(0, left())]);
    const status = await this.wait(left());
    if (status === false) throw new TimeoutError('the child did not exit in time');
    return { stdout, stderr, status, inputCut };
  }

  /**
   * Waits for every program of the chain to exit; the last one's status, or false on timeout.
   * @example
   * ```ts
   * const status = await pipe.wait({ timeout: 5000 });
   * ```
   */
  wait(options?: ActingWaitOptions): Promise<ExitStatus | false> {
    const timeout = checkWaitOptions(options);
    const status = this.exitStatus;
    if (status !== undefined) return this.scheduler.ready(status);
    const sched = options?.coro?.scheduler ?? this.scheduler;
    const wait = new Wait<boolean>(sched, sched.actor(options?.coro), WaitKind.Other);
    wait.alarm = false;
    this.exitWaiters.push(wait);
    return wait.start(timeout, options?.signal).then((exited) => (exited ? this.exitStatus! : false));
  }

  /**
   * Closes the pipes and kills every program still running (SIGTERM by default).
   * @example
   * ```ts
   * await pipe.close();
   * ```
   */
  async close(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await Promise.all([this.stdin.close(), this.stdout.close(), this.stderr.close()]);
    this.children.forEach((c, i) => {
      if (this.exits[i] === undefined) c.kill(signal);
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
