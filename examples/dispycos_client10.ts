/**
 * Port of pycos's dispycos_client10.py: one file per server, and a fresh server after each file.
 * When a server is ready (`server-initialized`), the client sends it the next file and runs
 * `fileChecksums` there, which sends back "<alg>sum" lines one by one and then closes its server
 * with `this.closeServer({ restart: true })` (pycos's dispycos_close_server with
 * restart_servers): the node starts a fresh server process in its place, which takes the next
 * file. So each file is checksummed by a server process of its own.
 *
 * Run: `DISCORO_SECRET=s node dist/examples/dispycos_client10.js host:port [files...]` (SCALE=0.1 shortens the pauses).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Computation, Network, type Coro } from '../index.js';
import { isMain, scale } from './util.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const [node, ...given] = argv;
  const files = given.length > 0 ? given : ['fixtures/syslog.txt', 'dispycos_client10.ts', 'discoro_client4.ts', 'chat_server2.ts'].map((f) => path.resolve(here, '../../examples', f));
  const computation = new Computation({ name: 'client10', components: [path.join(here, 'discoro_components/checksums.js')], nodes: node !== undefined ? [node] : undefined, secret: process.env.DISCORO_SECRET });
  const statuses = computation.status();
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');
  const net = Network.of(computation.scheduler)!;
  const receivers: Array<Coro<unknown, void>> = [];

  /** Sends the file to the server, and prints the checksums its job sends back. */
  const useServer = async (server: string, file: string): Promise<void> => {
    const name = path.basename(file);
    console.log(`sending ${name} to ${server}`);
    await net.sendFile(server, file, { overwrite: true, timeout: 10_000 });
    const receiver = computation.scheduler.spawn(async (coro: Coro<unknown, void>) => {
      for (let m = await coro.receive(); m !== null; m = await coro.receive()) {
        const [f, alg, sum] = m as [string, string, string];
        console.log(`${alg}sum for ${f}: ${sum}`);
      }
    });
    receivers.push(receiver);
    if ((await computation.runAt(server, 'fileChecksums', name, receiver, scale(2000))) === false) throw new Error(`${server} took no job`);
  };

  // Until each file's server has closed itself (and, but for the last ones, been replaced).
  let next = 0;
  let closed = 0;
  for await (const s of statuses) {
    if (s.kind === 'server-initialized' && next < files.length) await useServer(s.server.location, files[next++]!);
    else if (s.kind === 'server-closed') console.log(`server ${s.server.location} closed`);
    else if (s.kind === 'job-failed') throw s.error;
    if (s.kind === 'server-closed' && ++closed === files.length) break;
  }
  for (const r of receivers) await r.finish(); // each ends at its file's null
  await computation.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
