/**
 * Name registry of a scheduler (one for coroutines, one for channels), with
 * waits for a name that is not registered yet. Internal machinery.
 * @module
 */
import { NameTakenError } from './runtimeErrors.js';
import { checkName, checkWaitOptions, type WaitOptions } from './options.js';
import { Wait, WaitKind, type WaitHost } from './Wait.js';
import { WaiterQueue } from './WaiterQueue.js';

/**
 * Map from names to live objects.
 * @example
 * ```ts
 * const names = new Registry<Coro>('coroutine', c => c.isAlive); names.add('server', coro);
 * ```
 */
export class Registry<T extends object> {
  private readonly byName = new Map<string, T>();
  private readonly waiters = new Map<string, WaiterQueue>();

  constructor(
    private readonly kind: string,
    private readonly isLive: (item: T) => boolean,
  ) {}

  /** The live object registered under `name`, if any. */
  get(name: string): T | undefined {
    const item = this.byName.get(name);
    if (item !== undefined && !this.isLive(item)) {
      this.byName.delete(name);
      return undefined;
    }
    return item;
  }

  /** Registers `item` under `name`; throws NameTakenError if another live object holds it. */
  add(name: string, item: T): void {
    checkName(name, 'name');
    const current = this.get(name);
    if (current !== undefined && current !== item) throw new NameTakenError(`${this.kind} name '${name}' is taken`);
    this.byName.set(name, item);
    const queue = this.waiters.get(name);
    if (queue !== undefined) {
      this.waiters.delete(name);
      for (const w of queue.drain()) w.wake(item);
    }
  }

  /** Removes `name` if it maps to `item` (or to anything, when `item` is omitted). */
  delete(name: string, item?: T): boolean {
    const current = this.byName.get(name);
    if (current === undefined || (item !== undefined && current !== item)) return false;
    this.byName.delete(name);
    return true;
  }

  /** Removes every name that maps to `item`. */
  deleteAll(item: T): void {
    for (const [name, value] of this.byName) if (value === item) this.byName.delete(name);
  }

  /** Queues a wait that is woken with the object when `name` is registered. */
  waitFor(name: string, wait: Wait<T | undefined>): void {
    let queue = this.waiters.get(name);
    if (queue === undefined) this.waiters.set(name, (queue = new WaiterQueue()));
    queue.push(wait);
    wait.onCancel = () => {
      if (queue!.length === 0 && this.waiters.get(name) === queue) this.waiters.delete(name);
    };
  }

  /**
   * The live object registered under `name`, waiting up to `timeout` ms (forever when omitted,
   * `0` polls) for it to be registered; undefined on timeout. Bad input rejects.
   * @example
   * ```ts
   * const server = await sched.coroNames.locate(sched, 'server', { timeout: 1000 });
   * ```
   */
  locate(host: WaitHost, name: string, options?: WaitOptions): Promise<T | undefined> {
    let timeout: number;
    try {
      checkName(name, 'name');
      timeout = checkWaitOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    const found = this.get(name);
    if (found !== undefined || timeout === 0) return Promise.resolve(found);
    const wait = new Wait<T | undefined>(host, undefined, WaitKind.Other);
    this.waitFor(name, wait);
    return wait.start(timeout, options?.signal);
  }

  /** Lookups waiting for a name to be registered. */
  get waiting(): number {
    let n = 0;
    for (const queue of this.waiters.values()) n += queue.length;
    return n;
  }

  /** Names currently registered to live objects. */
  names(): string[] {
    return [...this.byName.keys()].filter((n) => this.get(n) !== undefined);
  }

  /**
   * The live registrations, as [name, object] pairs.
   * @example
   * ```ts
   * for (const [name, coro] of sched.coroNames.entries()) log(name, String(coro));
   * ```
   */
  entries(): Array<[string, T]> {
    const live: Array<[string, T]> = [];
    for (const name of this.byName.keys()) {
      const item = this.get(name);
      if (item !== undefined) live.push([name, item]);
    }
    return live;
  }
}
