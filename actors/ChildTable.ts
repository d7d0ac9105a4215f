/**
 * A supervisor's children: their specs in start order, the coroutine each runs now, and the
 * restarts waiting for their backoff delay. Owned by the supervising coroutine (read by
 * `child(id)` from outside). Internal.
 * @module
 */
import type { Coro } from '../runtime/Coro.js';
import type { ChildSpec, SupervisionStrategy } from './childSpec.js';

/** One child: its spec, its coroutine while it runs, and when its pending restart is due. */
export interface ChildEntry {
  readonly spec: ChildSpec;
  coro: Coro<any, any> | undefined;
  restartAt: number | undefined;
  /** When its current (or last) incarnation was started: how long it ran decides its backoff. */
  startedAt: number;
  /** Its failures in a row, each within `backoff.resetAfterMs` of its start (0 once it ran longer). */
  quickFailures: number;
}

/**
 * The children of one supervisor incarnation.
 * @example
 * ```ts
 * const table = new ChildTable([{ id: 'w', start: worker }]);
 * table.get('w')?.coro;
 * ```
 */
export class ChildTable {
  private readonly order: ChildEntry[] = [];
  private readonly ids = new Map<string, ChildEntry>();
  private readonly coros = new Map<object, ChildEntry>();

  constructor(specs: readonly ChildSpec[] = []) {
    for (const spec of specs) this.add(spec);
  }

  /** Appends a child (not running). */
  add(spec: ChildSpec): ChildEntry {
    const entry: ChildEntry = { spec, coro: undefined, restartAt: undefined, startedAt: 0, quickFailures: 0 };
    this.order.push(entry);
    this.ids.set(spec.id, entry);
    return entry;
  }

  /** Forgets a child (it must not run). */
  remove(entry: ChildEntry): void {
    const i = this.order.indexOf(entry);
    if (i >= 0) this.order.splice(i, 1);
    if (this.ids.get(entry.spec.id) === entry) this.ids.delete(entry.spec.id);
  }

  has(entry: ChildEntry): boolean {
    return this.ids.get(entry.spec.id) === entry;
  }

  get(id: string): ChildEntry | undefined {
    return this.ids.get(id);
  }

  /** The child whose current incarnation is `coro`. */
  byCoro(coro: object): ChildEntry | undefined {
    return this.coros.get(coro);
  }

  /** Every child, in start order (a copy). */
  entries(): ChildEntry[] {
    return [...this.order];
  }

  /** `entry` runs as `coro` now; with no coroutine, the running ones in start order. */
  running(entry: ChildEntry, coro: Coro<any, any>): void;
  running(): ChildEntry[];
  running(entry?: ChildEntry, coro?: Coro<any, any>): ChildEntry[] | void {
    if (entry === undefined) return this.order.filter((e) => e.coro !== undefined);
    entry.coro = coro;
    this.coros.set(coro!, entry);
  }

  /** `entry` no longer runs. */
  stopped(entry: ChildEntry): void {
    if (entry.coro !== undefined) this.coros.delete(entry.coro);
    entry.coro = undefined;
  }

  /** Schedules (or, with undefined, cancels) a restart of `entry` at `at` (performance.now() ms). */
  restartAt(entry: ChildEntry, at: number | undefined): void {
    entry.restartAt = at;
  }

  /** Milliseconds until the next pending restart is due; undefined when none is pending. */
  nextRestartIn(): number | undefined {
    let next = Infinity;
    for (const e of this.order) if (e.restartAt !== undefined && e.restartAt < next) next = e.restartAt;
    return next === Infinity ? undefined : Math.max(0, next - performance.now());
  }

  /** The children whose restart is due now, in start order (their pending restart cleared). */
  dueRestarts(): ChildEntry[] {
    const now = performance.now() + 1; // the timer heap may fire up to 0.5 ms early
    const due = this.order.filter((e) => e.restartAt !== undefined && e.restartAt <= now);
    for (const e of due) e.restartAt = undefined;
    return due;
  }

  /** The children a restart of `entry` concerns under `strategy`, in start order. */
  affected(entry: ChildEntry, strategy: SupervisionStrategy): ChildEntry[] {
    if (strategy === 'one-for-one') return [entry];
    if (strategy === 'one-for-all') return [...this.order];
    return this.order.slice(this.order.indexOf(entry));
  }
}
