/**
 * Validation shared by the synchronisation primitives: the acting coroutine.
 * @module
 */
import { Coro } from '../runtime/Coro.js';
import { CoroFinishedError, InvalidArgumentError } from '../runtime/errors.js';

/**
 * Throws InvalidArgumentError unless `coro` is a local coroutine, CoroFinishedError if it has ended.
 * @example
 * ```ts
 * checkActingCoro(coro, 'acquire');
 * ```
 */
export function checkActingCoro(coro: unknown, action: string): Coro<any, any> {
  if (!(coro instanceof Coro)) throw new InvalidArgumentError(`${action} needs the acting coroutine as its first argument`);
  if (!coro.isAlive) throw new CoroFinishedError(`${coro} has ended and cannot ${action}`);
  return coro;
}

/**
 * Throws InvalidArgumentError unless `coro` is a coroutine (an ended one may still be named).
 * @example
 * ```ts
 * checkReleaser(coro);
 * ```
 */
export function checkReleaser(coro: unknown): Coro<any, any> {
  if (!(coro instanceof Coro)) throw new InvalidArgumentError('release needs the owning coroutine as its argument');
  return coro;
}
