/**
 * What a supervisor supervises, as data: child specs, restart policies, strategies and the
 * supervisor's options, with their validation written once (for `Supervisor.start`, `startChild`
 * and `Pool.start`).
 * @module
 */
import type { Coro } from '../runtime/Coro.js';
import type { MailboxOptions } from '../runtime/Mailbox.js';
import { InvalidArgumentError } from '../runtime/runtimeErrors.js';
import { checkCount, checkFunction, checkName, checkTimeout, describe } from '../runtime/options.js';
import type { Scheduler } from '../runtime/Scheduler.js';

/**
 * When a child is restarted: always (`permanent`), only after it failed (`transient`), never
 * (`temporary`: its spec is forgotten once it ends, as OTP does).
 * @example
 * ```ts
 * const policy: RestartPolicy = 'transient';
 * ```
 */
export type RestartPolicy = 'permanent' | 'transient' | 'temporary';

/**
 * Which children restart when one must: only it, all of them, or it and those started after it.
 * @example
 * ```ts
 * const strategy: SupervisionStrategy = 'rest-for-one';
 * ```
 */
export type SupervisionStrategy = 'one-for-one' | 'one-for-all' | 'rest-for-one';

/**
 * A child, as data. `start(coro, ...args)` is the child's coroutine function; `M` is what it receives.
 *
 * When it has started: a child counts as started once it is spawned (its coroutine exists,
 * `child(id)` returns it and messages sent to it wait in its mailbox), unless `ready: true`. Then
 * `start` gets one more argument after `args`, a function `ready()`, and the child counts as
 * started once it calls it (OTP's `init_ack`): ending, failing or being terminated before that, or
 * not calling it within `readyTimeout` ms (default 5000), is a start error (`ChildStartError`).
 * `shutdownTimeout` (ms, default 5000) is how long the supervisor waits for the child to end after
 * terminating it before it goes on.
 * @example
 * ```ts
 * const spec: ChildSpec<string> = { id: 'db', start: dbWorker, args: ['postgres://...'], restart: 'permanent' };
 * ```
 */
export interface ChildSpec<M = any> {
  id: string;
  start: (coro: Coro<M, any>, ...args: any[]) => unknown;
  args?: unknown[];
  restart?: RestartPolicy;
  mailbox?: MailboxOptions;
  ready?: boolean;
  readyTimeout?: number;
  shutdownTimeout?: number;
}

/**
 * How a supervisor restarts: the strategy, at most `maxRestarts` within `withinMs` (default 3 in
 * 5 s), and an optional delay before restarting a child that grows with its failures in a row: each
 * failure within `resetAfterMs` of its start (default `maxMs`) multiplies it by `factor` (default
 * 2), from `initialMs` up to `maxMs`; a child that ran longer is restarted after `initialMs` again
 * (Akka's backoff with auto-reset), so a crash loop is slowed and an occasional crash is not.
 * @example
 * ```ts
 * const options: SupervisorOptions = { strategy: 'one-for-all', maxRestarts: 5, withinMs: 10_000, backoff: { initialMs: 100, maxMs: 2000 } };
 * ```
 */
export interface SupervisorOptions {
  strategy?: SupervisionStrategy;
  maxRestarts?: number;
  withinMs?: number;
  backoff?: { initialMs: number; maxMs: number; factor?: number; resetAfterMs?: number };
  name?: string;
  scheduler?: Scheduler;
}

/** Options with their defaults applied (internal to the supervisor). */
export interface ResolvedSupervisorOptions {
  strategy: SupervisionStrategy;
  maxRestarts: number;
  withinMs: number;
  backoff: { initialMs: number; maxMs: number; factor: number; resetAfterMs: number } | undefined;
  name: string;
}

const POLICIES: readonly string[] = ['permanent', 'transient', 'temporary'];
const STRATEGIES: readonly string[] = ['one-for-one', 'one-for-all', 'rest-for-one'];

