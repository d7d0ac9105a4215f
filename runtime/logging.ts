/**
 * Logging through pino: silent unless the user passes a logger. The library
 * never writes to the console. Repeated events (dead letters) are throttled
 * to one summary line per interval.
 * @module
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * A pino logger that drops everything: the default for schedulers and nodes.
 * @example
 * ```ts
 * const log = silentLogger(); log.info('never written');
 * ```
 */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Counts events and logs at most one line per interval with the count since the last line.
 * @example
 * ```ts
 * const t = new LogThrottle(1000); if (t.hit()) sched.logger.warn({ dropped: t.take() }, 'dead letters');
 * ```
 */
export class LogThrottle {
  private count = 0;
  private last = -Infinity;

  constructor(private readonly intervalMs: number) {}

  /** Records one event; true when a line should be logged now. */
  hit(): boolean {
    this.count++;
    const now = performance.now();
    if (now - this.last < this.intervalMs) return false;
    this.last = now;
    return true;
  }

  /** Returns the events counted since the last logged line and resets the count. */
  take(): number {
    const n = this.count;
    this.count = 0;
    return n;
  }
}
