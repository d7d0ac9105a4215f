/**
 * The functions a scheduler runs when it finishes or terminates, highest priority first; a hook
 * that fails is logged and the others still run.
 * @module
 */
import type { Logger } from './logging.js';
import { checkFunction, describe } from './options.js';
import { InvalidArgumentError } from './runtimeErrors.js';

/**
 * A list of exit hooks.
 * @example
 * ```ts
 * const hooks = new ExitHooks();
 * const drop = hooks.add(() => log('bye'), 10);
 * ```
 */
export class ExitHooks {
  private hooks: Array<{ priority: number; fn: () => unknown }> = [];

  /** Adds `fn`; returns the function that removes it. Throws InvalidArgumentError for bad input. */
  add(fn: () => unknown, priority = 0): () => void {
    checkFunction(fn, 'exit hook');
    if (typeof priority !== 'number' || Number.isNaN(priority)) {
      throw new InvalidArgumentError(`exit hook priority must be a number, got ${describe(priority)}`);
    }
    const hook = { priority, fn };
    this.hooks.push(hook);
    return () => {
      this.hooks = this.hooks.filter((h) => h !== hook);
    };
  }

  get size(): number {
    return this.hooks.length;
  }

  /** Runs and forgets every hook, highest priority first, one after the other. */
  async run(logger: Logger): Promise<void> {
    const hooks = [...this.hooks].sort((a, b) => b.priority - a.priority);
    this.hooks = [];
    for (const hook of hooks) {
      try {
        await hook.fn();
      } catch (err) {
        logger.error({ err }, 'exit hook failed');
      }
    }
  }
}
