/**
 * The discoronode command line: flags (node:util parseArgs, kebab-case with pycos spellings as
 * aliases), `DISCORO_*` environment variables and a JSON config file, in that order of
 * precedence, turned into DiscoroNodeOptions. Bad input is a UsageError (exit 2).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { machineCpus, type DiscoroNodeOptions } from '../actors/discoro/node/discoroNodeOptions.js';
import { ServiceWindow } from '../actors/discoro/node/ServiceWindow.js';
import { DASHBOARD_OPTIONS, DASHBOARD_SETTINGS, DASHBOARD_USAGE, dashboardOptions, failedJobsOption } from './dashboardFlags.js';
import { UsageError } from './usageError.js';

export { UsageError } from './usageError.js';

export const USAGE = `Usage: discoronode [options]

Runs a discoro node: one main process and one server process per CPU for each computation.

Options (durations in ms; flags > DISCORO_* environment > --config file):
  -c, --cpus N              server processes; negative leaves that many CPUs unused (default: all)
  -i, --host ADDR           address to listen on (default 127.0.0.1); repeatable: the node and its
                            servers listen on each (one port), the first is advertised (or --ext-host)
      --ext-host ADDR       address advertised to peers (NAT)
  -p, --port N              TCP port of the node (default 0: ephemeral)
      --server-ports LIST   ports for servers: "9800-9807" or "9800,9801"
  -n, --name NAME           node name (default: host name)
      --dest-dir DIR        working folder (default <tmpdir>/asyncoro/discoro/<name>)
      --max-file-size SIZE  largest file a client may send, e.g. 10m (k/m/g)
      --modules DIR         packages jobs may import, besides the node's own asyncoro and pino:
                            DIR is where \`npm install --prefix DIR <package>\` installs (or a
                            node_modules folder); repeatable, the first that has a package wins;
                            a package a computation ships wins over them
      --max-package-size SIZE  the most a package tarball a computation ships may unpack to
                            (default 256m)
  -s, --secret SECRET       shared secret (also DISCORO_SECRET or --secret-file).
                            A secret on the command line shows in \`ps\`: prefer the others.
      --secret-file FILE    read the secret from FILE
      --insecure            listen beyond loopback without a secret
      --tls-cert FILE, --tls-key FILE, --tls-ca FILE   certificate TLS
      --serve N             serve N computations, then exit (default -1: unlimited)
      --service-start HH:MM, --service-stop HH:MM, --service-end HH:MM
                            daily service window, local time: from start the node takes new
                            computations; from stop it takes none (those it serves go on); at end
                            it closes those (running jobs terminated). Start needs a stop or an end;
                            without start it opens at 00:00; without stop it stops at end; stop
                            comes no later than end; it may cross midnight (22:00 to 06:00)
      --pulse-interval MS   pulse and availability period (default 10000)
      --heartbeat-interval MS, --peer-timeout MS
                            peer heartbeats (default 1000) and the silence after which a peer
                            (a client, a server) is lost (default 5000, at least 3 heartbeats)
      --zombie-period MS    the longest a client may be silent (no pulse) before its computation is
                            closed (default 100000): a client asks for its own, gets at most this,
                            and pulses often enough for the period it got
      --max-waiting N       computations that may wait for slots at once (default 100); a client
                            may have one waiting
      --grace-period MS     time running jobs get at shutdown (default 5000)
      --spare-servers N     server processes kept started and idle, so that a computation's
                            servers start at once (default: one per CPU; 0: start on demand).
                            Each serves one computation only and is removed with it.
      --clean               remove what a crashed node left in the working folder
      --peer HOST:PORT      connect to this peer (repeatable); a name is dialled at every address
                            it resolves to (a Kubernetes headless service), resolved again every 30 s
      --discover, --no-discover   UDP discovery (default on)
      --udp-port N          UDP discovery port
      --log-level LEVEL     silent, error, warn (default), info, debug; -d = debug
      --daemon              never read commands from stdin
${DASHBOARD_USAGE}
      --config FILE         read options from a JSON file (keys as the flags: "cpus", "zombie-period")
      --save-config FILE    write the options (without the secret) to FILE and exit
  -h, --help                this text
      --version             the version

Without a secret the node listens on loopback only (unless --insecure).
Commands on a terminal (not with --daemon or without a terminal): status, close (every computation,
gracefully), terminate (every computation, jobs terminated), quit, help.`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' },
  cpus: { type: 'string', short: 'c' },
  host: { type: 'string', short: 'i', multiple: true }, ip_addr: { type: 'string', multiple: true }, 'ip-addr': { type: 'string', multiple: true },
  'ext-host': { type: 'string' }, ext_host: { type: 'string' }, ext_ip_addr: { type: 'string' },
  port: { type: 'string', short: 'p' }, 'server-ports': { type: 'string' }, node_ports: { type: 'string' }, tcp_ports: { type: 'string' },
  name: { type: 'string', short: 'n' },
  'dest-dir': { type: 'string' }, dest_path: { type: 'string' },
  'max-file-size': { type: 'string' }, max_file_size: { type: 'string' },
  modules: { type: 'string', multiple: true }, 'max-package-size': { type: 'string' },
  secret: { type: 'string', short: 's' }, 'secret-file': { type: 'string' }, insecure: { type: 'boolean' },
  'tls-cert': { type: 'string' }, certfile: { type: 'string' }, 'tls-key': { type: 'string' }, keyfile: { type: 'string' }, 'tls-ca': { type: 'string' },
  serve: { type: 'string' },
  'service-start': { type: 'string' }, service_start: { type: 'string' }, 'service-stop': { type: 'string' }, service_stop: { type: 'string' },
  'service-end': { type: 'string' }, service_end: { type: 'string' },
  'pulse-interval': { type: 'string' }, 'zombie-period': { type: 'string' }, 'max-waiting': { type: 'string' }, zombie_period: { type: 'string' }, 'grace-period': { type: 'string' }, 'spare-servers': { type: 'string' },
  'heartbeat-interval': { type: 'string' }, 'peer-timeout': { type: 'string' },
  clean: { type: 'boolean' }, peer: { type: 'string', multiple: true },
  discover: { type: 'boolean' }, 'no-discover': { type: 'boolean' }, 'udp-port': { type: 'string' }, udp_port: { type: 'string' },
  'log-level': { type: 'string' }, debug: { type: 'boolean', short: 'd' }, daemon: { type: 'boolean' },
  config: { type: 'string' }, 'save-config': { type: 'string' }, save_config: { type: 'string' },
  ...DASHBOARD_OPTIONS,
} as const;

/** pycos spellings → the kebab-case key. */
const ALIASES: Record<string, string> = {
  ip_addr: 'host', 'ip-addr': 'host', ext_host: 'ext-host', ext_ip_addr: 'ext-host', node_ports: 'server-ports', tcp_ports: 'server-ports',
  dest_path: 'dest-dir', max_file_size: 'max-file-size', certfile: 'tls-cert', keyfile: 'tls-key', zombie_period: 'zombie-period',
  udp_port: 'udp-port', save_config: 'save-config', service_start: 'service-start', service_stop: 'service-stop', service_end: 'service-end',
};

