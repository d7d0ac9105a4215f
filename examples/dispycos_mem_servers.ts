/**
 * Port of pycos's dispycos_mem_servers.py: each server as an addressable unit with its own
 * memory. When a server is ready the client sends it a file; `initMem` loads the file into that
 * server process's memory (`this.memory`), and `memCompute` then serves requests about the data in
 * memory until it gets null: one to one (the client sends it `[alg, pause]` and it answers the
 * checksum), and by a channel (the client asks every server at once how much it holds). The client
 * prints "server at <server> computed <alg> for <file>: <hex>" and "<server> holds <file>: <n> bytes".
 *
 * Run: `DISCORO_SECRET=s node dist/examples/dispycos_mem_servers.js host:port [files...]` (SCALE=0.1 shortens the pauses).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Channel, Computation, Network, type Coro, type JobCoro } from '../index.js';
import { isMain, randomFromEnv, scale } from './util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha512'];

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const [node, ...given] = argv;
  const files = given.length > 0 ? given : ['fixtures/syslog.txt', 'dispycos_mem_servers.ts'].map((f) => path.resolve(here, '../../examples', f));
  const computation = new Computation({ name: 'mem_servers', components: [path.join(here, 'discoro_components/checksums.js')], nodes: node !== undefined ? [node] : undefined, secret: process.env.DISCORO_SECRET });
  const net = (): Network => Network.of(computation.scheduler)!;
  const random = randomFromEnv();
  const statuses = computation.status();
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');

  /** One server, one file: load it there, then five requests one to one, answered in turn. */
  const useServer = (server: string, file: string): Coro<unknown, JobCoro> => computation.scheduler.spawn(async (coro: Coro<unknown, JobCoro>) => {
    const name = path.basename(file);
    await net().sendFile(server, file, { overwrite: true, timeout: 10_000 });
    if ((await computation.runResultAt(server, 'initMem', name)) !== 0) throw new Error(`initMem failed at ${server}`);
    const job = await computation.runAsyncAt(server, 'memCompute', coro);
    if (job === false) throw new Error(`${server} took no job`);
    for (let k = 0; k < 5; k++) {
      const alg = ALGORITHMS[Math.floor(random() * ALGORITHMS.length)]!;
      job.send([alg, scale(2000 + random() * 3000)]);
      const [, sum] = (await coro.receive({ timeout: 60_000 })) as [string, string];
      console.log(`server at ${server} computed ${alg} for ${name}: ${sum}`);
    }
    return job;
  });

  const users: Array<Coro<unknown, JobCoro>> = [];
  for await (const s of statuses) {
    if (s.kind === 'server-initialized' && users.length < files.length) users.push(useServer(s.server.location, files[users.length]!));
    if (users.length === files.length || s.kind === 'node-initialized') break;
  }
  const jobs = (await Promise.all(users.map((u) => u.finish()))) as JobCoro[];

  // One to many: the same question to every server, through a channel they are all subscribed to.
  const channel = new Channel<unknown>('dispycos_mem_servers', { scheduler: computation.scheduler });
  const sizes = computation.scheduler.spawn(async (coro: Coro<[string, string, number], void>) => {
    for (const job of jobs) await channel.subscribe(job);
    channel.send(['size', coro]);
    for (let k = 0; k < jobs.length; k++) {
      const [server, file, bytes] = await coro.receive({ timeout: 60_000 }) ?? ['?', '?', -1];
      console.log(`${server} holds ${file}: ${bytes} bytes`);
    }
    channel.send(null); // the end of requests, to every server at once
  });
  await sizes.finish();
  for (const job of jobs) await job.finish({ timeout: 30_000 });
  await computation.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
