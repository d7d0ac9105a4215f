/**
 * What a discoronode serves when: its daily service window (if any) read on its clock, and the
 * `--serve N` limit; it describes both for `status` and the clients. It sets no timer: the node's
 * coroutine asks it how long to wait for the next change (`msUntilChange`) and checks the clock
 * whenever it wakes (`check`), so that a clock that jumps is followed too.
 * @module
 */
import type { ServicePhase, ServiceWindow } from './ServiceWindow.js';

/** Longest wait for a change: a day, after which the clock is read again anyway. */
const MAX_WAIT = 24 * 3600_000;

/**
 * The service state of one node.
 * @example
 * ```ts
 * const service = new NodeService(undefined, Date.now, 3); // no window: a ServiceWindow.from(...) otherwise
 * const change = service.check();
 * if (change !== undefined) log(`now ${change.phase}`);
 * log(service.describe(1)); // 'in service; 1 of 3 computations served'
 * ```
 */
export class NodeService {
  private last: ServicePhase;

  constructor(
    readonly window: ServiceWindow | undefined,
    private readonly now: () => number,
    /** Computations to serve (-1: unlimited). */
    readonly serve: number,
  ) {
    this.last = this.phase;
  }

  /** The window's phase now ('open' without a window). */
  get phase(): ServicePhase {
    return this.window?.phase(this.now()) ?? 'open';
  }

  /** The window and the serve limit in words, e.g. 'serving until 18:00; 1 of 3 computations served'. */
  describe(served: number): string {
    const window = this.window?.describe(this.now()) ?? 'in service';
    return this.serve >= 0 ? `${window}; ${served} of ${this.serve} computations served` : window;
  }

  /** Reads the clock: the phase change since the last check, if any. */
  check(): { phase: ServicePhase; previous: ServicePhase } | undefined {
    const phase = this.phase;
    if (phase === this.last) return undefined;
    const previous = this.last;
    this.last = phase;
    return { phase, previous };
  }

  /** Milliseconds until the window's next start, stop or end (a second past it, so that the phase read then is the new one); undefined without a window. */
  msUntilChange(): number | undefined {
    if (this.window === undefined) return undefined;
    const now = this.now();
    return Math.min(MAX_WAIT, Math.max(1000, this.window.nextChange(now) - now + 1000));
  }
}
