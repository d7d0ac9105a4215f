/**
 * Port of asyncoro's chat_client.py: sends lines as framed messages to the chat
 * server and prints every message it receives from the other clients.
 *
 * Run: `node dist/examples/chat_client.js <port> [line ...]`: the argv lines are sent
 * right after connecting, then every stdin line; `quit` or the end of stdin disconnects.
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { AsyncSocket, SocketClosedError, spawn, type Coro } from '../index.js';

async function reader(coro: Coro, sock: AsyncSocket): Promise<void> {
  try {
    for (;;) {
      const msg = await sock.recvMsg({ coro });
      if (msg === undefined) break;
      console.log(`received: ${msg.toString()}`);
    }
  } catch (err) {
    if (!SocketClosedError.is(err)) throw err; // closed by main() on quit
  }
}

/** Connects to the server on `port`, sends `lines`, then relays stdin until quit. */
export async function main(port = Number(process.argv[2]), lines = process.argv.slice(3)): Promise<void> {
  const sock = await AsyncSocket.connect({ host: '127.0.0.1', port, timeout: 5000, maxMessageSize: 64 * 1024 });
  console.log('connected');
  const receiving = spawn(reader, sock);
  for (const line of lines) await sock.sendMsg(Buffer.from(line));
  if (lines.length > 0) console.log(`sent ${lines.length}`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === 'quit') break;
    await sock.sendMsg(Buffer.from(line));
  }
  sock.close();
  await receiving.finish();
  process.exit(0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
