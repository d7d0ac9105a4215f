/**
 * A pool: `size` identical workers supervised one-for-one behind one address, which routes each
 * message to one of them (round-robin, or the shortest mailbox) and answers `ask` (Akka's
 * `Routers.pool`, OTP's pool of workers under a supervisor).
 * @module
 */
import type { Router } from './ask.js';
import type { Coro } from '../runtime/Coro.js';
import type { ActingWaitOptions } from '../runtime/coroTypes.js';
import type { MailboxOptions } from '../runtime/Mailbox.js';
import { checkCount, checkFunction, checkName, describe } from '../runtime/options.js';
import { InvalidArgumentError } from '../runtime/runtimeErrors.js';
import type { RestartPolicy, SupervisorOptions } from './childSpec.js';
import { Supervisor } from './Supervisor.js';

/**
 * How a pool picks the worker for a message: in turn (`round-robin`), or the one with the fewest
 * queued messages (`shortest-mailbox`, ties in turn).
 * @example
 * ```ts
 * const routing: PoolRouting = 'shortest-mailbox';
 * ```
 */
export type PoolRouting = 'round-robin' | 'shortest-mailbox';

/**
 * Options of `Pool.start`: how many workers, how messages are routed, the workers' arguments,
 * mailbox and restart policy, and the supervisor's restart intensity (see SupervisorOptions; the
 * strategy is one-for-one). Workers are named `${name}-0`, `${name}-1`... (`name` defaults to 'worker').
 * @example
 * ```ts
 * const options: PoolOptions = { size: 4, routing: 'shortest-mailbox', maxRestarts: 100, withinMs: 1000 };
 * ```
 */
export interface PoolOptions extends Omit<SupervisorOptions, 'strategy'> {
  size: number;
  routing?: PoolRouting;
  args?: unknown[];
  mailbox?: MailboxOptions;
  restart?: RestartPolicy;
}

/**
 * `size` supervised workers behind one address. `send` routes a message to one worker (false
 * when none runs, for instance while the only one restarts); `ask(pool, ...)` watches the worker
 * it was routed to, so a worker that crashes while handling a request fails that ask at once
 * with CoroFinishedError (the request is not retried: it may have had effects), and the
 * supervisor restarts the worker, restoring the pool's size.
 *
 * @example
 * ```ts
 * const pool = await Pool.start(async (coro: Coro<{ x: number; replyTo: Address<number> }>) => {
 *   for await (const { x, replyTo } of coro.messages()) replyTo.send(x * x);
 * }, { size: 4 });
 * const y = await ask(pool, (replyTo) => ({ x: 12, replyTo }), { timeout: 1000 }); // 144
 * await pool.stop();
 * ```
 */
export class Pool<M> implements Router<M>, AsyncDisposable {
  private readonly ids: string[];
  private next = 0;

  private constructor(
    /** The supervisor of the workers (its `restarts`, `finish()`, `coro`). */
    readonly supervisor: Supervisor,
    ids: string[],
    private readonly routing: PoolRouting,
  ) {
    this.ids = ids;
  }

  /**
   * Starts the workers under a one-for-one supervisor; resolves once they all have started.
   * Rejects with InvalidArgumentError for a bad worker function or options (a size below 1), and
   * with ChildStartError when a worker does not start.
   * @example
   * ```ts
   * const pool = await Pool.start(worker, { size: 8, routing: 'shortest-mailbox' });
   * ```
   */
  static async start<M, A extends unknown[] = []>(worker: (coro: Coro<M, any>, ...args: A) => unknown, options: PoolOptions & { args?: A }): Promise<Pool<M>> {
    checkFunction(worker, 'worker');
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`pool options must be an object, got ${describe(options)}`);
    const size = checkCount(options.size, 'pool size', 1);
    const routing = options.routing ?? 'round-robin';
    if (routing !== 'round-robin' && routing !== 'shortest-mailbox') throw new InvalidArgumentError(`unknown pool routing '${String(routing)}'`);
    const name = options.name === undefined ? 'worker' : checkName(options.name, 'pool name');
    const { size: _, routing: __, args, mailbox, restart, ...supervision } = options;
    const ids = Array.from({ length: size }, (_x, i) => `${name}-${i}`);
    const children = ids.map((id) => ({ id, start: worker, args, mailbox, restart }));
    const supervisor = await Supervisor.start(children, { ...supervision, name: `${name}-pool`, strategy: 'one-for-one' });
    return new Pool<M>(supervisor, ids, routing);
  }

  /** The number of workers the pool keeps. */
  get size(): number {
    return this.ids.length;
  }

  /** The workers running now (fewer than `size` while one restarts). */
  workers(): Coro<M, any>[] {
    return this.supervisor.children().map((c) => c.coro as Coro<M, any>);
  }

  /**
   * Routes `message` to a worker; false when no worker runs (the message is a dead letter).
   * @example
   * ```ts
   * pool.send({ x: 3, replyTo: coro });
   * ```
   */
  send(message: M): boolean {
    const worker = this.routeFor(message);
    return worker !== undefined && worker.send(message);
  }

  /** The worker the next message goes to: in turn, or the one with the fewest queued messages. */
  routeFor(_message: M): Coro<M, any> | undefined {
    const ids = this.ids;
    const n = ids.length;
    let chosen: Coro<M, any> | undefined;
    let at = 0;
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      const worker = this.supervisor.child<M>(ids[i]!);
      if (worker === undefined || !worker.isAlive) continue;
      if (this.routing === 'round-robin') {
        chosen = worker;
        at = i;
        break;
      }
      if (chosen === undefined || worker.pending < chosen.pending) {
        chosen = worker;
        at = i;
        if (worker.pending === 0) break;
      }
    }
    this.next = (at + 1) % n;
    return chosen;
  }

  /**
   * Stops the workers and their supervisor; true once stopped, false if `timeout` ms pass first.
   * @example
   * ```ts
   * await pool.stop({ timeout: 5000 });
   * ```
   */
  stop(options?: ActingWaitOptions): Promise<boolean> {
    return this.supervisor.stop(options);
  }

  /**
   * Waits for the pool to stop: true once stopped, false on timeout; rejects with
   * SupervisorGaveUpError if its workers crashed beyond the restart intensity.
   * @example
   * ```ts
   * await pool.finish({ timeout: 60_000 });
   * ```
   */
  finish(options?: ActingWaitOptions): Promise<boolean> {
    return this.supervisor.finish(options);
  }

  /**
   * `await using pool = await Pool.start(...)` stops it at the end of the block.
   * @example
   * ```ts
   * { await using pool = await Pool.start(worker, { size: 2 }); pool.send('job'); }
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  toString(): string {
    return `pool ${this.supervisor.coro ?? ''}`;
  }
}
