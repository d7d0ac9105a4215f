/**
 * Port of pycos's chat_sock_client.py (use it with chat_sock_server): one connection, read by a
 * coroutine that prints every message, and written by another that gets each line to send as a
 * message from the main program (message passing rather than sharing the socket's writes).
 *
 * Run: `node dist/examples/chat_sock_client.js <port>`: each line typed is sent; `quit` or the end of stdin leaves.
 */
import { createInterface } from 'node:readline';
import { AsyncSocket, SocketClosedError, spawnWith, type Coro } from '../index.js';
import { isMain } from './util.js';

export async function main(port = Number(process.argv[2])): Promise<void> {
  const sock = await AsyncSocket.connect({ host: '127.0.0.1', port, timeout: 5000, maxMessageSize: 64 * 1024 });
  const receiver = spawnWith({ name: 'receiver' }, async (coro: Coro) => {
    try {
      for (let msg = await sock.recvMsg({ coro }); msg !== undefined; msg = await sock.recvMsg({ coro })) console.log(msg.toString());
    } catch (err) {
      if (!SocketClosedError.is(err)) throw err; // closed by main() on quit
    }
  });
  const sender = spawnWith({ name: 'sender', daemon: true }, async (coro: Coro<string>) => {
    for (;;) await sock.sendMsg(Buffer.from(await coro.receive()), { coro });
  });
  for await (const line of createInterface({ input: process.stdin })) {
    if (['quit', 'exit'].includes(line.trim().toLowerCase())) break;
    if (line.trim() !== '') sender.send(line.trim());
  }
  sock.close();
  await receiver.finish();
  process.exit(0);
}

if (isMain(import.meta.url)) await main();
