/**
 * A node's resources as sent with every pulse: CPU load, free memory (node:os) and free disk
 * below its working folder (fs.statfs).
 * @module
 */
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import type { NodeAvailability } from '../protocol.js';

/**
 * Measures the node's availability now.
 * @example
 * ```ts
 * const avail = await nodeAvailability('127.0.0.1:9706', '/tmp/asyncoro');
 * log(avail.cpuLoad, avail.freeMemory, avail.freeDisk);
 * ```
 */
export async function nodeAvailability(location: string, folder: string): Promise<NodeAvailability> {
  const cpus = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const fs = await statfs(folder).catch(() => undefined);
  return {
    location,
    cpuLoad: Math.round((os.loadavg()[0]! / cpus) * 1000) / 10,
    freeMemory: os.freemem(),
    freeDisk: fs === undefined ? undefined : fs.bavail * fs.bsize,
    totalMemory: os.totalmem(),
  };
}
