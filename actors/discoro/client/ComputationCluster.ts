/**
 * The dashboard's cluster view of one computation, from its client: its status stream mapped
 * into nodes (with the CPU load, memory and disk of their pulses), servers, the computation and
 * its jobs with their counts; the actions call the computation (terminate a job, close, disable
 * or enable a node or a server). Get it with `computation.clusterSource()`.
 * @example
 * ```ts
 * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
 * await serveDashboard(computation.scheduler, { cluster: computation.clusterSource(), token: 'a-long-random-secret-token' });
 * await computation.schedule({ timeout: 30_000 });
 * ```
 * @module
 */
import type { Scheduler } from '../../../runtime/Scheduler.js';
import { Channel } from '../../Channel.js';
import type { ClusterSource, ComputationView, JobCounts, JobView, NodeView, ServerView } from '../../dashboard/clusterSource.js';
import { jobId, type NodeInfo, type ServerInfo } from '../protocol.js';
import type { DiscoroStatus, JobInfo } from './discoroStatus.js';
import type { JobCoro } from './JobCoro.js';
import type { ResolvedComponents } from './components.js';
import type { ServerPool } from './ServerPool.js';

/**
 * What the view needs of a computation (a Computation is one).
 * @example
 * ```ts
 * const comp: ClusterComputation = new Computation({ components: ['./compute.js'] });
 * ```
 */
export interface ClusterComputation {
  readonly id: string;
  readonly scheduler: Scheduler;
  readonly isScheduled: boolean;
  readonly options: { readonly name?: string };
  readonly components: ResolvedComponents;
  readonly pool: ServerPool;
  servers(): ServerInfo[];
  disableNode(node: string): boolean;
  enableNode(node: string): boolean;
  disableServer(location: string): boolean;
  enableServer(location: string): boolean;
  close(options?: { terminate?: boolean }): Promise<void>;
}

/** Ended jobs and gone servers the view keeps (the newest). */
const KEEP_ENDED_JOBS = 20;
const KEEP_GONE_SERVERS = 20;

const ENDED: Record<string, JobView['state']> = { 'job-finished': 'done', 'job-failed': 'failed', 'job-terminated': 'terminated', 'job-abandoned': 'abandoned' };

/**
 * A computation's ClusterSource.
 * @example
 * ```ts
 * const computation = new Computation({ components: ['./compute.js'], nodes: ['127.0.0.1:9706'] });
 * const cluster = new ComputationCluster(computation);
 * log(cluster.counts(), cluster.nodes().map((n) => n.state));
 * cluster.close(); // stops following the status
 * ```
 */
export class ComputationCluster implements ClusterSource {
  private readonly nodeMap = new Map<string, NodeView>();
  private readonly serverMap = new Map<string, ServerView>();
  private readonly jobMap = new Map<string, { view: JobView; job: JobCoro<any, any> }>();
  private readonly ended: string[] = [];
  private readonly tally: JobCounts = { submitted: 0, running: 0, done: 0, failed: 0 };
  /** Each status it applied, for the dashboard's subscribers. */
  private readonly changes: Channel<DiscoroStatus>;
  private readonly view: ComputationView;
  private following = true;

  constructor(private readonly comp: ClusterComputation) {
    const c = comp.components;
    const name = comp.options.name ?? [...c.modules, ...c.sources.map((s) => s.name)].join(', ');
    this.view = { id: comp.id, name: name === '' ? comp.id : name, state: comp.isScheduled ? 'scheduled' : 'new' };
    this.changes = new Channel<DiscoroStatus>(`computation-cluster-${comp.id}`, { scheduler: comp.scheduler });
    // What it has already, when asked for late: its servers (and so their nodes).
    for (const s of comp.servers()) this.server(s, 'initialized');
  }

  /** @internal The computation tells it each status it publishes. */
  observe(s: DiscoroStatus): void {
    if (!this.following) return;
    this.apply(s);
    this.changes.send(s);
  }

  /** Stops following the computation's status (its subscribers are dropped). */
  close(): void {
    this.following = false;
    this.changes.close();
  }

  nodes(): readonly NodeView[] {
    return [...this.nodeMap.values()].map((n) => ({ ...n, enabled: this.comp.pool.isNodeEnabled(n.location) }));
  }
  servers(): readonly ServerView[] {
    return [...this.serverMap.values()].map((s) => {
      const p = this.comp.pool.servers.get(s.location);
      return { ...s, enabled: p === undefined ? s.enabled : p.enabled && p.heldByNode !== true };
    });
  }
  computations(): readonly ComputationView[] {
    return [{ ...this.view }];
  }
  jobs(): readonly JobView[] {
    return [...this.jobMap.values()].map((j) => j.view);
  }
  counts(): JobCounts {
    return { ...this.tally };
  }
  subscribe(listener: () => void): () => void {
    const subscriber = { send: (): boolean => (listener(), true) };
    this.changes.subscribe(subscriber).catch(() => undefined); // a closed view has nothing to tell
    return () => void this.changes.unsubscribe(subscriber).catch(() => undefined);
  }

