/**
 * Port of asyncoro's webserver.py ("Ping Pong"): every HTTP request gets
 * `HTTP/1.0 200 OK` with the 5-byte body `Pong!`; one coroutine per connection.
 *
 * Run: `node dist/examples/webserver.js [port]` (default: ephemeral, printed), then
 * `curl http://127.0.0.1:<port>/`. Type `quit` (or close stdin) to stop.
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { AsyncServer, spawn, spawnWith, type AsyncSocket, type Coro } from '../index.js';

const RESPONSE = Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nPong!');

async function serve(coro: Coro, conn: AsyncSocket): Promise<void> {
  try {
    // Read the request head: lines up to the empty one.
    for (let i = 0; i < 100; i++) {
      const line = await conn.recvLine({ coro, timeout: 10000, maxLength: 8192 });
      if (line.length === 0 || line.toString().trim() === '') break;
    }
    await conn.sendAll(RESPONSE, { coro, timeout: 10000 });
  } catch {
    // a client that misbehaves only loses its own connection
  } finally {
    conn.close();
  }
}

/** Serves on `port` until stdin says quit. */
export async function main(port = Number(process.argv[2] ?? 0)): Promise<void> {
  const server = await AsyncServer.listen({ host: '127.0.0.1', port, backlog: 1024 });
  console.log(`listening on ${server.port}`);
  spawnWith({ daemon: true, name: 'acceptor' }, async (coro) => {
    for (;;) spawn(serve, await server.accept({ coro }));
  });
  for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'quit') break;
  server.close();
  process.exit(0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
