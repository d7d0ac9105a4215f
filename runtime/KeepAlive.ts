/**
 * What keeps the process alive for a scheduler: one Node interval, armed while non-daemon
 * coroutines live or a call awaited from outside any coroutine is pending with no deadline of its
 * own (a hold), and disarmed otherwise, so that a script whose work is done exits by itself.
 * Internal to the Scheduler.
 * @module
 */

/**
 * The keep-alive of one scheduler.
 * @example
 * ```ts
 * const alive = new KeepAlive();
 * alive.update(true); // non-daemon coroutines live
 * alive.holdUntil(sched.join()); // and this call holds the process until it settles
 * ```
 */
export class KeepAlive {
  /** Made on first need and kept: ref'd while it holds, unref'd otherwise (a flag each way, no timer made or cleared per call). */
  private timer: NodeJS.Timeout | undefined;
  private armed = false;
  private coroutines = false;
  private stopped = false;
  private holds = 0;
  /** The last hold was let go this turn: the interval is unref'd when the turn ends, if still free. */
  private letGoPending = false;

  /** True while it holds the process (its interval is armed). */
  get holding(): boolean {
    return this.armed;
  }

  /** Whether non-daemon coroutines live (called when that may have changed). */
  update(coroutines: boolean): void {
    this.coroutines = coroutines;
    this.apply();
  }

  /** The scheduler stopped: nothing holds the process any more. */
  stop(): void {
    this.stopped = true;
    this.apply();
  }

  /** Holds the process until the matching `release()` (cheap: a counter, and a flag the first time). */
  hold(): void {
    if (++this.holds === 1) this.apply();
  }

  /**
   * Ends one `hold()`. The last one lets go at the end of the turn, not at once: calls awaited one
   * after another from outside a coroutine would otherwise re-ref and unref the interval per call.
   */
  release(): void {
    if (--this.holds === 0 && !this.letGoPending) {
      this.letGoPending = true;
      setImmediate(this.letGo);
    }
  }

  private readonly letGo = (): void => {
    this.letGoPending = false;
    this.apply();
  };

  /** Holds the process until `promise` settles; returns it. */
  holdUntil<T>(promise: Promise<T>): Promise<T> {
    this.hold();
    promise.then(this.releaseOne, this.releaseOne);
    return promise;
  }

  private readonly releaseOne = (): void => this.release();

  private apply(): void {
    const needed = (this.coroutines || this.holds > 0) && !this.stopped;
    if (needed === this.armed && !this.stopped) return;
    this.armed = needed;
    if (needed) {
      if (this.timer === undefined) this.timer = setInterval(() => undefined, 0x7fffffff);
      else this.timer.ref();
    } else if (this.stopped) {
      clearInterval(this.timer);
      this.timer = undefined;
    } else this.timer?.unref();
  }
}
