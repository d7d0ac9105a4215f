// Pull-style sockets: an echo server with one coroutine per connection.
import { AsyncServer, AsyncSocket, spawn, spawnWith } from '../../index.js';

const server = await AsyncServer.listen({ host: '127.0.0.1', port: 0 });
spawnWith({ daemon: true }, async (coro) => {
  for (;;) {
    const conn = await server.accept({ coro });
    spawn(async (c) => {
      for (let msg = await conn.recvMsg({ coro: c }); msg !== undefined; msg = await conn.recvMsg({ coro: c })) {
        await conn.sendMsg(msg, { coro: c });
      }
      conn.close();
    });
  }
});

const client = spawn(async (coro) => {
  const sock = await AsyncSocket.connect({ port: server.port, timeout: 1000, coro });
  await sock.sendMsg(Buffer.from('ping'), { coro });
  const reply = await sock.recvMsg({ timeout: 1000, coro });
  sock.close();
  return String(reply);
});
console.log(await client.value());
server.close();
// prints: ping
