/**
 * Port of asyncoro's chat_server.py: framed messages (sendMsg/recvMsg); each
 * message from one client is relayed to every other connected client.
 *
 * Run: `node dist/examples/chat_server.js [port]` (default: ephemeral, printed).
 * Prints `clients: <n>` whenever a client joins or leaves. Type `quit` to stop.
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { AsyncServer, spawn, spawnWith, type AsyncSocket, type Coro } from '../index.js';

const clients = new Set<AsyncSocket>();

async function client(coro: Coro, conn: AsyncSocket): Promise<void> {
  clients.add(conn);
  console.log(`clients: ${clients.size}`);
  try {
    for (;;) {
      const msg = await conn.recvMsg({ coro });
      if (msg === undefined) break;
      for (const other of clients) {
        if (other !== conn) other.sendMsg(msg, { timeout: 10000 }).catch(() => other.close());
      }
    }
  } catch {
    // a broken client only loses its own connection
  } finally {
    clients.delete(conn);
    conn.close();
    console.log(`clients: ${clients.size}`);
  }
}

/** Serves on `port` until stdin says quit. */
export async function main(port = Number(process.argv[2] ?? 0)): Promise<void> {
  const server = await AsyncServer.listen({ host: '127.0.0.1', port, maxMessageSize: 64 * 1024 });
  console.log(`listening on ${server.port}`);
  spawnWith({ daemon: true, name: 'acceptor' }, async (coro) => {
    for (;;) spawn(client, await server.accept({ coro }));
  });
  for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'quit') break;
  server.close();
  process.exit(0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