/** Keys a config file and the environment may set (the secret only through the environment or a file). */
const SETTINGS = ['cpus', 'host', 'ext-host', 'port', 'server-ports', 'name', 'dest-dir', 'max-file-size', 'modules', 'max-package-size', 'secret', 'secret-file', 'insecure',
  'tls-cert', 'tls-key', 'tls-ca', 'serve', 'service-start', 'service-stop', 'service-end', 'pulse-interval', 'heartbeat-interval', 'peer-timeout', 'zombie-period', 'max-waiting', 'grace-period', 'spare-servers', 'clean', 'peer', 'discover', 'udp-port', 'log-level', 'daemon', ...DASHBOARD_SETTINGS];

/** What the command line asked for. */
export interface ParsedCommand {
  help: boolean;
  version: boolean;
  saveConfig: string | undefined;
  daemon: boolean;
  logLevel: string;
  options: DiscoroNodeOptions;
  /** The node's dashboard (undefined: `--no-dashboard`). */
  dashboard: ReturnType<typeof dashboardOptions>;
  /** The settings without the secret (what --save-config writes). */
  settings: Record<string, unknown>;
}

function int(v: unknown, what: string, min = -Infinity): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${what} must be an integer${min > -Infinity ? ` ≥ ${min}` : ''}, got '${String(v)}'`);
  return n;
}

function size(v: unknown, what = '--max-file-size'): number {
  const m = /^(\d+)\s*([kmgt]?)b?$/i.exec(String(v).trim());
  if (m === null) throw new UsageError(`${what} must be a size like 100k, 10m or 2g, got '${String(v)}'`);
  return Number(m[1]) * 1024 ** ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
}

/** The --modules folders, each checked: it exists and has a node_modules folder (or is one). */
function modulesFolders(v: unknown): string[] {
  const dirs = (Array.isArray(v) ? v : [v]).map(String);
  for (const dir of dirs) {
    const folder = path.basename(path.resolve(dir)) === 'node_modules' ? dir : path.join(dir, 'node_modules');
    let ok = false;
    try {
      ok = statSync(folder).isDirectory();
    } catch {
      // reported below
    }
    if (!ok) throw new UsageError(`--modules ${dir}: no node_modules folder there (npm install --prefix ${dir} <package> makes one)`);
  }
  return dirs;
}

function ports(v: unknown): number[] {
  const out: number[] = [];
  for (const part of String(v).split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) throw new UsageError(`--server-ports must be ports or ranges like 9800-9807, got '${part}'`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (a < 1 || b > 65535 || b < a || b - a > 4096) throw new UsageError(`bad port range '${part}'`);
    for (let p = a; p <= b; p++) out.push(p);
  }
  return out;
}

function readFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

/** Settings of the config file: an object of known keys. */
function configFile(file: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(readFile(file, 'config file'));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError(`config file ${file} must hold a JSON object`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    const key = ALIASES[k] ?? k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/_/g, '-');
    if (!SETTINGS.includes(key)) throw new UsageError(`config file ${file}: unknown setting '${k}'`);
    out[key] = v;
  }
  return out;
}

/** Settings from DISCORO_* variables. */
function environment(env: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SETTINGS) {
    const v = env[`DISCORO_${key.toUpperCase().replace(/-/g, '_')}`];
    if (v === undefined || v === '') continue;
    if (['insecure', 'clean', 'discover', 'daemon', 'dashboard'].includes(key)) out[key] = !/^(0|false|no)$/i.test(v);
    else out[key] = key === 'host' || key === 'peer' ? v.split(',') : key === 'modules' ? v.split(path.delimiter) : v;
  }
  return out;
}

/** The service window settings, checked (a bad time or order is a UsageError naming the flag). */
function serviceWindow(s: Record<string, unknown>): Pick<DiscoroNodeOptions, 'serviceStart' | 'serviceStop' | 'serviceEnd'> {
  const text = (key: string): string | undefined => (s[key] === undefined ? undefined : String(s[key]));
  const o = { serviceStart: text('service-start'), serviceStop: text('service-stop'), serviceEnd: text('service-end') };
  try {
    ServiceWindow.from({ start: o.serviceStart, stop: o.serviceStop, end: o.serviceEnd });
  } catch (err) {
    throw new UsageError(`--${(err as Error).message.replace(/^service (start|stop|end)/, 'service-$1').replace(/^a service start/, 'service-start')}`);
  }
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/**
 * Parses `argv` (without node and the script) with `env`; throws UsageError.
 * @example
 * ```ts
 * const cmd = parseCommand(['--cpus', '2', '--port', '9706'], process.env);
 * ```
 */
export function parseCommand(argv: string[], env: Record<string, string | undefined>): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values as Record<string, unknown>;
  const flags: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(v)) {
    const key = ALIASES[k] ?? k;
    if (['help', 'version', 'config', 'save-config', 'debug', 'no-discover', 'no-dashboard'].includes(key)) continue;
    flags[key] = Array.isArray(value) && Array.isArray(flags[key]) ? [...(flags[key] as unknown[]), ...value] : value;
  }
  if (v['no-discover'] === true) flags.discover = false;
  if (v['no-dashboard'] === true) flags.dashboard = false;
  if (v.debug === true) flags['log-level'] ??= 'debug';
  const s: Record<string, unknown> = { ...(typeof v.config === 'string' ? configFile(v.config) : {}), ...environment(env), ...flags };

  const have = machineCpus();
  const o: DiscoroNodeOptions = {};
  if (s.cpus !== undefined) {
    const c = int(s.cpus, '--cpus');
    if (c > have) throw new UsageError(`--cpus ${c} is more than the ${have} CPUs of this machine`);
    if (c <= 0 && have + c <= 0) throw new UsageError(`--cpus ${c} leaves none of the ${have} CPUs of this machine`);
    o.cpus = c;
  }
  const hosts = s.host === undefined ? [] : Array.isArray(s.host) ? s.host.map(String) : [String(s.host)];
  if (hosts.length > 0) o.host = hosts.length === 1 ? hosts[0] : hosts;
  if (s['ext-host'] !== undefined) o.extHost = String(s['ext-host']);
  if (s.port !== undefined) o.port = int(s.port, '--port', 0);
  if (o.port !== undefined && o.port > 65535) throw new UsageError('--port must be at most 65535');
  if (s['server-ports'] !== undefined) o.serverPorts = Array.isArray(s['server-ports']) ? s['server-ports'].map((p) => int(p, '--server-ports', 1)) : ports(s['server-ports']);
  if (s.name !== undefined) o.name = String(s.name);
  if (s['dest-dir'] !== undefined) o.destDir = String(s['dest-dir']);
  if (s['max-file-size'] !== undefined) o.maxFileSize = size(s['max-file-size']);
  if (s.modules !== undefined) o.modules = modulesFolders(s.modules);
  if (s['max-package-size'] !== undefined) o.maxPackageSize = size(s['max-package-size'], '--max-package-size');
  if (o.maxPackageSize === 0) throw new UsageError('--max-package-size must be more than 0');
  if (s.secret !== undefined) o.secret = String(s.secret);
  else if (s['secret-file'] !== undefined) o.secret = readFile(String(s['secret-file']), 'secret file').trim();
  if (o.secret !== undefined && o.secret.length === 0) throw new UsageError('the secret is empty');
  if (s.insecure !== undefined) o.insecure = s.insecure === true;
  if (s['tls-cert'] !== undefined || s['tls-key'] !== undefined) {
    if (s['tls-cert'] === undefined || s['tls-key'] === undefined) throw new UsageError('--tls-cert and --tls-key go together');
    o.tls = { cert: readFile(String(s['tls-cert']), 'certificate'), key: readFile(String(s['tls-key']), 'key') };
    if (s['tls-ca'] !== undefined) o.tls.ca = readFile(String(s['tls-ca']), 'CA certificate');
  }
  if (s.serve !== undefined) {
    o.serve = int(s.serve, '--serve', -1);
    if (o.serve === 0) throw new UsageError('--serve must be positive (or -1: unlimited)');
  }
  Object.assign(o, serviceWindow(s));
  if (s['pulse-interval'] !== undefined) o.pulseInterval = int(s['pulse-interval'], '--pulse-interval', 1);
  if (s['heartbeat-interval'] !== undefined) o.heartbeatInterval = int(s['heartbeat-interval'], '--heartbeat-interval', 1);
  if (s['peer-timeout'] !== undefined) o.peerTimeout = int(s['peer-timeout'], '--peer-timeout', 1);
  if (o.peerTimeout !== undefined && o.peerTimeout < 3 * (o.heartbeatInterval ?? 1000)) {
    throw new UsageError(`--peer-timeout ${o.peerTimeout} must be at least 3 heartbeat intervals (${3 * (o.heartbeatInterval ?? 1000)} ms)`);
  }
  if (s['zombie-period'] !== undefined) o.zombiePeriod = int(s['zombie-period'], '--zombie-period', 1);
  if (s['max-waiting'] !== undefined) o.maxWaiting = int(s['max-waiting'], '--max-waiting', 0);
  if (s['grace-period'] !== undefined) o.gracePeriod = int(s['grace-period'], '--grace-period', 0);
  if (s['spare-servers'] !== undefined) o.spareServers = int(s['spare-servers'], '--spare-servers', 0);
  if (s.clean !== undefined) o.clean = s.clean === true;
  if (s.peer !== undefined) {
    o.peers = (Array.isArray(s.peer) ? s.peer : [s.peer]).map(String);
    for (const p of o.peers) if (!/^[^\s:]+:\d{1,5}$/.test(p)) throw new UsageError(`--peer must be host:port, got '${p}'`);
  }
  if (s.discover !== undefined) o.discover = s.discover !== false;
  if (s['udp-port'] !== undefined) o.udpPort = int(s['udp-port'], '--udp-port', 0);
  const logLevel = String(s['log-level'] ?? 'warn');
  if (!['silent', 'error', 'warn', 'info', 'debug', 'trace'].includes(logLevel)) throw new UsageError(`--log-level must be silent, error, warn, info or debug, got '${logLevel}'`);
  o.logLevel = logLevel;
  const open = hosts.find((h) => !/^(127\.|::1$|localhost$)/.test(h));
  if (o.secret === undefined && o.insecure !== true && open !== undefined) {
    throw new UsageError(`listening on ${open} needs a secret (DISCORO_SECRET, --secret-file) or --insecure`);
  }
  const dashboard = dashboardOptions(s);
  const failedJobs = failedJobsOption(s);
  if (failedJobs !== undefined) o.failedJobs = failedJobs;
  const { secret: _secret, 'dashboard-token': _token, ...settings } = s;
  return {
    help: v.help === true,
    version: v.version === true,
    saveConfig: typeof v['save-config'] === 'string' ? v['save-config'] : typeof v.save_config === 'string' ? v.save_config : undefined,
    daemon: s.daemon === true,
    logLevel,
    options: o,
    dashboard,
    settings,
  };
}
