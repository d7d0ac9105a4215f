/**
 * The servers a computation can run jobs on, seen from its client: at most one CPU job runs on
 * a server at a time (a CPU job waits, FIFO, for a free one), any number of async jobs (least
 * loaded server), picking the least busy node first.
 *
 * Short CPU jobs are sent one ahead: while a server's CPU jobs take less than
 * `sendAheadBelow` (default `PREFETCH_BELOW_MS`), the next one goes to it before the running one ends and waits there for
 * its turn, so that the server does not sit idle for a round trip between two jobs. Longer jobs
 * wait here for a free server, so that none queues behind a long one while another server is free.
 * @module
 */
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { checkWaitOptions } from '../../../runtime/options.js';
import type { ActingWaitOptions } from '../../../runtime/coroTypes.js';
import type { Scheduler } from '../../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../../runtime/Wait.js';
import type { CoroRef } from '../../../runtime/networkPort.js';
import type { Peer } from '../../../transports/net/Peer.js';
import type { ServerInfo } from '../protocol.js';

/**
 * What the pool knows of a job on one of its servers: it can end it as lost with that server.
 * @example
 * ```ts
 * const run: PoolRun = { lose: (error) => log('lost', error.message) };
 * ```
 */
export interface PoolRun {
  lose(error: Error): void;
}

/**
 * One server in the pool.
 * @example
 * ```ts
 * const pool = new ServerPool(sched);
 * const s: PoolServer | undefined = pool.servers.get('127.0.0.1:9707');
 * ```
 */
export interface PoolServer {
  info: ServerInfo;
  /** The connection to it: a server lives as long as that connection (a closed peer is a lost server). */
  peer: Peer;
  /** CPU jobs sent to it and not ended: one running, and at most one more waiting there. */
  cpuJobs: number;
  /** All jobs sent to it and not ended. */
  jobs: number;
  enabled: boolean;
  /** Moving average of its CPU jobs' durations as the client sees them (ms; undefined before the first). */
  cpuMs?: number;
  /** When the CPU job it runs now was sent (performance.now()). */
  cpuSince?: number;
  /** Held by its node (the node's dashboard disabled it): no new jobs, whatever `enabled` says. */
  heldByNode?: boolean;
  /** Lost (its connection closed, its process exited, it did not answer): it never takes another job. */
  lost?: boolean;
  /** Its jobs started and not ended (their starts may still be in flight). */
  readonly runs: Set<PoolRun>;
  /** What a job's watch reports on until its start is answered (any of its jobs: id 0). */
  anyJob?: CoroRef;
}

/**
 * A place in the pool's queue: a job waiting for a server at `where` (a CPU job: one that runs no
 * other CPU job). `grant` takes the server, or refuses it (false: the waiter gave up), and the
 * next waiter is offered it.
 * @example
 * ```ts
 * const waiter: PoolWaiter = { where: undefined, cpu: true, grant: (server) => (log(server.info.location), true), fail: (error) => log(error) };
 * ```
 */
export interface PoolWaiter {
  readonly where: Where;
  readonly cpu: boolean;
  grant(server: PoolServer): boolean;
  /** The pool will serve it no more (its computation is closing). */
  fail(error: Error): void;
}

/** CPU jobs shorter than this (ms, as the client sees them) are sent one ahead to a busy server, by default. */
export const PREFETCH_BELOW_MS = 5;

/**
 * Where a job may run: anywhere, a node (`host` or `host:port` of the node) or a server (`host:port`).
 * @example
 * ```ts
 * const where: Where = '127.0.0.1'; // any server of the node(s) on that host
 * ```
 */
export type Where = string | undefined;

interface Queued {
  waiter: PoolWaiter;
  seq: number;
}

function matches(s: PoolServer, where: Where): boolean {
  if (where === undefined) return true;
  return s.info.location === where || s.info.node === where || s.info.node.replace(/:\d+$/, '') === where;
}

/**
 * The servers of one computation.
 * @example
 * ```ts
 * const pool = new ServerPool(sched);
 * const server = await pool.acquire(undefined, true, { timeout: 5000 });
 * if (server) pool.release(server, true);
 * ```
 */
export class ServerPool {
  readonly servers = new Map<string, PoolServer>();
  private readonly disabledNodes = new Set<string>();
  /** Nodes that hold themselves (disabled from their own dashboard). */
  private readonly heldNodes = new Set<string>();
  /** Waiting jobs by kind (`cpu|where`): few kinds, so a release looks at a few queue heads, not every waiter. */
  private readonly queues = new Map<string, Queued[]>();
  private seq = 0;
  /** Set once no server can ever come (no node left): every wait fails with it at once. */
  private shutWith: Error | undefined = undefined;

  /** @param sendAheadBelow CPU jobs go one ahead to a busy server whose jobs take less than this (ms; 0: never). */
  constructor(private readonly sched: Scheduler, private readonly sendAheadBelow = PREFETCH_BELOW_MS) {}

