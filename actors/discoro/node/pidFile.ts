/**
 * The PID file that keeps two discoronodes from sharing a working folder, and the record of
 * server process ids that `--clean` uses to stop servers a crashed node left behind (kept by the
 * node's `pid-file` coroutine).
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Coro } from '../../../runtime/Coro.js';
import type { Channel } from '../../Channel.js';
import { NodeFolderInUseError } from '../../actorErrors.js';
import type { NodeChange } from './nodeEvents.js';

const PID_FILE = 'discoronode.pid';
const SERVER_PIDS = 'servers.pids';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when `pid` is a live discoro server process (checked through /proc where there is one). */
function isServer(pid: number): boolean {
  if (!alive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('serverMain.js');
  } catch {
    return false;
  }
}

/**
 * Takes the working folder `dir` for this process. Throws NodeFolderInUseError when a live
 * process holds it, or when a node that did not stop cleanly left its PID file (unless `clean`,
 * which then stops that node's leftover servers and removes what it left).
 * @example
 * ```ts
 * const release = takeFolder('/tmp/asyncoro/discoro/node-a', { clean: false });
 * release();
 * ```
 */
export function takeFolder(dir: string, options: { clean: boolean }): () => void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, PID_FILE);
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new NodeFolderInUseError(`${dir} is in use by discoronode pid ${pid}`);
    }
    if (!options.clean) throw new NodeFolderInUseError(`${dir} was left by a discoronode (pid ${pid}) that did not stop cleanly; start with --clean to remove what it left`);
    cleanFolder(dir);
  }
  writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
  return () => {
    rmSync(path.join(dir, SERVER_PIDS), { force: true });
    rmSync(file, { force: true });
  };
}

/** Stops the servers recorded in `dir` that still run, and removes everything in it. */
function cleanFolder(dir: string): void {
  const pids = existsSync(path.join(dir, SERVER_PIDS)) ? readFileSync(path.join(dir, SERVER_PIDS), 'utf8').split('\n').map(Number) : [];
  for (const pid of pids) if (Number.isInteger(pid) && pid > 0 && isServer(pid)) process.kill(pid, 'SIGKILL');
  for (const name of readdirSync(dir)) rmSync(path.join(dir, name), { recursive: true, force: true });
}

/**
 * Records the pids of the servers running now (for `--clean` after a crash).
 * @example
 * ```ts
 * recordServerPids('/tmp/asyncoro/discoro/node-a', [4242, 4243]);
 * ```
 */
export function recordServerPids(dir: string, pids: number[]): void {
  try {
    writeFileSync(path.join(dir, SERVER_PIDS), pids.join('\n'));
  } catch {
    // the folder is being removed (the node stops)
  }
}

/**
 * The body of the `pid-file` coroutine: subscribed to the node's events, it records the server
 * processes (`pids()`, read when one was forked or ended) for `--clean` after a crash.
 * @example
 * ```ts
 * await sup.startChild({ id: 'pid-file', start: (coro: Coro<any, void>) => pidFileWriter(coro, events, root, () => node.serverPids()) });
 * ```
 */
export async function pidFileWriter(coro: Coro<NodeChange, void>, events: Channel<NodeChange>, dir: string, pids: () => number[]): Promise<void> {
  await events.subscribe(coro);
  try {
    recordServerPids(dir, pids());
    for (;;) {
      let changed = (await coro.receive()).kind === 'processes';
      // One record for all the changes that came together.
      for (let m = coro.poll(); m !== undefined; m = coro.poll()) changed ||= m.kind === 'processes';
      if (changed) recordServerPids(dir, pids());
    }
  } finally {
    if (!events.closed) await events.unsubscribe(coro);
  }
}
