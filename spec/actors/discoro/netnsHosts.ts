/**
 * Fixture of the specs that need several hosts: hosts made of Linux network namespaces, each
 * with one veth pair onto a bridge of the test's own and an address from the documentation
 * range 192.0.2.0/24. Every name carries the test process's pid, so parallel runs do not
 * collide, and leftovers of a crashed run with the same names are removed before starting.
 * Processes started in a host are tracked by pid; `cleanup()` kills them (and anything else
 * left in the namespaces), then deletes the namespaces, the veths and the bridge.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { isRunning } from '../../helpers.js';

/** One host: a namespace, the host side of its veth, its address. */
export interface NetnsHost {
  readonly ns: string;
  readonly veth: string;
  readonly address: string;
}

function ip(args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined) return { ok: false, out: '', err: r.error.message };
  return { ok: r.status === 0, out: r.stdout, err: r.stderr.trim() };
}

function must(args: string[]): string {
  const r = ip(args);
  if (!r.ok) throw new Error(`ip ${args.join(' ')}: ${r.err}`);
  return r.out;
}



/**
 * Why hosts cannot be made here (not Linux, not root, no `ip`), or undefined when they may be;
 * `NetnsLab.setup()` still reports a refusal of the kernel (operation not permitted).
 */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'ip netns needs root';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined) return `the ip command (iproute2) is missing: ${r.error.message}`;
  if (r.status !== 0) return `ip netns list failed: ${r.stderr.trim()}`;
  return undefined;
}

/** `count` hosts on one bridge: 192.0.2.11, .12, ... */
export class NetnsLab {
  readonly bridge: string;
  readonly hosts: NetnsHost[];
  private readonly children: ChildProcess[] = [];

  constructor(count: number, readonly tag = String(process.pid)) {
    this.bridge = `acbr${tag}`;
    this.hosts = Array.from({ length: count }, (_, i) => ({ ns: `asyncoro-${tag}-h${i + 1}`, veth: `acv${tag}h${i + 1}`, address: `192.0.2.${11 + i}` }));
    if (this.longestName() > 15) throw new Error(`interface names from tag ${tag} exceed 15 characters`);
  }

  private longestName(): number {
    return Math.max(this.bridge.length, ...this.hosts.map((h) => h.veth.length));
  }

  /** Removes leftovers of the same names, then makes the bridge and the hosts (throws on a refusal). */
  setup(): void {
    this.removeAll();
    must(['link', 'add', this.bridge, 'type', 'bridge']);
    must(['link', 'set', this.bridge, 'up']);
    for (const h of this.hosts) {
      must(['netns', 'add', h.ns]);
      must(['link', 'add', h.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns]);
      must(['link', 'set', h.veth, 'master', this.bridge, 'up']);
      must(['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
      must(['-n', h.ns, 'link', 'set', 'eth0', 'up']);
      must(['-n', h.ns, 'link', 'set', 'lo', 'up']);
    }
  }

  /** Starts `command args` inside `host` (via `ip netns exec`, which execs it: the pid is the command's). */
  spawn(host: NetnsHost, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', host.ns, command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    return child;
  }

  /** Cuts `host` off the bridge: the host side of its veth goes down (no FIN, no RST: silence). */
  cut(host: NetnsHost): void {
    must(['link', 'set', host.veth, 'down']);
  }

  /** Puts `host` back on the bridge. */
  mend(host: NetnsHost): void {
    must(['link', 'set', host.veth, 'up']);
  }

  /** Kills, by pid, what was started and whatever else runs in the namespaces; waits (bounded) for them to go. */
  async killAll(ms = 5000): Promise<void> {
    const pids = new Set<number>(this.children.flatMap((c) => (c.pid === undefined || c.exitCode !== null || c.signalCode !== null ? [] : [c.pid])));
    for (const h of this.hosts) {
      const r = ip(['netns', 'pids', h.ns]);
      if (r.ok) for (const p of r.out.split(/\s+/).filter(Boolean)) pids.add(Number(p));
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + ms;
    while ([...pids].some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.children.length = 0;
  }

  /** Kills every process, then deletes namespaces, veths and bridge; throws if any of them remains. */
  async cleanup(): Promise<void> {
    await this.killAll();
    this.removeAll();
    const left = this.leftovers();
    if (left.length > 0) throw new Error(`left behind: ${left.join(', ')}`);
  }

  /** Names of this lab's namespaces and links that exist now. */
  leftovers(): string[] {
    const namespaces = ip(['netns', 'list']).out;
    const links = ip(['-o', 'link', 'show']).out;
    return [...this.hosts.map((h) => h.ns).filter((ns) => new RegExp(`^${ns}\\b`, 'm').test(namespaces)),
      ...[this.bridge, ...this.hosts.map((h) => h.veth)].filter((l) => new RegExp(`: ${l}[@:]`).test(links))];
  }

  private removeAll(): void {
    for (const h of this.hosts) {
      ip(['link', 'del', h.veth]); // takes its peer in the namespace along
      ip(['netns', 'del', h.ns]);
    }
    ip(['link', 'del', this.bridge]);
  }
}
