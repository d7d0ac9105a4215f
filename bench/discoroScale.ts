/**
 * discoro as the cluster grows, on loopback: N `discoronode` processes (`--cpus 2`, a secret, no
 * spare servers unless asked), and a client (this process) with one Computation on all of them:
 * P = 3N + 1 processes. For each N it prints (one JSON line each):
 * - `processes`, and the established TCP connections among them counted from the OS (`ss`):
 *   in all (baseline: the full mesh, P(P-1)/2), per process (mean), the most any server holds,
 *   the most any node holds, and how many server↔server pairs are connected;
 * - idle CPU over a window with no job running (after the cluster settled), from /proc: the whole
 *   cluster's and the mean per process, in % of one core (and per role: client, node, server);
 * - the bytes the processes' peer connections carried in that window, kB/s (heartbeats, pulses);
 * - the time from creating the client's Computation to every server initialized, ms;
 * - on how many nodes a batch of jobs ran (all of them is N).
 * The load average is printed with each N: on a shared machine, run it again and compare.
 *
 * Run: `node dist/bench/discoroScale.js [Ns=2,4,8,12,16] [discovery=seeds|broadcast|nodes] [spares=0] [idleMs=20000]`.
 * `SCALE_SETTLE_MS` (15000) is how long the cluster settles after its servers are up, before the idle window.
 * `seeds`: node 1 is every other node's `--peer` and the client's seed (the client discovers);
 * `broadcast`: UDP discovery on a port of its own; `nodes`: the client lists every node.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Computation } from '../actors/discoro/client/Computation.js';
import { Scheduler } from '../index.js';
import { isMain, printFigure } from './figure.js';
import { connectionsAmong, cpuMs, loadAverage, tcpSockets } from './osCounters.js';
import { listeningAt } from './nodeListening.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/discoronode.js');
const SECRET = 'scale bench secret 0123456789abcdef';
/** After every server is up, the cluster settles this long before the idle window. */
const SETTLE_MS = Number(process.env.SCALE_SETTLE_MS ?? 15_000);

type Discovery = 'seeds' | 'broadcast' | 'nodes';

async function where(coro: { sleep(ms: number): Promise<unknown> }, ms: number): Promise<number> {
  await coro.sleep(ms);
  return process.pid;
}

interface NodeProcess {
  child: ChildProcess;
  location: string;
}

