/**
 * The coroutine functions a worker thread can run: exports of modules named by URL, each module
 * imported once (the first import's failure is remembered too, so a broken module fails every
 * call the same way without importing it again). Only code already on disk runs: no source text
 * crosses to a thread.
 * @module
 */
import { ThreadFunctionError } from '../actorErrors.js';

type AnyFunction = (...args: any[]) => unknown;

/** Modules a thread keeps imported (or failed), at most. */
const MAX_MODULES = 1000;

/**
 * The modules one thread has imported.
 * @example
 * ```ts
 * const fns = new ThreadFunctions('thread-1.ab12cd34');
 * const worker = await fns.get('file:///app/work.js', 'worker');
 * ```
 */
export class ThreadFunctions {
  private readonly modules = new Map<string, Promise<Record<string, unknown>>>();

  constructor(private readonly where: string) {}

  /**
   * The function exported as `name` by the module at `url`. Throws ThreadFunctionError naming the
   * module, the export and this thread when the module does not load or has no such function.
   */
  async get(url: string, name: string): Promise<AnyFunction> {
    let loading = this.modules.get(url);
    if (loading === undefined) {
      loading = import(url) as Promise<Record<string, unknown>>;
      if (this.modules.size >= MAX_MODULES) this.modules.clear();
      this.modules.set(url, loading);
    }
    let mod: Record<string, unknown>;
    try {
      mod = await loading;
    } catch (err) {
      throw new ThreadFunctionError(`cannot load '${name}' from ${url} on ${this.where}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
    const fn = Object.hasOwn(mod, name) ? mod[name] : undefined;
    if (typeof fn !== 'function') {
      throw new ThreadFunctionError(`cannot load '${name}' from ${url} on ${this.where}: ${fn === undefined ? 'no such export' : `the export is a ${typeof fn}, not a function`}`);
    }
    return fn as AnyFunction;
  }
}
