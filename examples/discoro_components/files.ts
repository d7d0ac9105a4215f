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

/** discoro_client9_server: server setup, loading the data files it is given (default: all but the modules) into this server's memory. */
export function loadData(_coro: JobCoro, only?: string[]): number {
  const names = only ?? readdirSync(folder(), { withFileTypes: true }).filter((e) => e.isFile() && !e.name.endsWith('.js')).map((e) => e.name);
  data = new Map(names.map((f) => [f, readFileSync(path.join(folder(), f))]));
  return data.size > 0 ? 0 : 1;
}

/** discoro_client9_server: a checksum of data loaded by the setup (no file read per job). */
export function checksum(_coro: JobCoro, file: string, alg: string): string {
  const bytes = data?.get(file);
  if (bytes === undefined) throw new Error(`${file} was not loaded`);
  return createHash(alg).update(bytes).digest('hex');
}

const ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'];

/** discoro_client9_node: node setup (once per node, before its servers start), checksumming the files the client sent. */
export function nodeChecksums(_coro: JobCoro, files: string[]): number {
  const sums: Record<string, string> = {};
  for (const f of files) {
    const bytes = readFileSync(path.join(process.cwd(), '..', f)); // node setup works in <computation>/node-setup
    for (const alg of ALGORITHMS) sums[`${alg} ${f}`] = createHash(alg).update(bytes).digest('hex');
  }
  writeFileSync(path.join(process.cwd(), '..', 'node-sums.json'), JSON.stringify(sums));
  return 0;
}

/** discoro_client9_node: a checksum the node setup prepared. */
export function nodeSum(_coro: JobCoro, file: string, alg: string): string {
  const sums = JSON.parse(readFileSync(path.join(folder(), 'node-sums.json'), 'utf8')) as Record<string, string>;
  const sum = sums[`${alg} ${file}`];
  if (sum === undefined) throw new Error(`no ${alg} sum of ${file}`);
  return sum;
}
