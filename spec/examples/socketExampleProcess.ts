/**
 * Runs socket examples as child processes (`node dist/examples/<name>.js`) and
 * watches their stdout line by line. Every child is recorded so that the spec's
 * `after` hook can kill it by pid.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));

/** A running example: its process, the stdout lines so far, and a bounded wait for a line. */
export interface ExampleProcess {
  proc: ChildProcess;
  lines: string[];
  /** Resolves with the first line (from the start) matching `re`; rejects after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code; rejects after `ms`. */
  exited(ms?: number): Promise<number | null>;
}

/** Starts `dist/examples/<name>.js` with `args` and records it in `children`. */
export function startExample(name: string, args: string[], children: ChildProcess[], env: Record<string, string> = {}): ExampleProcess {
  const proc = spawn(process.execPath, [`${examplesDir}${name}.js`, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(proc);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  proc.stdout!.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const fn of listeners) fn();
  });
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let code: number | null | undefined;
  proc.on('exit', (c) => {
    code = c;
    for (const fn of listeners) fn();
  });
  const poll = <T>(check: () => T | undefined, ms: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const done = (): void => {
        const found = check();
        if (found === undefined) return;
        clearTimeout(timer);
        listeners.delete(done);
        resolve(found);
      };
      const timer = setTimeout(() => {
        listeners.delete(done);
        reject(new Error(`${name}: timed out waiting for ${what}; stdout: ${lines.join(' | ')}; stderr: ${stderr}`));
      }, ms);
      listeners.add(done);
      done();
    });
  return {
    proc,
    lines,
    waitFor: (re, ms = 10000) =>
      poll(() => {
        for (const line of lines) {
          const m = line.match(re);
          if (m) return m;
        }
        return undefined;
      }, ms, String(re)),
    exited: (ms = 10000) => poll(() => (code === undefined ? undefined : { code }), ms, 'exit').then((r) => r.code),
  };
}

/** Kills every recorded child by pid. */
export function killAll(children: ChildProcess[]): void {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
