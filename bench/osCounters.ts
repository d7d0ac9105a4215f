/**
 * What the operating system says about a set of processes (Linux): their established TCP
 * connections (`ss -tnpi`, with the bytes each socket sent and received) and the CPU time they
 * used (`/proc/<pid>/task/<tid>/schedstat`). Used by the scale benchmark and its spec, so that connections are
 * counted from the OS rather than from the runtime's own tables.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** One end of an established TCP connection, as `ss` lists it. */
export interface SocketEnd {
  pid: number;
  local: string;
  peer: string;
  bytesSent: number;
  bytesReceived: number;
}

/**
 * The established TCP sockets owned by `pids` (both ends of a connection between two of them
 * appear, one under each pid).
 * @example
 * ```ts
 * const mine = tcpSockets(new Set([process.pid]));
 * ```
 */
export function tcpSockets(pids: ReadonlySet<number>): SocketEnd[] {
  const out = execFileSync('ss', ['-tnpiH', 'state', 'established'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ends: SocketEnd[] = [];
  let last: SocketEnd | undefined;
  for (const line of out.split('\n')) {
    if (line.length === 0) continue;
    if (/^\s/.test(line)) {
      if (last !== undefined) {
        last.bytesSent = Number(/bytes_sent:(\d+)/.exec(line)?.[1] ?? 0);
        last.bytesReceived = Number(/bytes_received:(\d+)/.exec(line)?.[1] ?? 0);
      }
      continue;
    }
    last = undefined;
    const cols = line.trim().split(/\s+/);
    const pid = Number(/pid=(\d+)/.exec(line)?.[1]);
    if (cols.length < 4 || !pids.has(pid)) continue;
    last = { pid, local: cols[2]!, peer: cols[3]!, bytesSent: 0, bytesReceived: 0 };
    ends.push(last);
  }
  return ends;
}

/**
 * The connections among `pids`: each as the pair of pids at its two ends (a connection to a
 * process outside the set is left out).
 * @example
 * ```ts
 * for (const [a, b] of connectionsAmong(tcpSockets(pids))) log(a, '<->', b);
 * ```
 */
export function connectionsAmong(ends: readonly SocketEnd[]): Array<[number, number]> {
  const byLocal = new Map(ends.map((e) => [e.local, e]));
  const pairs: Array<[number, number]> = [];
  for (const e of ends) {
    const other = byLocal.get(e.peer);
    if (other !== undefined && e.local < e.peer) pairs.push([e.pid, other.pid]);
  }
  return pairs;
}

/**
 * CPU time a process used so far, in ms, with nanosecond precision: the sum over its threads of
 * the time the scheduler ran them (`/proc/<pid>/task/<tid>/schedstat`; /proc/<pid>/stat counts
 * in ticks of 10 ms, too coarse for an idle process). NaN once it is gone.
 * @example
 * ```ts
 * const before = cpuMs(pid);
 * ```
 */
export function cpuMs(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended meanwhile
      }
    }
    return ns / 1e6;
  } catch {
    return NaN;
  }
}

/**
 * The machine's load averages (1, 5, 15 minutes), to print beside a measurement.
 * @example
 * ```ts
 * log(loadAverage()); // '3.12 2.80 2.41'
 * ```
 */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
