/**
 * Fixture of the discoro specs: real discoronode processes on 127.0.0.1 (killed by pid in an
 * `after` hook, with the servers they forked), component files in a temporary folder, and
 * computations on fresh schedulers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Computation, type ComputationOptions } from '../../../actors/discoro/client/Computation.js';
import type { DiscoroStatus } from '../../../actors/discoro/client/discoroStatus.js';
import { Scheduler } from '../../../runtime/Scheduler.js';

export const SECRET = 'discoro spec secret';
export const DISCORONODE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/discoronode.js');

/** A discoronode process and its output. */
export class NodeProcess {
  readonly lines: string[] = [];
  stderr = '';
  location = '';
  /** Working folder and name (set by the fixture's node()). */
  dir = '';
  name = '';
  code: number | null | undefined = undefined;
  private readonly exitWaiters: Array<() => void> = [];
  private readonly lineWaiters: Array<() => void> = [];

  constructor(readonly child: ChildProcess) {
    let partial = '';
    child.stdout!.on('data', (d: Buffer) => {
      partial += d.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
      for (const w of this.lineWaiters.splice(0)) w();
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.on('exit', (code) => {
      this.code = code;
      for (const w of [...this.exitWaiters.splice(0), ...this.lineWaiters.splice(0)]) w();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Waits (bounded) for an output line matching `re`. */
  async line(re: RegExp, ms = 15_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.lines.find((l) => re.test(l));
      if (found !== undefined) return found;
      if (this.code !== undefined) throw new Error(`discoronode exited (${this.code}) before printing ${re}:\n${this.lines.join('\n')}\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no line ${re} within ${ms} ms:\n${this.lines.join('\n')}\n${this.stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, deadline - Date.now());
        this.lineWaiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Resolves with the exit code (bounded). */
  exited(ms = 15_000): Promise<number | null> {
    if (this.code !== undefined) return Promise.resolve(this.code);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`discoronode did not exit within ${ms} ms`)), ms);
      this.exitWaiters.push(() => {
        clearTimeout(t);
        resolve(this.code!);
      });
    });
  }
}

/** Starts and tracks node processes and folders; `cleanup()` kills and removes all of them. */
export function discoroFixture(): {
  dir: string;
  run(args: string[], env?: Record<string, string>): NodeProcess;
  node(args?: string[], env?: Record<string, string>): Promise<NodeProcess>;
  component(name: string, source: string): string;
  computation(options: Omit<ComputationOptions, 'scheduler'>): Computation;
  kill(pid: number): void;
  cleanup(): Promise<void>;
} {
  // Made on first use, not when the describe block is defined: a run filtered with --grep that
  // skips the block leaves no empty folder behind.
  let made: string | undefined;
  const folder = (): string => (made ??= mkdtempSync(path.join(os.tmpdir(), 'discoro-spec-')));
  const procs: NodeProcess[] = [];
  const comps: Computation[] = [];
  const pids = new Set<number>();
  let nodes = 0;
  const run = (args: string[], env: Record<string, string> = {}): NodeProcess => {
    const child = spawn(process.execPath, [DISCORONODE, ...args], { env: { ...process.env, DISCORO_SECRET: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const p = new NodeProcess(child);
    procs.push(p);
    return p;
  };
  const kill = (pid: number): void => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  return {
    get dir() {
      return folder();
    },
    run,
    kill,
    async node(args = [], env = {}) {
      const dest = path.join(folder(), `node-${++nodes}`);
      const p = run(['--cpus', '2', '--no-discover', '--dest-dir', dest, '--pulse-interval', '200', '--name', `spec-node-${nodes}`, ...args], { DISCORO_SECRET: SECRET, ...env });
      p.dir = dest;
      p.name = `spec-node-${nodes}`;
      const line = await p.line(/listening at/);
      p.location = /listening at (\S+)/.exec(line)![1]!;
      return p;
    },
    component(name, source) {
      const file = path.join(folder(), name);
      writeFileSync(file, source);
      return file;
    },
    computation(options) {
      const c = new Computation({ secret: SECRET, pulseInterval: 200, scheduler: new Scheduler(), ...options });
      comps.push(c);
      return c;
    },
    async cleanup() {
      for (const c of comps) {
        for (const s of c.servers()) pids.add(s.pid);
        await c.close({ terminate: true, timeout: 2000 }).catch(() => undefined);
        await c.scheduler.terminate();
      }
      for (const p of procs) if (p.code === undefined) kill(p.pid);
      for (const pid of pids) kill(pid);
      if (made !== undefined) rmSync(made, { recursive: true, force: true });
      made = undefined;
    },
  };
}

/** Collects a computation's status messages; `until(kind)` waits (bounded) for one. */
export function statusLog(c: Computation): { seen: DiscoroStatus[]; until(pred: (s: DiscoroStatus) => boolean, ms?: number): Promise<DiscoroStatus> } {
  const seen: DiscoroStatus[] = [];
  const waiters: Array<() => void> = [];
  void (async () => {
    for await (const s of c.status()) {
      seen.push(s);
      for (const w of waiters.splice(0)) w();
    }
  })();
  return {
    seen,
    async until(pred, ms = 15_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = seen.find(pred);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no such status within ${ms} ms; seen: ${seen.map((s) => s.kind).join(', ')}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, deadline - Date.now());
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
  };
}

/** The component most specs use. */
export const WORK = `
export async function compute(coro, i, ms) { await coro.sleep(ms); return { i, pid: process.pid }; }
export function square(coro, x) { return x * x; }
export function fail(coro, message) { throw new Error(message); }
export async function forever(coro) { for (;;) await coro.sleep(1000); }
export function cwd() { return process.cwd(); }
`;
