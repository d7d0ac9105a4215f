/**
 * The dashboard's cluster view of a discoronode, from the node itself: the node (with its last
 * pulse), the server processes of each computation it serves, the computations (by the name
 * their client gave, with the client; waiting ones too), the jobs running on its servers, which
 * the servers report in batches (JobReporter), and its failed-job history; for the cluster page,
 * the node and every other node it knows. It follows the node through its event channel: a subscriber to the
 * view is a subscriber to a channel nested in the node's. Actions: terminate a job (the server
 * terminates its coroutine; the client sees it terminated), close a computation, disable or
 * enable a server or the node (the clients start no new jobs there; a disabled node queues new
 * computations). They are carried out by the coroutine that owns what they change.
 * @example
 * ```ts
 * const node = await DiscoroNode.start({ cpus: 2 });
 * const dash = await serveDashboard(node.scheduler, { cluster: new NodeCluster(node), token: 'a-long-random-secret-token' });
 * log(`dashboard at ${dash.url}`);
 * ```
 * @module
 */
import { inspect } from 'node:util';
import type { Scheduler } from '../../../runtime/Scheduler.js';
import type { Location } from '../../../transports/net/Location.js';
import type { ClusterSource, ComputationView, FailedJobView, JobCounts, JobView, NodeView, ServerView } from '../../dashboard/clusterSource.js';
import { Channel } from '../../Channel.js';
import { jobId, type NodeAvailability } from '../protocol.js';
import type { NodeComputation } from './NodeComputation.js';
import { call, HoldServer, TerminateJob } from './nodeMessages.js';
import type { NodeChange } from './nodeEvents.js';
import type { ServerOwner } from './ServerOwner.js';

/** How long an action waits for the coroutine carrying it out. */
const ACTION_TIMEOUT_MS = 5000;

/**
 * What the view reads of its node (a DiscoroNode).
 * @example
 * ```ts
 * const facts: ClusterNode = await DiscoroNode.start({ cpus: 2 });
 * ```
 */
export interface ClusterNode {
  readonly location: string;
  readonly name: string;
  readonly cpus: number;
  readonly enabled: boolean;
  readonly isStopping: boolean;
  /** `serving`, `disabled`, `out of service` or `stopping`. */
  readonly state: string;
  readonly lastAvail: { avail: NodeAvailability; at: number } | undefined;
  readonly computations: ReadonlyMap<string, NodeComputation>;
  readonly waitingList: ReadonlyArray<{ readonly id: string; readonly name: string; readonly client: Location }>;
  readonly jobTotals: { running: number; done: number; failed: number };
  readonly events: Channel<NodeChange>;
  readonly scheduler: Scheduler;
  readonly failedJobs: FailedJobView[];
  readonly peerNodes: NodeView[];
  readonly dashboardUrl: string | undefined;
  setEnabled(enabled: boolean): Promise<void>;
  closeById(id: string, reason: string): Promise<boolean>;
}

/**
 * A discoronode's ClusterSource.
 * @example
 * ```ts
 * const node = await DiscoroNode.start({ cpus: 2 });
 * const cluster = new NodeCluster(node);
 * log(cluster.servers().length, cluster.counts().running);
 * cluster.close();
 * ```
 */
export class NodeCluster implements ClusterSource {
  private readonly changes: Channel<NodeChange>;

  constructor(private readonly node: ClusterNode) {
    this.changes = new Channel<NodeChange>('node-cluster', { scheduler: node.scheduler });
    // Subscribing takes effect at once; it fails only on a node that has stopped (nothing to follow).
    node.events.subscribe(this.changes).catch(() => undefined);
  }

  /** Stops following the node (its subscribers are dropped). */
  close(): void {
    this.node.events.unsubscribe(this.changes).catch(() => undefined);
    this.changes.close();
  }

  /** What JSON.stringify and the logger show (nothing secret): the node it follows. */
  toJSON(): object {
    return { node: this.node.location, computations: this.node.computations.size };
  }

  [inspect.custom](): string {
    return `NodeCluster ${inspect(this.toJSON())}`;
  }

  nodes(): readonly NodeView[] {
    const n = this.node;
    const last = n.lastAvail;
    const a = last?.avail;
    return [{
      // Disabled shows as such beside the state (enabled: false).
      location: n.location, name: n.name, state: n.state === 'disabled' ? 'serving' : n.state, enabled: n.enabled, cpus: n.cpus,
      cpuLoad: a?.cpuLoad ?? null, freeMemory: a?.freeMemory ?? null, totalMemory: a?.totalMemory ?? null, freeDisk: a?.freeDisk ?? null, lastPulse: last?.at ?? null,
    }];
  }

