/**
 * A component module of discoro_client4 and discoro_client9_server: shipped to the nodes and
 * imported by every server. Jobs get the job coroutine first, then their arguments.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

type JobCoro = { scheduler: { network?: unknown } };
type FileSender = { sendFile(location: string, file: string, options: { dir?: string; overwrite?: boolean; timeout?: number }): Promise<{ sent: boolean }> };

/** The computation folder: components and data files are there; each server works in server-<i> below it. */
const folder = (): string => path.dirname(process.cwd());

/** discoro_client4: numbers the lines of a shipped data file and sends the result back to the client. */
export async function lineLengths(coro: JobCoro, file: string, client: string): Promise<string> {
  const lines = readFileSync(path.join(folder(), file), 'utf8').split('\n');
  const result = path.join(process.cwd(), `result-${file}`);
  writeFileSync(result, lines.map((l, k) => `${k + 1}: ${l.length}`).join('\n') + '\n');
  await (coro.scheduler.network as FileSender).sendFile(client, result, { dir: 'discoro-results', overwrite: true, timeout: 10_000 });
  return path.basename(result);
}

let data: Map<string, Buffer> | undefined;

/** discoro_client9_server: server setup, loading every data file (not the modules) into this server's memory. */
export function loadData(_coro: JobCoro): number {
  const names = readdirSync(folder(), { withFileTypes: true }).filter((e) => e.isFile() && !e.name.endsWith('.js')).map((e) => e.name);
  data = new Map(names.map((f) => [f, readFileSync(path.join(folder(), f))]));
  return data.size > 0 ? 0 : 1;
}

/** discoro_client9_server: a checksum of data loaded by the setup (no file read per job). */
export function checksum(_coro: JobCoro, file: string, alg: string): string {
  const bytes = data?.get(file);
  if (bytes === undefined) throw new Error(`${file} was not loaded`);
  return createHash(alg).update(bytes).digest('hex');
}
