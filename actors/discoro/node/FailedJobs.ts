/**
 * The failed jobs of a discoronode: a coroutine (`failed-jobs`) subscribed to the node's event
 * channel logs each job that failed on one of its servers at `warn` (the computation by id and
 * name, the job, the function, the server and the error with the stack from where it ran) and
 * keeps the last `max` of them (error, stack, arguments preview, server, times) for the
 * dashboard's history and `/api/failed-jobs`. Memory is bounded: `max` entries, each with a
 * bounded message, stack and preview; a server lists at most 50 failures per report.
 * @module
 */
import type { Coro } from '../../../runtime/Coro.js';
import { Deque } from '../../../runtime/Deque.js';
import type { Logger } from '../../../runtime/logging.js';
import { RemoteError } from '../../../transports/net/netErrors.js';
import type { Channel } from '../../Channel.js';
import type { FailedJobView } from '../../dashboard/clusterSource.js';
import { jobId } from '../protocol.js';
import type { NodeChange } from './nodeEvents.js';

/**
 * The history of a node's failed jobs, written by its coroutine only.
 * @example
 * ```ts
 * const failed = new FailedJobs(100, '127.0.0.1:9706', logger);
 * await top.startChild({ id: 'failed-jobs', start: (coro: Coro<any, void>) => failed.run(coro, events) });
 * log(failed.list().length);
 * ```
 */
export class FailedJobs {
  private readonly kept = new Deque<FailedJobView>();
  private seq = 0;

  /** Keeps the last `max` (0: none, still logged); `node` is the node's location. */
  constructor(
    readonly max: number,
    private readonly node: string,
    private readonly logger: Logger,
  ) {}

  /** The failed jobs kept, oldest first. */
  list(): FailedJobView[] {
    return [...this.kept];
  }

  /** Failures recorded so far (kept or not). */
  get total(): number {
    return this.seq;
  }

  /** The body of its coroutine: subscribed to `events` until terminated. */
  async run(coro: Coro<NodeChange, void>, events: Channel<NodeChange>): Promise<void> {
    await events.subscribe(coro);
    try {
      for (;;) {
        const m = await coro.receive();
        if (m.kind === 'jobs-failed') this.record(m);
      }
    } finally {
      if (!events.closed) await events.unsubscribe(coro);
    }
  }

  /** Logs and keeps one report's failures. */
  record(m: Extract<NodeChange, { kind: 'jobs-failed' }>): void {
    const computation = { id: m.id, name: m.name };
    for (const f of m.failures) {
      const id = jobId(f.id, m.server);
      const { name, code, message, stack } = f.error;
      // As any error from another process: its name, code and stack from where it was thrown.
      const err = new RemoteError(name, code, message, { stack });
      this.logger.warn({ computation, job: id, fn: f.fn, server: m.server, err }, `discoro: job ${id} (${f.fn || 'anonymous'}) of computation ${m.name} failed: ${name}: ${message}`);
      this.seq++;
      if (this.max === 0) continue;
      this.kept.push({
        seq: this.seq, id, fn: f.fn, argsPreview: f.args, server: m.server, node: this.node, computation: m.id, computationName: m.name,
        error: { name, ...(code === undefined ? {} : { code }), message, stack }, startTime: f.startTime, endTime: f.endTime,
      });
      if (this.kept.length > this.max) this.kept.shift();
    }
    if (m.dropped > 0) {
      this.seq += m.dropped;
      this.logger.warn({ computation, server: m.server, dropped: m.dropped }, `discoro: ${m.dropped} more jobs of computation ${m.name} failed on ${m.server} (not listed: too many at once)`);
    }
  }
}
