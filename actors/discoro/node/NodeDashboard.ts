/**
 * A discoronode's own dashboard: served on the node's scheduler with the node's cluster view
 * (NodeCluster), its readiness for `/readyz` and its name as the title, at the address other hosts
 * reach it by (for a dashboard on a wildcard address, the node's advertised host), which the node
 * tells its peers and clients (NodeInfo.dashboard).
 * @module
 */
import type { Readiness } from '../../dashboard/dashboardOptions.js';
import { serveDashboard, type DashboardHandle } from '../../dashboard/serveDashboard.js';
import type { NodeDashboardOptions } from './discoroNodeOptions.js';
import { NodeCluster, type ClusterNode } from './NodeCluster.js';

/**
 * A node's dashboard, with the view it shows.
 * @example
 * ```ts
 * const dashboard = await NodeDashboard.serve(node, { port: 0 }, '10.0.0.5');
 * log(dashboard.address);
 * await dashboard.close();
 * ```
 */
export class NodeDashboard {
  private constructor(
    readonly handle: DashboardHandle,
    private readonly cluster: NodeCluster,
    /** Where other hosts reach it. */
    readonly address: string,
  ) {}

  /** Serves it; `advertisedHost` is the node's host as its peers know it. Throws ListenError, InvalidArgumentError. */
  static async serve(node: ClusterNode & { readiness(): Readiness }, options: NodeDashboardOptions, advertisedHost: string): Promise<NodeDashboard> {
    const cluster = new NodeCluster(node);
    let handle: DashboardHandle;
    try {
      handle = await serveDashboard(node.scheduler, { ...options, cluster, readiness: () => node.readiness(), title: `discoronode ${node.name}` });
    } catch (err) {
      cluster.close();
      throw err;
    }
    const url = new URL(handle.url);
    // A wildcard address shows as loopback: other hosts reach it at the node's own address.
    if (['0.0.0.0', '::', '[::]'].includes(options.host ?? '')) url.hostname = advertisedHost.includes(':') ? `[${advertisedHost}]` : advertisedHost;
    return new NodeDashboard(handle, cluster, url.href);
  }

  /** Stops serving, and stops following the node. */
  async close(): Promise<void> {
    await this.handle.close();
    this.cluster.close();
  }
}
