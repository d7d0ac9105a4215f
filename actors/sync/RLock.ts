/**
 * A re-entrant lock owned by a coroutine.
 * @module
 */
import type { Coro } from '../../runtime/Coro.js';

import { Lock } from './Lock.js';
import { NotOwnerError } from '../actorErrors.js';

/**
 * A re-entrant {@link Lock}: its owner may acquire it again; it is free once released as many
 * times as acquired. Same FIFO hand-off and abandonment rules as Lock.
 * @example
 * ```ts
 * const rlock = new RLock();
 * await rlock.acquire(coro); await rlock.acquire(coro); // depth 2
 * rlock.release(coro); rlock.release(coro);             // free
 * ```
 */
export class RLock extends Lock {
  /** How many times the owner holds it (0 when free). */
  get count(): number {
    return this.depth;
  }

  protected override get reentrant(): boolean {
    return true;
  }

  /** @internal Releases every level at once and returns the depth (Condition.wait). */
  releaseAll(coro: Coro<any, any>): number {
    if (this.holder !== coro) throw new NotOwnerError(`${String(coro)} does not hold this lock`);
    const depth = this.depth;
    this.depth = 1;
    this.release(coro);
    return depth;
  }

  /** @internal Restores the depth saved by releaseAll once the lock is held again. */
  restoreDepth(coro: Coro<any, any>, depth: number): void {
    if (this.holder === coro) this.depth = depth;
  }
}