/**
 * Throws InvalidArgumentError unless `spec` is a well-formed child spec; returns a copy of it.
 * @example
 * ```ts
 * const copy = checkChildSpec({ id: 'w', start: worker });
 * ```
 */
export function checkChildSpec<M>(spec: ChildSpec<M>): ChildSpec<M> {
  if (spec === null || typeof spec !== 'object') throw new InvalidArgumentError(`a child spec must be an object, got ${describe(spec)}`);
  checkName(spec.id, 'child id');
  checkFunction(spec.start, `start of child '${spec.id}'`);
  if (spec.args !== undefined && !Array.isArray(spec.args)) throw new InvalidArgumentError(`args of child '${spec.id}' must be an array`);
  if (spec.restart !== undefined && !POLICIES.includes(spec.restart)) {
    throw new InvalidArgumentError(`restart of child '${spec.id}' must be permanent, transient or temporary`);
  }
  if (spec.ready !== undefined && typeof spec.ready !== 'boolean') throw new InvalidArgumentError(`ready of child '${spec.id}' must be a boolean`);
  checkTimeout(spec.readyTimeout, `readyTimeout of child '${spec.id}'`);
  checkTimeout(spec.shutdownTimeout, `shutdownTimeout of child '${spec.id}'`);
  if (spec.mailbox !== undefined && (spec.mailbox === null || typeof spec.mailbox !== 'object')) throw new InvalidArgumentError(`mailbox of child '${spec.id}' must be an object`);
  return { ...spec, args: spec.args === undefined ? undefined : [...spec.args] };
}

/**
 * Validates a list of child specs (each well formed, ids unique); returns copies.
 * @example
 * ```ts
 * const specs = checkChildSpecs([{ id: 'a', start: worker }, { id: 'b', start: worker }]);
 * ```
 */
export function checkChildSpecs(children: readonly ChildSpec[]): ChildSpec[] {
  if (!Array.isArray(children)) throw new InvalidArgumentError(`children must be an array of child specs, got ${describe(children)}`);
  const ids = new Set<string>();
  return children.map((spec) => {
    const copy = checkChildSpec(spec);
    if (ids.has(copy.id)) throw new InvalidArgumentError(`duplicate child id '${copy.id}'`);
    ids.add(copy.id);
    return copy;
  });
}

/**
 * Validates supervisor options and applies the defaults.
 * @example
 * ```ts
 * const { strategy, maxRestarts } = resolveSupervisorOptions({ maxRestarts: 5 });
 * ```
 */
export function resolveSupervisorOptions(options: SupervisorOptions | undefined): ResolvedSupervisorOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`supervisor options must be an object, got ${describe(options)}`);
  const strategy = options.strategy ?? 'one-for-one';
  if (!STRATEGIES.includes(strategy)) throw new InvalidArgumentError(`unknown strategy '${String(strategy)}'`);
  const maxRestarts = checkCount(options.maxRestarts ?? 3, 'maxRestarts');
  const withinMs = checkCount(options.withinMs ?? 5000, 'withinMs', 1);
  const b = options.backoff;
  let backoff: ResolvedSupervisorOptions['backoff'];
  if (b !== undefined) {
    if (b === null || typeof b !== 'object') throw new InvalidArgumentError('backoff must be { initialMs, maxMs, factor?, resetAfterMs? }');
    checkCount(b.initialMs, 'backoff.initialMs');
    checkCount(b.maxMs, 'backoff.maxMs');
    if (b.factor !== undefined && !(typeof b.factor === 'number' && b.factor >= 1)) throw new InvalidArgumentError('backoff.factor must be >= 1');
    if (b.resetAfterMs !== undefined) checkCount(b.resetAfterMs, 'backoff.resetAfterMs');
    backoff = { initialMs: b.initialMs, maxMs: b.maxMs, factor: b.factor ?? 2, resetAfterMs: b.resetAfterMs ?? b.maxMs };
  }
  const name = options.name === undefined ? 'supervisor' : checkName(options.name, 'supervisor name');
  return { strategy, maxRestarts, withinMs, backoff, name };
}
