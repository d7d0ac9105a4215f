/**
 * asyncoro's CategorizeMessages: selective receive by category.
 * @module
 */
import type { Coro, ReceiveOptions } from './Coro.js';
import { checkFunction, checkWaitOptions } from './options.js';

/**
 * Sorts a coroutine's messages into categories with categorizer functions and receives by
 * category. A categorizer returns a category for a message, or undefined; the most recently
 * added categorizer is asked first. Messages keep their arrival order within a category.
 *
 * @example
 * ```ts
 * const cats = new MessageCategories(coro);
 * cats.add((m) => (typeof m === 'number' && m % 2 === 0 ? 'even' : undefined));
 * const even = await cats.receive({ category: 'even', timeout: 100 });
 * const other = await cats.receive(); // the oldest message no categorizer claims
 * ```
 */
export class MessageCategories<M> {
  private categorizers: ((message: M) => unknown)[] = [];

  constructor(private readonly coro: Coro<M, any>) {}

  /** Adds a categorizer; it is consulted before the ones added earlier. */
  add(categorizer: (message: M) => unknown): void {
    checkFunction(categorizer, 'categorizer');
    this.categorizers.unshift(categorizer);
  }

  /** Removes a categorizer; its messages become uncategorized. Returns false if it was not added. */
  remove(categorizer: (message: M) => unknown): boolean {
    const n = this.categorizers.length;
    this.categorizers = this.categorizers.filter((c) => c !== categorizer);
    return this.categorizers.length !== n;
  }

  /** The category of `message` (undefined when no categorizer claims it). */
  categorize(message: M): unknown {
    for (const c of this.categorizers) {
      const category = c(message);
      if (category !== undefined && category !== null) return category;
    }
    return undefined;
  }

  /**
   * Receives the oldest message of `category`; without a category, the oldest uncategorized one.
   * Times out like `Coro.receive`, returning `alarm`.
   */
  receive<A = undefined>(options?: Omit<ReceiveOptions<M, A>, 'filter'> & { category?: unknown }): Promise<M | A> {
    checkWaitOptions(options);
    const category = options?.category;
    return this.coro.receive({ ...options, filter: (m) => this.categorize(m) === category });
  }
}
