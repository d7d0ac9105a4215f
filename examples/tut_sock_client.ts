/**
 * Port of asyncoro's tut_sock_client.py: N coroutines each connect to the
 * tut_sock_server and send one message "i: ---…---/" (100 to 300 dashes).
 *
 * Run: `node dist/examples/tut_sock_client.js <port> [N=10]`.
 */
import { pathToFileURL } from 'node:url';
import { AsyncSocket, spawn, type Coro } from '../index.js';

async function client(coro: Coro, port: number, i: number): Promise<void> {
  const sock = await AsyncSocket.connect({ host: '127.0.0.1', port, coro, timeout: 5000 });
  const message = `${i}: ${'-'.repeat(100 + ((i * 37) % 201))}/`;
  await sock.sendAll(Buffer.from(message), { coro, timeout: 5000 });
  sock.close();
}

/** Sends `n` messages to the server on `port`, one connection each. */
export async function main(port = Number(process.argv[2]), n = Number(process.argv[3] ?? 10)): Promise<void> {
  const clients = Array.from({ length: n }, (_, i) => spawn(client, port, i));
  for (const c of clients) await c.value();
  console.log(`sent ${n} messages`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