  /** The node's failed jobs, oldest first. */
  failedJobs(): readonly FailedJobView[] {
    return this.node.failedJobs;
  }

  /** The node itself (with its dashboard, computations and jobs), then every other node it knows. */
  clusterNodes(): readonly NodeView[] {
    const self: NodeView = { ...this.nodes()[0]!, state: this.node.state, dashboard: this.node.dashboardUrl ?? null, computations: this.node.computations.size, jobs: this.node.jobTotals, self: true };
    return [self, ...this.node.peerNodes];
  }

  servers(): readonly ServerView[] {
    const out: ServerView[] = [];
    for (const { comp, server } of this.serverEntries()) {
      const info = server.info!;
      out.push({ location: info.location, node: info.node, pid: info.pid, index: info.index, state: server.process?.isAlive !== true ? 'closed' : server.closing ? 'closing' : 'initialized', enabled: !comp.held.has(info.location) });
    }
    return out;
  }

  computations(): readonly ComputationView[] {
    const out: ComputationView[] = [...this.node.computations.values()].map((c) => ({ id: c.id, name: c.name, client: String(c.client), state: c.closing ? 'closing' : 'serving' }));
    for (const q of this.node.waitingList) out.push({ id: q.id, name: q.name, client: String(q.client), state: 'waiting' });
    return out;
  }

  jobs(): readonly JobView[] {
    const out: JobView[] = [];
    for (const { comp, server } of this.serverEntries()) {
      const location = server.info!.location;
      for (const j of server.report.jobs) {
        out.push({ id: jobId(j.id, location), fn: j.fn, args: [], argsPreview: j.args, server: location, node: this.node.location, computation: comp.id, state: 'running', startTime: j.startTime, endTime: null });
      }
    }
    return out;
  }

  counts(): JobCounts {
    const t = this.node.jobTotals;
    return { submitted: t.running + t.done + t.failed, running: t.running, done: t.done, failed: t.failed };
  }

  subscribe(listener: () => void): () => void {
    const subscriber = { send: (): boolean => (listener(), true) };
    this.changes.subscribe(subscriber).catch(() => undefined); // a closed view has nothing to tell
    return () => void this.changes.unsubscribe(subscriber).catch(() => undefined);
  }

  async terminateJob(id: string): Promise<boolean> {
    const m = /^(\d+)@(.+)$/.exec(id);
    const found = m === null ? undefined : this.server(m[2]!);
    if (found?.server.coro === undefined) return false;
    return call<boolean>(found.server.coro, (r) => new TerminateJob(Number(m![1]), r), `server ${m![2]}`, ACTION_TIMEOUT_MS).catch(() => false);
  }

  closeComputation(id: string): Promise<boolean> {
    return this.node.closeById(id, "closed from the node's dashboard");
  }

  enableNode(location: string): Promise<boolean> {
    return this.setNode(location, true);
  }
  disableNode(location: string): Promise<boolean> {
    return this.setNode(location, false);
  }
  enableServer(location: string): Promise<boolean> {
    return this.holdServer(location, false);
  }
  disableServer(location: string): Promise<boolean> {
    return this.holdServer(location, true);
  }

  private async setNode(location: string, enabled: boolean): Promise<boolean> {
    if (location !== this.node.location) return false;
    await this.node.setEnabled(enabled);
    return true;
  }

  /** A held server: its client starts no new jobs there (it hears `held`). */
  private async holdServer(location: string, held: boolean): Promise<boolean> {
    const found = this.server(location);
    if (found === undefined) return false;
    return call<boolean>(found.comp.coro, (r) => new HoldServer(location, held, r), `computation ${found.comp.id}`, ACTION_TIMEOUT_MS).catch(() => false);
  }

  private *serverEntries(): Generator<{ comp: NodeComputation; server: ServerOwner }> {
    for (const comp of this.node.computations.values()) {
      for (const server of comp.servers.values()) if (server.info !== undefined) yield { comp, server };
    }
  }

  private server(location: string): { comp: NodeComputation; server: ServerOwner } | undefined {
    for (const e of this.serverEntries()) if (e.server.info!.location === location) return e;
    return undefined;
  }
}
