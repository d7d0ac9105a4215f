/**
 * Jobs per second, for the cluster view's sparkline: each sample (the dashboard's coroutine takes
 * one a second) reads how many jobs have ended (done + failed) and keeps the differences of the
 * last `size` samples.
 * @example
 * ```ts
 * const rate = new JobRate(() => 42, 60);
 * rate.sample();
 * log(rate.history());
 * ```
 * @module
 */

/**
 * A ring of the last seconds' job completions.
 * @example
 * ```ts
 * const rate = new JobRate(() => 0);
 * rate.sample(); // what the dashboard does every second
 * log(rate.history()); // [0]
 * ```
 */
export class JobRate {
  private readonly perSecond: number[] = [];
  private last: number;

  /** `ended` returns the jobs ended so far (a count that only grows); `size` samples are kept. */
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
}
