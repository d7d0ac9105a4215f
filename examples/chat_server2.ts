/**
 * Port of pycos's chat_server2.py (use it with chat_client): a coroutine per connection feeds one
 * broadcasting coroutine, which alone keeps the connections: `[conn, null]` when one joins,
 * `[conn, 0]` when it leaves, `[conn, line]` for a line, relayed to every other connection as
 * "<n> says: <line>". Nothing is shared between coroutines, so nothing is copied to broadcast.
 *
 * Run: `node dist/examples/chat_server2.js [port]` (default: ephemeral, printed). Type `quit` to stop.
 */
import { AsyncServer, spawnWith, type AsyncSocket, type Coro } from '../index.js';
import { isMain, untilQuit } from './util.js';

type Conn = { sock: AsyncSocket; id: number };

async function msgBcastProc(coro: Coro<[Conn, Buffer | null | 0]>): Promise<void> {
  const conns = new Set<Conn>();
  for (;;) {
    const [conn, msg] = await coro.receive();
    if (msg === null) conns.add(conn);
    else if (msg === 0) conns.delete(conn);
    else {
      const text = Buffer.from(`${conn.id} says: ${msg.toString()}`);
      for (const c of conns) if (c !== conn) await c.sock.sendMsg(text, { coro, timeout: 10_000 }).catch(() => c.sock.close());
    }
    console.log(`clients: ${conns.size}`);
  }
}

async function clientConnProc(coro: Coro, conn: Conn, bcast: Coro<[Conn, Buffer | null | 0]>): Promise<void> {
  bcast.send([conn, null]);
  try {
    for (let line = await conn.sock.recvMsg({ coro }); line !== undefined; line = await conn.sock.recvMsg({ coro })) bcast.send([conn, line]);
  } catch {
    // a broken connection leaves as a closed one does
  }
  bcast.send([conn, 0]);
  conn.sock.close();
}

/** Serves on `port` until stdin says quit. */
export async function main(port = Number(process.argv[2] ?? 0)): Promise<void> {
  const server = await AsyncServer.listen({ host: '127.0.0.1', port, maxMessageSize: 64 * 1024 });
  console.log(`server at 127.0.0.1:${server.port}`);
  const bcast = spawnWith({ name: 'msg-bcast', daemon: true }, msgBcastProc);
  spawnWith({ name: 'server', daemon: true }, async (coro) => {
    for (let id = 1; ; id++) spawnWith({ daemon: true }, clientConnProc, { sock: await server.accept({ coro }), id }, bcast);
  });
  await untilQuit();
  server.close();
  process.exit(0);
}

if (isMain(import.meta.url)) await main();
