/**
 * The benchmarks' discoronode processes: the location a node prints once it listens.
 * @module
 */
import type { ChildProcess } from 'node:child_process';

/** Resolves with the location `node` prints ("listening at <location>"); rejects if it exits first. */
export function listeningAt(node: ChildProcess, label = 'discoronode'): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    node.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening at (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    node.once('exit', (code) => reject(new Error(`${label} exited (${code})`)));
  });
}
