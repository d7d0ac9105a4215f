/**
 * One server OS process of a computation on a node, seen from the node: forked from the
 * compiled `serverMain.js`, told what to load over IPC, ready once it reports its location.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ComponentError, SetupFailedError, UnknownJobFunctionError } from '../../actorErrors.js';
import type { FromServer, JobReport, ToServer } from '../protocol.js';

const SERVER_MAIN = fileURLToPath(new URL('../server/serverMain.js', import.meta.url));

type StartMessage = Extract<ToServer, { type: 'start' }>;

/**
 * A forked server process.
 * @example
 * ```ts
 * const server = ServerProcess.fork();
 * const location = await server.start(obj, 30_000);
 * await server.close(5000);
 * ```
 */
export class ServerProcess {
  /** Where it listens, once started. */
  location = '';
  /** Its jobs as it last reported them (JobReporter: batched, at most every 50 ms). */
  report: JobReport = { type: 'jobs', running: 0, done: 0, failed: 0, jobs: [] };
  /** Called after each report. */
  onReport: (() => void) | undefined;
  private nextRef = 1;
  private readonly terminations = new Map<number, (found: boolean) => void>();
  private exited = false;
  private warmed = false;
  /** Resolves once the process has loaded its code and waits for `start` (or has exited). */
  readonly warm: Promise<void>;
  private markWarm: () => void = () => {};
  private readonly exitWaiters: Array<() => void> = [];
  /** Called once when the process exits (for whatever reason). */
  onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;

  /** The end of its stderr (forwarded to the node's), for the error when it fails to start. */
  private stderrTail = '';

  private constructor(readonly child: ChildProcess) {
    this.warm = new Promise<void>((r) => (this.markWarm = r));
    child.stderr?.on('data', (d: Buffer) => {
      process.stderr.write(d);
      this.stderrTail = (this.stderrTail + d.toString()).slice(-600);
    });
    child.on('message', (m: FromServer) => {
      if (m.type === 'jobs') {
        this.report = m;
        this.onReport?.();
      } else if (m.type === 'terminated') this.terminations.get(m.ref)?.(m.found);
      else if (m.type === 'loaded') {
        this.warmed = true;
        this.markWarm();
      }
    });
    child.once('exit', (code, signal) => {
      this.exited = true;
      this.markWarm();
      for (const answer of [...this.terminations.values()]) answer(false);
      for (const w of this.exitWaiters.splice(0)) w();
      this.onExit?.(code, signal);
    });
    child.on('error', () => {}); // reported through 'exit'
  }

  /** Forks the server entry (stdout and stderr go to the node's). */
  static fork(): ServerProcess {
    return new ServerProcess(fork(SERVER_MAIN, [], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced' }));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** True once it has loaded its code (a spare ready to start at once). */
  get isWarm(): boolean {
    return this.warmed && !this.exited;
  }

  /** Jobs running now (as last reported). */
  get running(): number {
    return this.report.running;
  }

  /**
   * Asks it to terminate the job running as its coroutine `job`: true once done, false when it
   * runs no such job, has exited, or does not answer within `timeout` ms.
   */
  terminateJob(job: number, timeout = 5000): Promise<boolean> {
    if (this.exited || !this.child.connected) return Promise.resolve(false);
    const ref = this.nextRef++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => answer(false), timeout);
      const answer = (found: boolean): void => {
        clearTimeout(timer);
        this.terminations.delete(ref);
        resolve(found);
      };
      this.terminations.set(ref, answer);
      this.child.send({ type: 'terminate', ref, job } satisfies ToServer);
    });
  }

  get isAlive(): boolean {
    return !this.exited;
  }

  /**
   * Sends `start` and resolves when it is ready (its location) or done (node setup); rejects with
   * its failure (SetupFailedError, UnknownJobFunctionError or ComponentError), or ComponentError when it exits or does not answer within `timeout` ms.
   */
  start(message: StartMessage, timeout: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        this.kill();
        reject(new ComponentError(`server ${message.index} of ${message.nodeName} did not start within ${timeout} ms`));
      }, timeout);
      const onMessage = (m: FromServer): void => {
        if (m.type === 'ready' || m.type === 'setup-done') {
          cleanup();
          if (m.type === 'ready') this.location = m.location;
          resolve(this.location);
        } else if (m.type === 'failed') {
          cleanup();
          reject(m.code === SetupFailedError.CODE ? new SetupFailedError(m.message) : m.code === UnknownJobFunctionError.CODE ? new UnknownJobFunctionError(m.message) : new ComponentError(m.message));
        }
      };
      const onExit = (code: number | null): void => {
        cleanup();
        const why = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
        reject(new ComponentError(`server ${message.index} of ${message.nodeName} exited (code ${code}) before it was ready${why === '' ? '' : `: ${why}`}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(message);
    });
  }

  /**
   * Asks it to close (running jobs get `grace` ms, then are terminated; Infinity: until they end);
   * kills it if it is still there `grace + 2000` ms later. Again while it closes, a shorter grace wins.
   */
  async close(grace: number): Promise<void> {
    if (this.exited) return;
    if (this.child.connected) this.child.send({ type: 'close', grace } satisfies ToServer);
    else this.kill();
    const timer = Number.isFinite(grace) ? setTimeout(() => this.kill(), grace + 2000) : undefined;
    await this.exitedPromise();
    clearTimeout(timer);
  }

  /** SIGKILL. */
  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  exitedPromise(): Promise<void> {
    return this.exited ? Promise.resolve() : new Promise((r) => this.exitWaiters.push(r));
  }
}
