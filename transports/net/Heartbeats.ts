/**
 * The heartbeat clock of a peer network: every half `heartbeatInterval` it gives its peers a
 * tick (each sends a heartbeat if it has been quiet, and is declared lost if it has been silent
 * for `peerTimeout`). A tick that comes late means this node's own event loop was blocked: the
 * peers' frames are still queued behind it, so on that tick nobody is judged by silence.
 * @module
 */

/**
 * The ticking of one network.
 * @example
 * ```ts
 * const beats = new Heartbeats(1000, 5000, (now, timeout) => log(now, timeout));
 * beats.start();
 * beats.stop();
 * ```
 */
export class Heartbeats {
  private timer: NodeJS.Timeout | undefined;
  private last = 0;

  constructor(
    readonly interval: number,
    readonly timeout: number,
    /** Called at each tick with the time and the silence that makes a peer lost (Infinity on a late tick). */
    private readonly onTick: (now: number, timeout: number) => void,
  ) {}

  /** Starts ticking (the timer does not keep the process alive). */
  start(): void {
    this.last = performance.now();
    this.timer ??= setInterval(this.tick, Math.max(10, Math.floor(this.interval / 2)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private readonly tick = (): void => {
    const now = performance.now();
    const late = now - this.last > this.timeout / 2;
    this.last = now;
    this.onTick(now, late ? Infinity : this.timeout);
  };
}
