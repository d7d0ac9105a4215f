/**
 * Runs a compiled example as a real child process and collects its output.
 * The child is killed by pid if it outlives its time limit.
 */
import { spawn, type ChildProcessByStdio, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const examplesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples');

/** Output and exit status of one example run. */
export interface ExampleRun {
  code: number | null;
  stdout: string;
  stderr: string;
  lines: string[];
}

/** Collects `child`'s output until it exits; kills it by pid and rejects once `limitMs` has passed. */
function collect(child: ChildProcessWithoutNullStreams | ChildProcessByStdio<null, Readable, Readable>, what: string, limitMs: number): Promise<ExampleRun> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not exit within ${limitMs} ms; output so far:\n${stdout}\n${stderr}`));
    }, limitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, lines: stdout.split('\n').filter((l) => l.length > 0) });
    });
  });
}

/** Runs `dist/examples/<name>.js` with `args` and extra environment; rejects after `limitMs`. */
export function runExample(name: string, args: string[] = [], env: Record<string, string> = {}, limitMs = 30000): Promise<ExampleRun> {
  const child = spawn(process.execPath, [path.join(examplesDir, `${name}.js`), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collect(child, name, limitMs);
}

/** Runs `command` in `sh -c` (as a person would type it) with extra environment; rejects after `limitMs`. */
export function runShell(command: string, options: { cwd?: string; env?: Record<string, string> } = {}, limitMs = 30000): Promise<ExampleRun> {
  const child = spawn('sh', ['-c', command], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child, `\`${command}\``, limitMs);
}