  async terminateJob(id: string): Promise<boolean> {
    const j = this.jobMap.get(id);
    if (j === undefined || j.view.state !== 'running') return false;
    return j.job.terminate();
  }
  async closeComputation(id: string): Promise<boolean> {
    if (id !== this.comp.id) return false;
    await this.comp.close({ terminate: true });
    return true;
  }
  enableNode(location: string): boolean {
    return this.nodeMap.has(location) && this.comp.enableNode(location);
  }
  disableNode(location: string): boolean {
    return this.nodeMap.has(location) && this.comp.disableNode(location);
  }
  enableServer(location: string): boolean {
    return this.comp.enableServer(location);
  }
  disableServer(location: string): boolean {
    return this.comp.disableServer(location);
  }

  private apply(s: DiscoroStatus): void {
    switch (s.kind) {
      case 'node-discovered':
      case 'node-waiting':
        this.node(s.node.location, s.kind === 'node-waiting' ? 'waiting' : 'discovered', s.node);
        break;
      case 'node-initialized':
        this.node(s.node.location, 'initialized', s.node).cpus = s.servers;
        break;
      case 'node-failed':
      case 'node-closed':
      case 'node-disconnected':
        this.node(s.node, s.kind.slice(5));
        break;
      case 'node-availability': {
        const n = this.node(s.avail.location);
        Object.assign(n, { cpuLoad: s.avail.cpuLoad, freeMemory: s.avail.freeMemory, freeDisk: s.avail.freeDisk ?? null, totalMemory: s.avail.totalMemory ?? n.totalMemory, lastPulse: Date.now() });
        break;
      }
      case 'server-discovered':
      case 'server-initialized':
      case 'server-failed':
      case 'server-closed':
      case 'server-disconnected':
        this.server(s.server, s.kind.slice(7));
        break;
      case 'job-created':
        this.jobCreated(s.info);
        break;
      case 'job-finished':
      case 'job-failed':
      case 'job-terminated':
      case 'job-abandoned':
        this.jobEnded(s.info, ENDED[s.kind]!);
        break;
      case 'computation-scheduled':
        this.view.state = 'scheduled';
        break;
      case 'computation-closed':
        this.view.state = 'closed';
        break;
    }
  }

  private node(location: string, state?: string, info?: NodeInfo): NodeView {
    let n = this.nodeMap.get(location);
    if (n === undefined) {
      n = { location, name: info?.name ?? location, state: state ?? 'discovered', enabled: true, cpus: info?.cpus ?? 0, cpuLoad: null, freeMemory: null, totalMemory: null, freeDisk: null, lastPulse: null };
      this.nodeMap.set(location, n);
    }
    if (state !== undefined) n.state = state;
    if (info !== undefined) {
      n.name = info.name;
      n.freeMemory ??= info.avail.freeMemory;
      n.cpuLoad ??= info.avail.cpuLoad;
      n.freeDisk ??= info.avail.freeDisk ?? null;
      n.totalMemory ??= info.avail.totalMemory ?? null;
      // The cluster page links each node to its own dashboard.
      if (typeof info.dashboard === 'string' && /^https?:\/\//.test(info.dashboard)) n.dashboard = info.dashboard;
    }
    return n;
  }

  private server(info: ServerInfo, state: string): void {
    const live = state === 'discovered' || state === 'initialized';
    this.serverMap.set(info.location, { location: info.location, node: info.node, pid: info.pid, index: info.index, state, enabled: state === 'initialized' });
    if (!this.nodeMap.has(info.node)) this.node(info.node, 'initialized');
    if (live) return;
    const gone = [...this.serverMap.values()].filter((v) => v.state !== 'discovered' && v.state !== 'initialized');
    for (const v of gone.slice(0, Math.max(0, gone.length - KEEP_GONE_SERVERS))) this.serverMap.delete(v.location);
  }

  private jobCreated(info: JobInfo): void {
    const server = this.serverMap.get(info.server);
    const id = jobId(info.job.id, info.server);
    this.jobMap.set(id, {
      job: info.job,
      view: { id, fn: info.fn, args: info.args, server: info.server, node: server?.node ?? '', computation: this.comp.id, state: 'running', startTime: info.startTime, endTime: null },
    });
    this.tally.submitted++;
    this.tally.running++;
  }

  private jobEnded(info: JobInfo, state: JobView['state']): void {
    const id = jobId(info.job.id, info.server);
    const j = this.jobMap.get(id);
    if (j === undefined || j.view.state !== 'running') return;
    j.view.state = state;
    j.view.endTime = Date.now();
    this.tally.running--;
    if (state === 'done') this.tally.done++;
    else this.tally.failed++;
    this.ended.push(id);
    if (this.ended.length > KEEP_ENDED_JOBS) this.jobMap.delete(this.ended.shift()!);
  }
}
