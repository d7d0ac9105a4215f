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
  private timer: NodeJS.Timeout | undefined;
  private coroutines = false;
  private stopped = false;
  private holds = 0;
  private checkPending = false;

  /** True while it holds the process (its interval is armed). */
  get holding(): boolean {
    return this.timer !== undefined;
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

  /**
   * Holds the process until the matching `release()`. Lazy: a call settled within the turn it
   * started in costs a counter; only one still pending when the event loop next checks (one
   * shared `setImmediate`, itself holding the loop until then) arms the interval.
   */
  hold(): void {
    this.holds++;
    if (!this.checkPending && this.timer === undefined) {
      this.checkPending = true;
      setImmediate(this.check);
    }
  }

  /** Ends one `hold()`. */
  release(): void {
    if (--this.holds === 0 && this.timer !== undefined && !this.coroutines) this.apply();
  }

  /** Holds the process until `promise` settles; returns it. */
  holdUntil<T>(promise: Promise<T>): Promise<T> {
    this.hold();
    promise.then(this.releaseOne, this.releaseOne);
    return promise;
  }

  private readonly releaseOne = (): void => this.release();

  private readonly check = (): void => {
    this.checkPending = false;
    this.apply();
  };

  private apply(): void {
    const needed = (this.coroutines || this.holds > 0) && !this.stopped;
    if (needed && this.timer === undefined) this.timer = setInterval(() => undefined, 0x7fffffff);
    else if (!needed && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
