/**
 * The status messages of a computation (asyncoro's DiscoroStatus, pycos's renumbered constants
 * as `kind` strings), delivered to the computation's status coroutine and to every
 * `computation.status()` iterator.
 * @module
 */
import { Deque } from '../../../runtime/Deque.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import type { Scheduler } from '../../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../../runtime/Wait.js';
import type { NodeAvailability, NodeInfo, ServerInfo } from '../protocol.js';
import type { JobCoro } from './JobCoro.js';

/**
 * What a status message says about a job.
 * @example
 * ```ts
 * const s = obj as DiscoroStatus;
if (s.kind === 'job-finished') { const info: JobInfo = s.info; log(info.fn, info.server, s.value); }
 * ```
 */
export interface JobInfo {
  job: JobCoro<any, any>;
  /** The function's name ('' for an anonymous shipped one). */
  fn: string;
  args: unknown[];
  server: string;
  /** ms since the epoch. */
  startTime: number;
}

/**
 * One status message; `kind` tells which.
 * @example
 * ```ts
 * const s = { kind: 'server-initialized', server: { location: '127.0.0.1:9707', node: '127.0.0.1:9706', pid: 1, index: 1 } } as DiscoroStatus;
 * if (s.kind === 'server-initialized') log(s.server.location);
 * ```
 */
export type DiscoroStatus =
  | { kind: 'node-discovered'; node: NodeInfo }
  /** No slot is free at the node: the computation waits its turn (FIFO). */
  | { kind: 'node-waiting'; node: NodeInfo; position: number }
  | { kind: 'node-initialized'; node: NodeInfo; servers: number }
  /** The node could not be used (setup failed, components did not load, it refused). */
  | { kind: 'node-failed'; node: string; error: Error }
  | { kind: 'node-closed'; node: string; reason: string }
  | { kind: 'node-disconnected'; node: string }
  | { kind: 'node-availability'; avail: NodeAvailability }
  /** The node's service window changed: `service` says how ('outside service window, next start 08:00'). */
  | { kind: 'node-service'; node: string; service: string }
  /** The node closes the computation gracefully (its `close` command): no new jobs go there, running ones finish. */
  | { kind: 'node-closing'; node: string; reason: string }
  /** With `disableServers`: the server is up, waiting for `enableServer(location, ...setupArgs)`. */
  | { kind: 'server-discovered'; server: ServerInfo }
  | { kind: 'server-initialized'; server: ServerInfo }
  /** Its setup (run at `enableServer`) failed. */
  | { kind: 'server-failed'; server: ServerInfo; error: Error }
  | { kind: 'server-closed'; server: ServerInfo }
  | { kind: 'server-disconnected'; server: ServerInfo; reason: string }
  | { kind: 'job-created'; info: JobInfo }
  | { kind: 'job-finished'; info: JobInfo; value: unknown }
  | { kind: 'job-failed'; info: JobInfo; error: Error }
  | { kind: 'job-terminated'; info: JobInfo }
  /** Its server was lost while it ran (`error` is a ServerLostError). */
  | { kind: 'job-abandoned'; info: JobInfo; error: Error }
  | { kind: 'computation-scheduled'; id: string }
  /** Only from a `status()` iterator that fell behind by its `limit`: the `count` oldest statuses it kept were dropped. */
  | { kind: 'statuses-dropped'; count: number }
  | { kind: 'computation-closed'; id: string };

/**
 * The `kind`s of DiscoroStatus.
 * @example
 * ```ts
 * const kind: DiscoroStatusKind = 'server-initialized';
 * ```
 */
export type DiscoroStatusKind = DiscoroStatus['kind'];

/** A reader of the feed: what was published since it last read, and its wait for more. */
interface Reader {
  readonly queue: Deque<DiscoroStatus>;
  readonly limit: number;
  /** Statuses dropped since its last read. */
  dropped: number;
  waiting: Wait<boolean> | undefined;
}

/**
 * Options of a status iterator.
 * @example
 * ```ts
 * const options: StatusOptions = { limit: 1000 };
 * ```
 */
export interface StatusOptions {
  /** Statuses it keeps unread at most (a positive integer or Infinity; default STATUS_LIMIT): beyond, the oldest are dropped. */
  limit?: number;
}

/** Statuses a status iterator keeps unread at most, by default. */
export const STATUS_LIMIT = 10_000;

/**
 * Fans status messages out to async iterators; each iterator sees what is published after it
 * was created, and ends after the computation closes. A waiting iterator waits on the scheduler.
 * @example
 * ```ts
 * const feed = new StatusFeed(sched);
 * const it = feed.iterate();
 * feed.publish({ kind: 'computation-closed', id: 'c-1' });
 * for await (const s of it) log(s.kind);
 * ```
 */
export class StatusFeed {
  private readonly readers = new Set<Reader>();
  private ended = false;

  constructor(private readonly scheduler: Scheduler) {}

  publish(status: DiscoroStatus): void {
    for (const r of this.readers) {
      // A reader that fell behind keeps the latest: an unread iterator does not hold every job.
      if (r.queue.length >= r.limit) {
        r.queue.shift();
        r.dropped++;
      }
      r.queue.push(status);
      r.waiting?.wake(true);
    }
    if (status.kind === 'computation-closed') this.end();
  }

  end(): void {
    this.ended = true;
    for (const r of this.readers) r.waiting?.wake(true);
  }

  iterate(options?: StatusOptions): AsyncIterableIterator<DiscoroStatus> {
    const limit = options?.limit === undefined ? STATUS_LIMIT : options.limit;
    if (typeof limit !== 'number' || !(limit === Infinity || (Number.isInteger(limit) && limit > 0))) throw new InvalidArgumentError(`limit must be a positive integer or Infinity, got ${String(limit).slice(0, 40)}`);
    const reader: Reader = { queue: new Deque<DiscoroStatus>(), limit, dropped: 0, waiting: undefined };
    if (!this.ended) this.readers.add(reader);
    const feed = this;
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next(): Promise<IteratorResult<DiscoroStatus>> {
        if (reader.dropped > 0) {
          const count = reader.dropped;
          reader.dropped = 0;
          return { value: { kind: 'statuses-dropped', count }, done: false };
        }
        while (reader.queue.length === 0) {
          if (feed.ended || !feed.readers.has(reader)) return { value: undefined, done: true };
          const wait = (reader.waiting = new Wait<boolean>(feed.scheduler, undefined, WaitKind.Other));
          wait.what = 'discoro status';
          await wait.start(Infinity, undefined);
          reader.waiting = undefined;
        }
        return { value: reader.queue.shift()!, done: false };
      },
      async return(): Promise<IteratorResult<DiscoroStatus>> {
        feed.readers.delete(reader);
        reader.waiting?.wake(true);
        return { value: undefined, done: true };
      },
    };
  }
}
