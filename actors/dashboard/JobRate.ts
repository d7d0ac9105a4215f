/**
 * Jobs per second, for the cluster view's sparkline: once a second it reads how many jobs have
 * ended (done + failed) and keeps the differences of the last `size` seconds.
 * @example
 * ```ts
 * const rate = new JobRate(() => 42, 60);
 * rate.start(() => log(rate.history()));
 * rate.stop();
 * ```
 * @module
 */

/**
 * A ring of the last seconds' job completions.
 * @example
 * ```ts
 * const rate = new JobRate(() => 0);
 * rate.sample(); // what the timer does every second
 * log(rate.history()); // [0]
 * ```
 */
export class JobRate {
  private readonly perSecond: number[] = [];
  private last: number;
  private timer: NodeJS.Timeout | undefined;

  /** `ended` returns the jobs ended so far (a count that only grows); `size` seconds are kept. */
  constructor(private readonly ended: () => number, private readonly size = 60) {
    this.last = ended();
  }

  /** Samples now: appends the jobs ended since the previous sample. */
  sample(): void {
    const now = this.ended();
    this.perSecond.push(Math.max(0, now - this.last));
    this.last = now;
    if (this.perSecond.length > this.size) this.perSecond.shift();
  }

  /** The samples, oldest first. */
  history(): number[] {
    return [...this.perSecond];
  }

  /** Samples every `intervalMs` (1000) and calls `onSample` after each; the timer does not keep the process alive. */
  start(onSample: () => void, intervalMs = 1000): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.sample();
      onSample();
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
