/**
 * The dashboard's cluster view of a discoronode, from the node itself: the node (with its last
 * pulse), the server processes of each computation it serves, the computations (named after
 * their client; waiting ones too) and the jobs running on its servers, which the servers report
 * in batches (JobReporter). Actions: terminate a job (the server terminates its coroutine; the
 * client sees it terminated), close a computation, disable or enable a server or the node (the
 * clients start no new jobs there; a disabled node queues new computations).
 * @example
 * ```ts
 * const node = await DiscoroNode.start({ cpus: 2 });
 * const dash = await serveDashboard(node.net.scheduler, { cluster: new NodeCluster(node), token: 'a-long-random-secret-token' });
 * log(`dashboard at ${dash.url}`);
 * ```
 * @module
 */
import type { ClusterSource, ComputationView, JobCounts, JobView, NodeView, ServerView } from '../../dashboard/clusterSource.js';
import type { DiscoroNode } from './DiscoroNode.js';
import { jobId, type NodeAvailability } from '../protocol.js';
import { nodeAvailability } from './nodeAvailability.js';
import type { NodeComputation } from './NodeComputation.js';
import type { ServerProcess } from './ServerProcess.js';

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
  private readonly listeners = new Set<() => void>();
  private readonly held = new Set<string>();
  private readonly unwatch: () => void;
  private avail: NodeAvailability | undefined;
  private availAt: number | null = null;

  constructor(private readonly node: DiscoroNode) {
    this.unwatch = node.watch(() => {
      this.takeAvail();
      this.forgetGoneServers();
      this.changed();
    });
    // The first pulse is a pulse interval away: measure now.
    void nodeAvailability(node.location, node.root).then((a) => {
      if (this.avail !== undefined) return;
      this.avail = a;
      this.availAt = Date.now();
      this.changed();
    }, () => undefined);
  }

  /** Stops following the node. */
  close(): void {
    this.unwatch();
    this.listeners.clear();
  }

  nodes(): readonly NodeView[] {
    const n = this.node;
    const a = this.avail;
    return [{
      location: n.location, name: n.name, state: n.isStopping ? 'closing' : 'initialized', enabled: n.enabled, cpus: n.cpus,
      cpuLoad: a?.cpuLoad ?? null, freeMemory: a?.freeMemory ?? null, totalMemory: a?.totalMemory ?? null, freeDisk: a?.freeDisk ?? null, lastPulse: this.availAt,
    }];
  }

  servers(): readonly ServerView[] {
    const out: ServerView[] = [];
    for (const { entry } of this.serverEntries()) {
      const info = entry.info!;
      out.push({ location: info.location, node: info.node, pid: info.pid, index: info.index, state: entry.process.isAlive ? 'initialized' : 'closed', enabled: !this.held.has(info.location) });
    }
    return out;
  }

  computations(): readonly ComputationView[] {
    const out: ComputationView[] = [...this.node.computations.values()].map((c) => ({ id: c.id, name: `client ${c.client}`, state: c.closing ? 'closing' : 'serving' }));
    for (const q of this.node.waitingList) out.push({ id: q.id, name: `client ${q.client}`, state: 'waiting' });
    return out;
  }

  jobs(): readonly JobView[] {
    const out: JobView[] = [];
    for (const { comp, entry } of this.serverEntries()) {
      const server = entry.info!.location;
      for (const j of entry.process.report.jobs) {
        out.push({ id: jobId(j.id, server), fn: j.fn, args: [], argsPreview: j.args, server, node: this.node.location, computation: comp.id, state: 'running', startTime: j.startTime, endTime: null });
      }
    }
    return out;
  }

  counts(): JobCounts {
    const t = this.node.jobTotals;
    return { submitted: t.running + t.done + t.failed, running: t.running, done: t.done, failed: t.failed };
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async terminateJob(id: string): Promise<boolean> {
    const m = /^(\d+)@(.+)$/.exec(id);
    const found = m === null ? undefined : this.server(m[2]!);
    return found === undefined ? false : found.entry.process.terminateJob(Number(m![1]));
  }

  closeComputation(id: string): Promise<boolean> {
    return this.node.closeById(id, "closed from the node's dashboard");
  }

  enableNode(location: string): boolean {
    return this.setNode(location, true);
  }
  disableNode(location: string): boolean {
    return this.setNode(location, false);
  }
  enableServer(location: string): boolean {
    return this.setServer(location, true);
  }
  disableServer(location: string): boolean {
    return this.setServer(location, false);
  }

  private setNode(location: string, enabled: boolean): boolean {
    if (location !== this.node.location) return false;
    this.node.setEnabled(enabled);
    return true;
  }

  /** A held server: its client starts no new jobs there (it hears `held`). */
  private setServer(location: string, enabled: boolean): boolean {
    const found = this.server(location);
    if (found === undefined) return false;
    if (enabled) this.held.delete(location);
    else this.held.add(location);
    this.node.post(found.comp.client, found.comp.id, { kind: 'held', server: location, held: !enabled });
    this.changed();
    return true;
  }

  private *serverEntries(): Generator<{ comp: NodeComputation; entry: { process: ServerProcess; info?: { location: string; node: string; pid: number; index: number } } }> {
    for (const comp of this.node.computations.values()) {
      for (const entry of comp.servers.values()) if (entry.info !== undefined) yield { comp, entry };
    }
  }

  private server(location: string): { comp: NodeComputation; entry: { process: ServerProcess } } | undefined {
    for (const e of this.serverEntries()) if (e.entry.info!.location === location) return e;
    return undefined;
  }

  /** A held server that has exited is forgotten (its replacement starts enabled). */
  private forgetGoneServers(): void {
    if (this.held.size === 0) return;
    const live = new Set([...this.serverEntries()].map((e) => e.entry.info!.location));
    for (const location of this.held) if (!live.has(location)) this.held.delete(location);
  }

  private takeAvail(): void {
    const a = this.node.lastAvail;
    if (a === undefined || a === this.avail) return;
    this.avail = a;
    this.availAt = Date.now();
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}
