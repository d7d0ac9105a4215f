/**
 * A discoronode's daily service window (`--service-start`, `--service-stop`, `--service-end`,
 * local wall-clock `HH:MM`): from start the node takes new computations; from stop it takes no
 * new ones, but those it serves go on; at end those are closed (running jobs terminated and
 * reported). It repeats every day and may cross midnight (start 22:00, stop 06:00).
 * Rules: start alone is an error (it needs a stop or an end); without start the window opens at
 * 00:00; without stop it stops at end; going forward from start, stop comes no later than end;
 * stop and end differ from start.
 * @module
 */
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';

const DAY = 24 * 60;

/**
 * Where a node is in its window: `open` (takes computations), `stopped` (serves those it has,
 * takes no new), `ended` (serves none until the next start).
 * @example
 * ```ts
 * const phase: ServicePhase = 'open';
 * ```
 */
export type ServicePhase = 'open' | 'stopped' | 'ended';

/**
 * The window's times as given (`HH:MM`, 24-hour local time).
 * @example
 * ```ts
 * const times: ServiceTimes = { start: '08:00', stop: '17:30', end: '18:00' };
 * ```
 */
export interface ServiceTimes {
  start?: string;
  stop?: string;
  end?: string;
}

/**
 * Minutes after midnight of `HH:MM` (00:00 to 23:59); InvalidArgumentError otherwise.
 * @example
 * ```ts
 * parseClock('08:30'); // 510
 * ```
 */
export function parseClock(text: unknown, what = 'time'): number {
  const m = typeof text === 'string' ? /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim()) : null;
  if (m === null) throw new InvalidArgumentError(`${what} must be a time HH:MM (00:00 to 23:59), got '${String(text)}'`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * A daily service window.
 * @example
 * ```ts
 * const window = ServiceWindow.from({ start: '08:00', stop: '18:00' });
 * if (window !== undefined) log(window.describe(Date.now())); // 'serving until 18:00'
 * ```
 */
export class ServiceWindow {
  private constructor(
    /** Minutes after midnight. */
    readonly start: number,
    readonly stop: number,
    /** Undefined: computations are never closed by the window. */
    readonly end: number | undefined,
  ) {}

  /** The window of `times`; undefined when none is given. InvalidArgumentError for a bad time or order. */
  static from(times: ServiceTimes): ServiceWindow | undefined {
    const { start, stop, end } = times;
    if (start === undefined && stop === undefined && end === undefined) return undefined;
    if (stop === undefined && end === undefined) throw new InvalidArgumentError('a service start needs a service stop or a service end');
    const s = start === undefined ? 0 : parseClock(start, 'service start');
    const e = end === undefined ? undefined : parseClock(end, 'service end');
    const t = stop === undefined ? e! : parseClock(stop, 'service stop');
    const after = (m: number): number => (m - s + DAY) % DAY;
    if (after(t) === 0) throw new InvalidArgumentError(`service stop ${clock(t)} is the service start: the window would be empty`);
    if (e !== undefined && after(e) === 0) throw new InvalidArgumentError(`service end ${clock(e)} is the service start`);
    if (e !== undefined && after(e) < after(t)) throw new InvalidArgumentError(`service end ${clock(e)} comes before service stop ${clock(t)} (after start ${clock(s)})`);
    return new ServiceWindow(s, t, e);
  }

  /** The phase at `now` (ms since the epoch, read in local time). */
  phase(now: number): ServicePhase {
    const d = new Date(now);
    const offset = (d.getHours() * 60 + d.getMinutes() - this.start + DAY) % DAY;
    if (offset < (this.stop - this.start + DAY) % DAY) return 'open';
    if (this.end === undefined || offset < (this.end - this.start + DAY) % DAY) return 'stopped';
    return 'ended';
  }

  /** When the phase next changes after `now` (ms since the epoch): the next start, stop or end. */
  nextChange(now: number): number {
    let best = Infinity;
    for (const m of [this.start, this.stop, this.end]) {
      if (m === undefined) continue;
      for (const day of [0, 1]) {
        const d = new Date(now);
        d.setDate(d.getDate() + day);
        d.setHours(Math.floor(m / 60), m % 60, 0, 0);
        if (d.getTime() > now) {
          best = Math.min(best, d.getTime());
          break;
        }
      }
    }
    return best;
  }

  /** What the node says about its window at `now`: 'serving until 18:00', 'outside service window, next start 08:00'... */
  describe(now: number): string {
    switch (this.phase(now)) {
      case 'open':
        return `serving until ${clock(this.stop)}`;
      case 'stopped':
        return `outside service window, next start ${clock(this.start)}${this.end !== undefined ? `; running computations end at ${clock(this.end)}` : ''}`;
      case 'ended':
        return `outside service window, next start ${clock(this.start)}`;
    }
  }
}
