/**
 * The dashboard of a discoronode: its flags (`--dashboard-port`, `--dashboard-host`,
 * `--dashboard-token`, `--no-dashboard`; also `DISCORO_DASHBOARD_*` and the config file), checked
 * as serveDashboard checks them (a bad value is a UsageError), and starting it on the node.
 * On by default, on 127.0.0.1 and an ephemeral port (several nodes share a machine; the address
 * is printed at start).
 */
import { checkDashboardOptions, type DashboardOptions } from '../actors/dashboard/dashboardOptions.js';
import { serveDashboard, type DashboardHandle } from '../actors/dashboard/serveDashboard.js';
import type { DiscoroNode } from '../actors/discoro/node/DiscoroNode.js';
import { NodeCluster } from '../actors/discoro/node/NodeCluster.js';
import { UsageError } from './usageError.js';

/** The lines of `--help`. */
export const DASHBOARD_USAGE = `      --dashboard-port N    port of the node's web dashboard (default 0: ephemeral; its address is printed)
      --dashboard-host ADDR its address (default 127.0.0.1); beyond loopback it needs a token
      --dashboard-token TOKEN   what its actions need (16+ characters; also DISCORO_DASHBOARD_TOKEN,
                            which \`ps\` does not show); without one the dashboard is read-only
      --no-dashboard        serve no dashboard`;

/** For parseArgs. */
export const DASHBOARD_OPTIONS = {
  dashboard: { type: 'boolean' }, 'no-dashboard': { type: 'boolean' },
  'dashboard-port': { type: 'string' }, 'dashboard-host': { type: 'string' }, 'dashboard-token': { type: 'string' },
} as const;

/** Keys the environment and a config file may set (`dashboard` is a boolean). */
export const DASHBOARD_SETTINGS = ['dashboard', 'dashboard-port', 'dashboard-host', 'dashboard-token'];

/** The dashboard the settings ask for (undefined: none); throws UsageError. */
export function dashboardOptions(s: Record<string, unknown>): Omit<DashboardOptions, 'cluster'> | undefined {
  if (s.dashboard === false) return undefined;
  const port = s['dashboard-port'] === undefined ? 0 : String(s['dashboard-port']).trim();
  if (port !== 0 && (!/^\d{1,5}$/.test(port) || Number(port) > 65535)) throw new UsageError(`--dashboard-port must be an integer in 0..65535, got '${String(s['dashboard-port'])}'`);
  const o: Omit<DashboardOptions, 'cluster'> = { port: Number(port) };
  if (s['dashboard-host'] !== undefined) o.host = String(s['dashboard-host']);
  if (s['dashboard-token'] !== undefined) o.token = String(s['dashboard-token']);
  try {
    checkDashboardOptions(o);
  } catch (err) {
    throw new UsageError(`${(err as Error).message} (--dashboard-host, --dashboard-port, --dashboard-token)`);
  }
  return o;
}

/**
 * Serves the dashboard of `node` (its scheduler and its cluster view); it closes when the node
 * stops. Throws ListenError when the address cannot be bound.
 */
export async function startDashboard(node: DiscoroNode, options: Omit<DashboardOptions, 'cluster'>): Promise<DashboardHandle> {
  const cluster = new NodeCluster(node);
  try {
    return await serveDashboard(node.scheduler, { ...options, cluster });
  } catch (err) {
    cluster.close();
    throw err;
  }
}