  add(s: PoolServer): void {
    this.servers.set(s.info.location, s);
    // One heartbeat per node: an idle server's link is quiet (its node's link vouches for it: the
    // node sees its process exit, and a node lost is all its servers lost); a job there makes the
    // client judge the server's silence (the server heartbeats while it runs jobs).
    s.peer.liveness.set({ heartbeats: false, judge: s.jobs > 0 });
    this.dispatch();
  }

  remove(location: string): PoolServer | undefined {
    const s = this.servers.get(location);
    this.servers.delete(location);
    return s;
  }

  /**
   * `server` is lost: it takes no job again, leaves the pool, and each of its jobs ends as lost
   * with `error(server)`. False when it was known lost already.
   */
  lose(server: PoolServer, error: (server: PoolServer) => Error): boolean {
    if (server.lost === true) return false;
    server.lost = true;
    if (this.servers.get(server.info.location) === server) this.servers.delete(server.info.location);
    if (server.runs.size > 0) {
      const e = error(server);
      for (const run of [...server.runs]) run.lose(e);
    }
    return true;
  }

  /** Servers of the node at `node` (its `host:port`). */
  ofNode(node: string): PoolServer[] {
    return [...this.servers.values()].filter((s) => s.info.node === node);
  }

  setNodeEnabled(node: string, enabled: boolean): void {
    if (enabled) this.disabledNodes.delete(node);
    else this.disabledNodes.add(node);
    this.dispatch();
  }

  /** False when the client disabled `node` (`disableNode`) or the node holds itself. */
  isNodeEnabled(node: string): boolean {
    return !this.disabledNodes.has(node) && !this.heldNodes.has(node);
  }

  /**
   * What a node said of itself: it holds `server` (or, without one, all its servers), or releases
   * it. Held servers take no new jobs; the client's own enable/disable is kept apart.
   */
  setHeldByNode(node: string, server: string | undefined, held: boolean): void {
    if (server !== undefined) {
      const s = this.servers.get(server);
      if (s !== undefined) s.heldByNode = held;
    } else if (held) this.heldNodes.add(node);
    else this.heldNodes.delete(node);
    this.dispatch();
  }

  setServerEnabled(location: string, enabled: boolean): boolean {
    const s = this.servers.get(location);
    if (s === undefined) return false;
    s.enabled = enabled;
    this.dispatch();
    return true;
  }

  /**
   * A server for a job at `where` (CPU jobs: one that runs no other CPU job), marked as taken;
   * waits FIFO for one up to `timeout` ms (then false).
   */
  acquire(where: Where, cpu: boolean, options?: ActingWaitOptions): Promise<PoolServer | false> {
    const timeout = checkWaitOptions(options);
    checkWhere(where);
    if (this.shutWith !== undefined) return Promise.reject(this.shutWith);
    const s = this.queueEmpty(where, cpu) ? this.pick(where, cpu) : undefined;
    if (s !== undefined) return Promise.resolve(this.take(s, cpu));
    const wait = new Wait<PoolServer | false>(this.sched, this.sched.actor(options?.coro), WaitKind.Other);
    wait.alarm = false;
    const waiter: PoolWaiter = { where, cpu, grant: (server) => wait.wake(server), fail: (error) => void wait.fail(error) };
    wait.onCancel = () => this.withdraw(waiter);
    this.queue(waiter);
    return wait.start(timeout, options?.signal);
  }

  /**
   * Queues `waiter` (FIFO with every other waiter), or grants it a server at once when one is free
   * and nothing waits before it. `withdraw` takes it out of the queue.
   */
  enqueue(waiter: PoolWaiter): void {
    checkWhere(waiter.where);
    if (this.shutWith !== undefined) return waiter.fail(this.shutWith);
    const s = this.queueEmpty(waiter.where, waiter.cpu) ? this.pick(waiter.where, waiter.cpu) : undefined;
    if (s === undefined) return this.queue(waiter);
    this.take(s, waiter.cpu);
    if (!waiter.grant(s)) this.release(s, waiter.cpu);
  }

  /** Takes `waiter` out of the queue; false when it was not there. */
  withdraw(waiter: PoolWaiter): boolean {
    const queue = this.queues.get(key(waiter.where, waiter.cpu));
    const k = queue === undefined ? -1 : queue.findIndex((q) => q.waiter === waiter);
    if (k < 0) return false;
    queue!.splice(k, 1);
    return true;
  }

  /** Takes every waiter `which` selects out of the queue. */
  withdrawAll(which: (waiter: PoolWaiter) => boolean): void {
    for (const queue of this.queues.values()) {
      let w = 0;
      for (const q of queue) if (!which(q.waiter)) queue[w++] = q;
      queue.length = w;
    }
  }