function startNode(i: number, dir: string, args: string[]): Promise<NodeProcess> {
  const child = spawn(process.execPath, [BIN, '--cpus', '2', '--daemon', '--name', `n${i}`, '--dest-dir', path.join(dir, `n${i}`), ...args], {
    env: { ...process.env, DISCORO_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return listeningAt(child, `discoronode n${i}`).then((location) => ({ child, location }));
}

async function stopNode(n: NodeProcess): Promise<void> {
  if (n.child.exitCode !== null) return;
  const exited = new Promise((r) => n.child.once('exit', r));
  n.child.kill('SIGTERM');
  const killer = setTimeout(() => n.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One cluster of `n` nodes: started, measured, stopped. */
async function measure(n: number, discovery: Discovery, spares: number, idleMs: number): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncoro-bench-scale-'));
  const udpPort = 20_000 + Math.floor(Math.random() * 20_000);
  const common = ['--spare-servers', String(spares), ...(discovery === 'broadcast' ? ['--discover', '--udp-port', String(udpPort)] : ['--no-discover'])];
  const nodes: NodeProcess[] = [];
  const sched = new Scheduler();
  const load = loadAverage();
  try {
    nodes.push(await startNode(1, dir, common));
    const seed = discovery === 'seeds' ? ['--peer', nodes[0]!.location] : [];
    nodes.push(...(await Promise.all(Array.from({ length: n - 1 }, (_, k) => startNode(k + 2, dir, [...common, ...seed])))));
    if (spares > 0) await sleep(3000); // the spares are forked and loaded

    const t0 = performance.now();
    const comp = new Computation({
      components: [where], secret: SECRET, scheduler: sched,
      ...(discovery === 'nodes' ? { nodes: nodes.map((x) => x.location) } : { discover: true }),
      network: discovery === 'seeds' ? { seeds: [nodes[0]!.location] } : discovery === 'broadcast' ? { discover: true, udpPort } : {},
    });
    const statuses = comp.status();
    if (!(await comp.schedule({ timeout: 60_000 }))) throw new Error('no server within 60 s');
    let up = 0;
    for await (const s of statuses) if (s.kind === 'server-initialized' && ++up >= 2 * n) break;
    const upMs = performance.now() - t0;

    const servers = comp.servers();
    const roles = new Map<number, 'client' | 'node' | 'server'>([[process.pid, 'client']]);
    for (const x of nodes) roles.set(x.child.pid!, 'node');
    for (const s of servers) roles.set(s.pid, 'server');
    const pids = new Set(roles.keys());

    await sleep(SETTLE_MS);
    const before = { cpu: new Map([...pids].map((p) => [p, cpuMs(p)] as const)), bytes: tcpSockets(pids) };
    const t1 = performance.now();
    await sleep(idleMs);
    const seconds = (performance.now() - t1) / 1000;
    const after = tcpSockets(pids);
    const cpuPct = new Map<number, number>();
    for (const [pid, was] of before.cpu) cpuPct.set(pid, (cpuMs(pid) - was) / 10 / seconds);
    const sent = (ends: typeof after): number => ends.reduce((sum, e) => sum + e.bytesSent, 0);
    const kBps = (sent(after) - sent(before.bytes.filter((b) => after.some((a) => a.local === b.local)))) / 1024 / seconds;

    const pairs = connectionsAmong(after);
    const perPid = new Map<number, number>();
    for (const [a, b] of pairs) for (const p of [a, b]) perPid.set(p, (perPid.get(p) ?? 0) + 1);
    const of = (role: string): number[] => [...roles].filter(([, r]) => r === role).map(([pid]) => pid);
    const maxOf = (role: string): number => Math.max(0, ...of(role).map((p) => perPid.get(p) ?? 0));
    const meanCpu = (role: string): number => of(role).reduce((s, p) => s + cpuPct.get(p)!, 0) / of(role).length;
    const serverPairs = pairs.filter(([a, b]) => roles.get(a) === 'server' && roles.get(b) === 'server').length;
    const total = [...cpuPct.values()].reduce((a, b) => a + b, 0);

    const ran = await comp.runResults(where, Array.from({ length: 8 * n }, () => [20]), { timeout: 60_000 });
    const nodeOf = new Map(servers.map((s) => [s.pid, s.node]));
    const nodesUsed = new Set((ran === false ? [] : ran).map((pid) => nodeOf.get(pid))).size;
    await comp.close({ timeout: 10_000 });

    const P = pids.size;
    const fig = (metric: string, value: number, baseline?: number, target?: string): void => printFigure({ bench: 'discoroScale', metric: `${metric}_N${n}`, value, baseline, target });
    console.log(JSON.stringify({ bench: 'discoroScale', N: n, discovery, spares, processes: P, idleSeconds: Math.round(seconds * 10) / 10, loadAverage: load }));
    fig('processes', P);
    fig('connections_total', pairs.length, (P * (P - 1)) / 2);
    fig('connections_per_process_mean', (2 * pairs.length) / P);
    fig('server_connections_max', maxOf('server'), undefined, '<= 3');
    fig('node_connections_max', maxOf('node'));
    fig('client_connections', perPid.get(process.pid) ?? 0);
    fig('server_server_pairs_connected', serverPairs, ((2 * n) * (2 * n - 1)) / 2);
    fig('idle_cpu_cluster_pct_of_one_core', total);
    fig('idle_cpu_per_process_pct', total / P, undefined, 'flat in N (within 20 %)');
    fig('idle_cpu_client_pct', meanCpu('client'));
    fig('idle_cpu_node_pct_mean', meanCpu('node'));
    fig('idle_cpu_server_pct_mean', meanCpu('server'));
    fig('idle_peer_traffic_kB_per_s', kBps);
    fig('client_start_to_all_servers_up_ms', upMs, undefined, n === 16 ? '<= 1500 (with spares)' : undefined);
    fig('nodes_that_ran_jobs', nodesUsed, n);
  } finally {
    await sched.terminate();
    await Promise.all(nodes.map(stopNode));
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the scale benchmark for each cluster size in `ns`.
 * @example
 * ```ts
 * await run([2, 4], 'seeds', 0, 5000);
 * ```
 */
export async function run(ns: number[] = [2, 4, 8, 12, 16], discovery: Discovery = 'seeds', spares = 0, idleMs = 20_000): Promise<void> {
  for (const n of ns) await measure(n, discovery, spares, idleMs);
}

if (isMain(import.meta.url)) {
  const [ns, discovery, spares, idleMs] = process.argv.slice(2);
  await run(ns === undefined ? undefined : ns.split(',').map(Number), (discovery ?? 'seeds') as Discovery, Number(spares ?? 0), Number(idleMs ?? 20_000));
}
