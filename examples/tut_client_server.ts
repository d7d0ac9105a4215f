/**
 * Port of asyncoro's tut_client_server.py: a daemon server coroutine processes
 * messages from ten clients (three each). The global counter needs no lock:
 * coroutines are never preempted. The process exits when the clients are done
 * even though the daemon server loops forever.
 *
 * Run: `node dist/examples/tut_client_server.js` (SCALE and SEED as in tut_coros).
 */
import { spawn, spawnWith, type Coro } from '../index.js';
import { isMain, randomFromEnv, scale } from './util.js';

type Request = { client: number; n: number };
let processed = 0;

async function server(coro: Coro<Request>): Promise<void> {
  for (;;) {
    const { client, n } = await coro.receive();
    processed += 1;
    console.log(`processing ${processed}: ${client} / ${n}`);
  }
}

async function client(coro: Coro, serverCoro: Coro<Request>, i: number, random: () => number): Promise<void> {
  for (let n = 0; n < 3; n++) {
    await coro.sleep(scale(random() * 1000));
    serverCoro.send({ client: i, n });
  }
}

/** Runs the server and ten clients; resolves when the clients are done. */
export async function main(clients = 10): Promise<void> {
  const random = randomFromEnv();
  const srv = spawnWith({ daemon: true, name: 'server' }, server);
  const all = [];
  for (let i = 0; i < clients; i++) all.push(spawn(client, srv, i, random));
  await Promise.all(all.map((c) => c.finish()));
  await spawn(async (coro) => coro.sleep(0)).finish(); // let the server drain its mailbox
}

if (isMain(import.meta.url)) void main();
