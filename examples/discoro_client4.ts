/**
 * Port of asyncoro's discoro_client4.py: files both ways. The data files are shipped with the
 * computation (client → servers); each job numbers the lines of one file ("lineno: length"),
 * writes result-<file> and sends it back to the client with the server's file transfer
 * (server → client); the client moves it to the current folder (or OUT_DIR).
 *
 * Run: `DISCORO_SECRET=s node dist/examples/discoro_client4.js host:port [files...]`.
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Computation } from '../actors/discoro/client/Computation.js';
import { Network } from '../actors/remote/Network.js';
import { isMain } from './util.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const [node, ...given] = argv;
  const files = given.length > 0 ? given : [path.resolve(here, '../../examples/fixtures/syslog.txt'), path.resolve(here, '../../examples/discoro_client4.ts')];
  const inbox = mkdtempSync(path.join(os.tmpdir(), 'discoro-client4-'));
  const computation = new Computation({
    components: [path.join(here, 'discoro_components/files.js'), ...files],
    nodes: node !== undefined ? [node] : undefined,
    secret: process.env.DISCORO_SECRET,
    network: { destDir: inbox },
  });
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');
  const me = String(Network.of(computation.scheduler)!.location);
  const names = await computation.runResults<string>('lineLengths', files.map((f) => [path.basename(f), me]));
  const out = process.env.OUT_DIR ?? process.cwd();
  for (const [i, name] of names.entries()) {
    renameSync(path.join(inbox, 'discoro-results', name), path.join(out, name));
    console.log(`job ${i} output is in ${path.join(out, name)}`);
  }
  rmSync(inbox, { recursive: true, force: true });
  await computation.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
