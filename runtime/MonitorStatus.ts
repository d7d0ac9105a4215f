/**
 * The message a monitor receives when a coroutine it watches ends.
 * @module
 */

import type { ExitReason } from './coroTypes.js';
import type { CoroRef } from './networkPort.js';

export type { ExitReason } from './coroTypes.js';

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
    /** The coroutine that ended: the live `Coro`, or the `RemoteCoro` reference to a remote one. */
    readonly coro: CoroRef<unknown, R>,
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
