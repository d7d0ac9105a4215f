/**
 * What a discoronode serves when: its daily service window (if any) read on its clock, and the
 * `--serve N` limit; it describes both for `status` and the clients, and calls back when the
 * window's phase changes (by a timer set to the next change, and on every `check()`, so that a
 * clock that jumps is followed too).
 * @module
 */
import type { ServicePhase, ServiceWindow } from './ServiceWindow.js';

/** Longest a timer may wait (setTimeout's limit). */
const MAX_TIMER = 2 ** 31 - 1;

/**
 * The service state of one node.
 * @example
 * ```ts
 * const service = new NodeService(undefined, Date.now, 3); // no window: a ServiceWindow.from(...) otherwise
 * service.watch((phase) => log(`now ${phase}`));
 * log(service.describe(1)); // 'in service; 1 of 3 computations served'
 * service.close();
 * ```
 */
export class NodeService {
  private last: ServicePhase;
  private timer: NodeJS.Timeout | undefined;
  private onChange: ((phase: ServicePhase, previous: ServicePhase) => void) | undefined;

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

  /** Calls `onChange` at every phase change from now on. */
  watch(onChange: (phase: ServicePhase, previous: ServicePhase) => void): void {
    this.onChange = onChange;
    this.arm();
  }

  /** Looks at the clock now; calls back if the phase changed. */
  check(): void {
    const phase = this.phase;
    if (phase === this.last) return;
    const previous = this.last;
    this.last = phase;
    this.onChange?.(phase, previous);
  }

  close(): void {
    clearTimeout(this.timer);
    this.onChange = undefined;
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.window === undefined || this.onChange === undefined) return;
    const now = this.now();
    // A second past the minute, so that the phase read then is the new one.
    const delay = Math.min(MAX_TIMER, Math.max(1000, this.window.nextChange(now) - now + 1000));
    this.timer = setTimeout(() => {
      this.check();
      this.arm();
    }, delay);
    this.timer.unref();
  }
}
