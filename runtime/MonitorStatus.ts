/**
 * The message a monitor receives when a coroutine it watches ends.
 * @module
 */

/**
 * Why a coroutine ended: it returned, it threw, it was terminated, or (for a
 * remote coroutine) the connection to its peer was lost.
 */
export type ExitReason = 'finished' | 'failed' | 'terminated' | 'peer-lost';

/**
 * Sent to every monitor of a coroutine when it ends.
 *
 * @example
 * ```ts
 * await supervisor.monitor(worker);
 * const status = await supervisor.receive();
 * if (status instanceof MonitorStatus && status.reason === 'failed') restart(status.error);
 * ```
 */
export class MonitorStatus<R = unknown> {
  constructor(
    /** The coroutine (or remote reference) that ended. */
    readonly coro: { readonly id: number | string; readonly name: string },
    readonly reason: ExitReason,
    /** The returned value when `reason` is `finished`. */
    readonly value?: R,
    /** The error when `reason` is `failed`, `terminated` or `peer-lost`. */
    readonly error?: unknown,
  ) {}

  /** True when the coroutine returned normally. */
  get ok(): boolean {
    return this.reason === 'finished';
  }
}
