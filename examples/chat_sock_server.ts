/**
 * Port of pycos's chat_sock_server.py (use it with chat_sock_client): one coroutine per client
 * connection, and one central coroutine that owns the set of clients, told by message passing who
 * joined, who left and what each said. A client gets "id: <n>" when it joins, and the others
 * "<n> joined", "<n> says: <line>" and "<n> left". (The original accepted connections with a
 * blocking socket in its main thread; here an acceptor coroutine does.)
 *
 * Run: `node dist/examples/chat_sock_server.js [port]` (default: ephemeral, printed). Type `quit` to stop.
 */
import { AsyncServer, spawn, spawnWith, type AsyncSocket, type Coro } from '../index.js';
import { isMain, untilQuit } from './util.js';

type Event = ['joined' | 'left', AsyncSocket, number] | ['broadcast', AsyncSocket, number, string] | 'terminate';

/** The central coroutine: the clients are its own, nobody else touches the set. */
async function serverProc(coro: Coro<Event, void>): Promise<void> {
  const clients = new Set<AsyncSocket>();
  const tell = async (text: string, except?: AsyncSocket): Promise<void> => {
    for (const c of clients) if (c !== except) await c.sendMsg(Buffer.from(text), { coro, timeout: 10_000 }).catch(() => c.close());
  };
  for (let m = await coro.receive(); m !== 'terminate'; m = await coro.receive()) {
    const [cmd, conn, id] = m;
    if (cmd === 'joined') {
      await conn.sendMsg(Buffer.from(`id: ${id}`), { coro, timeout: 10_000 }).catch(() => conn.close());
      await tell(`${id} joined`);
      clients.add(conn);
    } else if (cmd === 'left') {
      clients.delete(conn);
      conn.close();
      await tell(`${id} left`);
    } else await tell(`${id} says: ${m[3]}`, conn);
  }
  for (const c of clients) c.close();
}

/** One client's connection: what it says goes to the server coroutine. */
async function clientProc(coro: Coro, conn: AsyncSocket, id: number, server: Coro<Event, void>): Promise<void> {
  server.send(['joined', conn, id]);
  try {
    for (let line = await conn.recvMsg({ coro }); line !== undefined; line = await conn.recvMsg({ coro })) server.send(['broadcast', conn, id, line.toString()]);
  } catch {
    // a broken connection is the same as a closed one
  }
  server.send(['left', conn, id]);
}

/** Serves on `port` until stdin says quit. */
export async function main(port = Number(process.argv[2] ?? 0)): Promise<void> {
  const listener = await AsyncServer.listen({ host: '127.0.0.1', port, maxMessageSize: 64 * 1024 });
  console.log(`server at 127.0.0.1:${listener.port}`);
  const server = spawnWith({ name: 'chat-server' }, serverProc);
  spawnWith({ daemon: true, name: 'acceptor' }, async (coro) => {
    for (let id = 1; ; id++) spawnWith({ daemon: true }, clientProc, await listener.accept({ coro }), id, server);
  });
  await untilQuit();
  listener.close();
  server.send('terminate');
  await server.finish();
  process.exit(0);
}

if (isMain(import.meta.url)) await main();
