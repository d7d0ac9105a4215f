/**
 * Port of asyncoro's tut_sock_server.py: a server that accepts connections and
 * prints every message it receives (messages end with '/'). One coroutine per
 * connection; the accept loop is a daemon.
 *
 * Run: `node dist/examples/tut_sock_server.js [port]` (default: an ephemeral port, printed).
 * Type `quit` (or close stdin) to stop; it then prints `n = <messages received>`.
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { AsyncServer, spawn, spawnWith, type AsyncSocket, type Coro } from '../index.js';

let received = 0;

async function serveClient(coro: Coro, conn: AsyncSocket): Promise<void> {
  let pending = '';
  for (;;) {
    const data = await conn.recv(1024, { coro });
    if (data.length === 0) break;
    pending += data.toString();
    for (let end = pending.indexOf('/'); end >= 0; end = pending.indexOf('/')) {
      received += 1;
      console.log(`received: ${pending.slice(0, end + 1)}`);
      pending = pending.slice(end + 1);
    }
  }
  conn.close();
}

/** Listens on `port` (0: ephemeral) and serves until stdin says quit. */
export async function main(port = Number(process.argv[2] ?? 0)): Promise<void> {
  const server = await AsyncServer.listen({ host: '127.0.0.1', port });
  console.log(`listening on ${server.port}`);
  spawnWith({ daemon: true, name: 'acceptor' }, async (coro) => {
    for (;;) spawn(serveClient, await server.accept({ coro }));
  });
  for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'quit') break;
  server.close();
  console.log(`n = ${received}`);
  process.exit(0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
