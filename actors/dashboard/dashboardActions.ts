/**
 * The dashboard's actions, one POST route each (`:id` and `:location` URL-encoded):
 * - `/api/coroutines/:id/terminate` (`coro.terminate()`),
 * - `/api/thread-coroutines/:thread::incarnation::id/terminate` (a coroutine on a worker thread,
 *   as the threads view lists it: `threads.terminateOn`),
 * - `/api/jobs/:id/terminate`, `/api/computations/:id/close`,
 * - `/api/nodes/:location/disable` and `/enable`, `/api/servers/:location/disable` and `/enable`
 *   (through the ClusterSource).
 * @example
 * ```ts
 * const action = parseAction('/api/jobs/j-7/terminate'); // { kind: 'job', id: 'j-7', verb: 'terminate' }
 * ```
 * @module
 */
import type { Scheduler } from '../../runtime/Scheduler.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { NoThreadError } from '../actorErrors.js';
import type { ClusterSource } from './clusterSource.js';
import type { ThreadsSource } from './dashboardOptions.js';
import { DashboardActionError, DashboardNotFoundError } from './dashboardErrors.js';

/**
 * One action: what it acts on and what it does.
 * @example
 * ```ts
 * const a: DashboardAction = { kind: 'node', id: '10.0.0.5:9706', verb: 'disable' };
 * ```
 */
export interface DashboardAction {
  kind: 'coroutine' | 'thread-coroutine' | 'job' | 'computation' | 'node' | 'server';
  id: string;
  verb: 'terminate' | 'close' | 'enable' | 'disable';
}

const ROUTES: Array<{ kind: DashboardAction['kind']; plural: string; verbs: Array<DashboardAction['verb']> }> = [
  { kind: 'coroutine', plural: 'coroutines', verbs: ['terminate'] },
  { kind: 'thread-coroutine', plural: 'thread-coroutines', verbs: ['terminate'] },
  { kind: 'job', plural: 'jobs', verbs: ['terminate'] },
  { kind: 'computation', plural: 'computations', verbs: ['close'] },
  { kind: 'node', plural: 'nodes', verbs: ['enable', 'disable'] },
  { kind: 'server', plural: 'servers', verbs: ['enable', 'disable'] },
];

/**
 * The action a path names, or undefined when it names none.
 * @example
 * ```ts
 * parseAction('/api/nodes/10.0.0.5%3A9706/disable'); // { kind: 'node', id: '10.0.0.5:9706', verb: 'disable' }
 * ```
 */
export function parseAction(pathname: string): DashboardAction | undefined {
  const m = /^\/api\/([a-z-]+)\/([^/]+)\/([a-z]+)$/.exec(pathname);
  if (m === null) return undefined;
  const route = ROUTES.find((r) => r.plural === m[1]);
  const verb = route?.verbs.find((v) => v === m[3]);
  if (route === undefined || verb === undefined) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(m[2]!);
  } catch {
    return undefined;
  }
  return { kind: route.kind, id, verb };
}

/**
 * A short text naming the action, for logs and answers.
 * @example
 * ```ts
 * describeAction({ kind: 'job', id: 'j-7', verb: 'terminate' }); // 'terminate job j-7'
 * ```
 */
export function describeAction(a: DashboardAction): string {
  return `${a.verb} ${a.kind} ${a.id}`;
}

/**
 * Carries an action out. Throws DashboardNotFoundError when its target is unknown (or there is no
 * cluster for a cluster action), DashboardActionError when the cluster source fails.
 * @example
 * ```ts
 * await performAction({ kind: 'coroutine', id: '7', verb: 'terminate' }, sched, undefined);
 * ```
 */
export async function performAction(action: DashboardAction, scheduler: Scheduler, cluster: ClusterSource | undefined, threads?: ThreadsSource): Promise<void> {
  if (action.kind === 'coroutine') {
    const coro = /^[1-9]\d*$/.test(action.id) ? scheduler.coro(Number(action.id)) : undefined;
    if (coro === undefined || !coro.terminate()) throw new DashboardNotFoundError(`no live coroutine ${action.id}`);
    return;
  }
  if (action.kind === 'thread-coroutine') return terminateOnThread(action.id, threads);
  if (cluster === undefined) throw new DashboardNotFoundError(`no cluster is attached: cannot ${describeAction(action)}`);
  let found: boolean;
  try {
    found = await call(action, cluster);
  } catch (err) {
    throw new DashboardActionError(`${describeAction(action)} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  if (found !== true) throw new DashboardNotFoundError(`no ${action.kind} ${action.id}`);
}

/** `thread:incarnation:id`, as the threads view names a coroutine on a thread. */
async function terminateOnThread(id: string, threads: ThreadsSource | undefined): Promise<void> {
  const m = /^([1-9]\d{0,5}):([0-9a-f]{1,64}):([1-9]\d{0,15})$/.exec(id);
  if (threads?.terminateOn === undefined || m === null) throw new DashboardNotFoundError(threads?.terminateOn === undefined ? 'no threads are attached to this dashboard' : `no coroutine ${id} on the threads`);
  let done: boolean;
  try {
    done = await threads.terminateOn(Number(m[1]), Number(m[3]), { incarnation: m[2]! });
  } catch (err) {
    // A thread that is not running (or not there) has no coroutine to terminate.
    if (NoThreadError.is(err) || InvalidArgumentError.is(err)) throw new DashboardNotFoundError(`no coroutine ${id} on the threads: ${(err as Error).message}`);
    throw new DashboardActionError(`terminate thread-coroutine ${id} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  if (!done) throw new DashboardNotFoundError(`no live coroutine ${m[3]} on thread ${m[1]} (${m[2]})`);
}

function call(a: DashboardAction, c: ClusterSource): boolean | Promise<boolean> {
  switch (a.kind) {
    case 'job':
      return c.terminateJob(a.id);
    case 'computation':
      return c.closeComputation(a.id);
    case 'node':
      return a.verb === 'enable' ? c.enableNode(a.id) : c.disableNode(a.id);
    default:
      return a.verb === 'enable' ? c.enableServer(a.id) : c.disableServer(a.id);
  }
}