  /** Gives back what `acquire` took; `tookMs` is how long the job took (a CPU job's, for the one-ahead rule). */
  release(s: PoolServer, cpu: boolean, tookMs?: number): void {
    s.jobs = Math.max(0, s.jobs - 1);
    if (s.jobs === 0) s.peer.liveness.set({ judge: false });
    if (cpu) {
      s.cpuJobs = Math.max(0, s.cpuJobs - 1);
      s.cpuSince = s.cpuJobs > 0 ? performance.now() : undefined;
      if (tookMs !== undefined && Number.isFinite(tookMs)) s.cpuMs = s.cpuMs === undefined ? tookMs : s.cpuMs * 0.8 + tookMs * 0.2;
    }
    this.dispatch();
  }

  /**
   * No server will ever come (the computation has no node left, and finds none): every waiter
   * fails with `error`, and so does every later wait, at once. `open()` undoes it.
   */
  shut(error: Error): void {
    this.shutWith = error;
    this.failWaiters(error);
  }

  /** Servers may come again (a node appeared). */
  open(): void {
    this.shutWith = undefined;
  }

  /** Takes every waiter out of the queue, and fails each with `error`. */
  failWaiters(error: Error): void {
    const out: PoolWaiter[] = [];
    for (const queue of this.queues.values()) for (const q of queue.splice(0)) out.push(q.waiter);
    for (const w of out) w.fail(error);
  }

  private queueEmpty(where: Where, cpu: boolean): boolean {
    const queue = this.queues.get(key(where, cpu));
    return queue === undefined || queue.length === 0;
  }

  private queue(waiter: PoolWaiter): void {
    const k = key(waiter.where, waiter.cpu);
    let queue = this.queues.get(k);
    if (queue === undefined) this.queues.set(k, (queue = []));
    queue.push({ waiter, seq: this.seq++ });
  }

  private take(s: PoolServer, cpu: boolean): PoolServer {
    if (s.jobs++ === 0) s.peer.liveness.set({ judge: true });
    if (cpu && s.cpuJobs++ === 0) s.cpuSince = performance.now();
    return s;
  }

  /** Whether a CPU job may go to `s` now: it runs none, or only a short one and nothing waits there. */
  private cpuFree(s: PoolServer): boolean {
    if (s.cpuJobs === 0) return true;
    const limit = this.sendAheadBelow;
    return s.cpuJobs === 1 && s.cpuMs !== undefined && s.cpuMs < limit && performance.now() - (s.cpuSince ?? 0) < limit;
  }

  private usable(s: PoolServer, where: Where): boolean {
    return s.lost !== true && s.peer.isOnline && s.enabled && s.heldByNode !== true && !this.disabledNodes.has(s.info.node) && !this.heldNodes.has(s.info.node) && matches(s, where);
  }

  private pick(where: Where, cpu: boolean): PoolServer | undefined {
    if (!cpu) return this.leastLoaded(where);
    const candidates = [...this.servers.values()].filter((s) => this.usable(s, where) && this.cpuFree(s));
    if (candidates.length === 0) return undefined;
    const load = new Map<string, [busy: number, total: number]>();
    for (const s of this.servers.values()) {
      const [busy, total] = load.get(s.info.node) ?? [0, 0];
      load.set(s.info.node, [busy + (s.cpuJobs > 0 ? 1 : 0), total + 1]);
    }
    const ratio = (s: PoolServer): number => {
      const [busy, total] = load.get(s.info.node)!;
      return busy / total;
    };
    candidates.sort((a, b) => a.cpuJobs - b.cpuJobs || ratio(a) - ratio(b) || a.jobs - b.jobs);
    return candidates[0];
  }

  /**
   * An async job's server: the usable one running fewest jobs (the first of equals). One pass that
   * allocates nothing: it runs once per job, and a batch of tiny async jobs is thousands at once.
   */
  private leastLoaded(where: Where): PoolServer | undefined {
    let best: PoolServer | undefined;
    for (const s of this.servers.values()) if ((best === undefined || s.jobs < best.jobs) && this.usable(s, where)) best = s;
    return best;
  }

  private dispatch(): void {
    // FIFO: of the waiters some server can take, the oldest goes first.
    for (;;) {
      let best: { queue: Queued[]; server: PoolServer } | undefined;
      for (const queue of this.queues.values()) {
        const q = queue[0];
        if (q === undefined || (best !== undefined && q.seq > best.queue[0]!.seq)) continue;
        const server = this.pick(q.waiter.where, q.waiter.cpu);
        if (server !== undefined) best = { queue, server };
      }
      if (best === undefined) return;
      const q = best.queue.shift()!;
      this.take(best.server, q.waiter.cpu);
      if (!q.waiter.grant(best.server)) this.release(best.server, q.waiter.cpu);
    }
  }
}

function key(where: Where, cpu: boolean): string {
  return `${cpu}|${where ?? ''}`;
}

function checkWhere(where: Where): void {
  if (where !== undefined && (typeof where !== 'string' || where.length === 0)) throw new InvalidArgumentError('where must be a node or server address');
}
