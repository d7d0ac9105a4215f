/**
 * The dashboard of a discoronode: its flags (`--dashboard-port`, `--dashboard-host`,
 * `--dashboard-token` or `--dashboard-token-file`, `--no-dashboard`, and `--failed-jobs`, the history it shows; also
 * `DISCORO_DASHBOARD_*` and the config file), checked as serveDashboard checks them (a bad value
 * is a UsageError). On by default, on 127.0.0.1 and an ephemeral port (several nodes share a
 * machine; the address is printed at start); the node serves it (DiscoroNode's `dashboard`).
 */
import { readFileSync } from 'node:fs';
import { checkDashboardOptions, type DashboardOptions } from '../actors/dashboard/dashboardOptions.js';
import { UsageError } from './usageError.js';

/** The lines of `--help`. */
export const DASHBOARD_USAGE = `      --dashboard-port N    port of the node's web dashboard (default 0: ephemeral; its address is printed)
      --dashboard-host ADDR its address (default 127.0.0.1); beyond loopback it needs a token
      --dashboard-token TOKEN   what its actions need (16+ characters; also DISCORO_DASHBOARD_TOKEN,
                            which \`ps\` does not show); without one the dashboard is read-only
      --dashboard-token-file FILE   read the token from FILE
      --no-dashboard        serve no dashboard
      --failed-jobs N       failed jobs the node keeps for its dashboard and /api/failed-jobs
                            (default 100, at most 10000); each is logged at warn either way`;

/** For parseArgs. */
export const DASHBOARD_OPTIONS = {
  dashboard: { type: 'boolean' }, 'no-dashboard': { type: 'boolean' },
  'dashboard-port': { type: 'string' }, 'dashboard-host': { type: 'string' }, 'dashboard-token': { type: 'string' },
  'dashboard-token-file': { type: 'string' }, 'failed-jobs': { type: 'string' },
} as const;

/** Keys the environment and a config file may set (`dashboard` is a boolean). */
export const DASHBOARD_SETTINGS = ['dashboard', 'dashboard-port', 'dashboard-host', 'dashboard-token', 'dashboard-token-file', 'failed-jobs'];

/** `--failed-jobs N` (undefined: the default); throws UsageError. */
export function failedJobsOption(s: Record<string, unknown>): number | undefined {
  if (s['failed-jobs'] === undefined) return undefined;
  const text = String(s['failed-jobs']).trim();
  if (!/^\d{1,5}$/.test(text) || Number(text) > 10_000) throw new UsageError(`--failed-jobs must be an integer in 0..10000, got '${String(s['failed-jobs'])}'`);
  return Number(text);
}

/** The dashboard the settings ask for (undefined: none); throws UsageError. */
export function dashboardOptions(s: Record<string, unknown>): Omit<DashboardOptions, 'cluster'> | undefined {
  if (s.dashboard === false) return undefined;
  const port = s['dashboard-port'] === undefined ? 0 : String(s['dashboard-port']).trim();
  if (port !== 0 && (!/^\d{1,5}$/.test(port) || Number(port) > 65535)) throw new UsageError(`--dashboard-port must be an integer in 0..65535, got '${String(s['dashboard-port'])}'`);
  const o: Omit<DashboardOptions, 'cluster'> = { port: Number(port) };
  if (s['dashboard-host'] !== undefined) o.host = String(s['dashboard-host']);
  if (s['dashboard-token'] !== undefined) o.token = String(s['dashboard-token']);
  else if (s['dashboard-token-file'] !== undefined) {
    const file = String(s['dashboard-token-file']);
    try {
      o.token = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new UsageError(`cannot read the dashboard token file ${file}: ${(err as Error).message}`);
    }
  }
  try {
    checkDashboardOptions(o);
  } catch (err) {
    throw new UsageError(`${(err as Error).message} (--dashboard-host, --dashboard-port, --dashboard-token)`);
  }
  return o;
}
