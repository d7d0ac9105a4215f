/**
 * A component module of dispycos_client10 and dispycos_mem_servers: shipped to the nodes and
 * imported by every server. Jobs get their JobContext as `this`, the job coroutine, then their
 * arguments; a file the client sent to a server is in that server's working folder.
 */
import { createHash, getHashes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import type { JobContext } from '../../index.js';

type Sleeper = { sleep(ms: number): Promise<unknown>; receive(options?: { timeout?: number }): Promise<unknown> };
type Address = { send(message: unknown): boolean };

/** The algorithms both ends have (the client checks the checksums against its own). */
export const ALGORITHMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'].filter((a) => getHashes().includes(a));

/**
 * dispycos_client10: the checksums of a file sent to this server, each sent to `reply` as it is
 * ready (a pause of `pauseMs` each, as if it took long), then null; then this server closes, to be
 * replaced by a fresh one (the file's data leaves with its process).
 */
export async function fileChecksums(this: JobContext, coro: Sleeper, file: string, reply: Address, pauseMs: number): Promise<number> {
  const data = readFileSync(file);
  for (const alg of ALGORITHMS) {
    await coro.sleep(pauseMs);
    reply.send([file, alg, createHash(alg).update(data).digest('hex')]);
  }
  reply.send(null);
  rmSync(file);
  this.closeServer({ restart: true });
  return ALGORITHMS.length;
}

/** dispycos_mem_servers: loads a file sent to this server into its memory, for the jobs that follow. */
export function initMem(this: JobContext, _coro: Sleeper, file: string): number {
  this.memory.set('data', readFileSync(file));
  this.memory.set('file', file);
  rmSync(file);
  return 0;
}

/**
 * dispycos_mem_servers: serves requests about the data in this server's memory until null: one
 * to one (`[alg, pauseMs]`: its checksum, to `reply`) and by a channel the client broadcasts on
 * (`['size', replyTo]`: how much it holds).
 */
export async function memCompute(this: JobContext, coro: Sleeper, reply: Address): Promise<number> {
  const data = this.memory.get('data') as Buffer;
  let served = 0;
  for (;;) {
    const m = (await coro.receive()) as [string, unknown] | null;
    if (m === null) break;
    if (m[0] === 'size') (m[1] as Address).send([this.server, this.memory.get('file'), data.length]);
    else {
      await coro.sleep(m[1] as number);
      reply.send([m[0], createHash(m[0]).update(data).digest('hex')]);
    }
    served++;
  }
  return served;
}
