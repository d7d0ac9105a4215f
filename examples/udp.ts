/**
 * Port of asyncoro's udp.py: one process, a UDP server on an ephemeral port
 * and 50 client coroutines that each send it one datagram.
 *
 * Run: `node dist/examples/udp.js`; prints 50 "Received ..." lines, then "done: 50".
 */
import { pathToFileURL } from 'node:url';
import { AsyncUdpSocket, spawn, type Coro } from '../index.js';

async function server(coro: Coro, sock: AsyncUdpSocket, n: number): Promise<number> {
  let count = 0;
  while (count < n) {
    const { data, address, port } = await sock.recvFrom(1024, { coro, timeout: 10000 });
    count += 1;
    console.log(`Received "${data.toString()}" from ${address}:${port}`);
  }
  sock.close();
  return count;
}

async function client(coro: Coro, port: number, i: number): Promise<void> {
  const sock = await AsyncUdpSocket.bind();
  await sock.sendTo(Buffer.from(`client socket: ${i}`), port, '127.0.0.1', { coro });
  sock.close();
}

/** Runs the server and `n` clients; resolves when the server has all the datagrams. */
export async function main(n = 50): Promise<void> {
  const sock = await AsyncUdpSocket.bind({ host: '127.0.0.1', port: 0 });
  const srv = spawn(server, sock, n);
  for (let i = 0; i < n; i++) spawn(client, sock.port, i);
  console.log(`done: ${await srv.value()}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
