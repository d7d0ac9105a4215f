/**
 * Port of asyncoro's socket_afile.py: a connected socket used as an AsyncFile.
 * The client writes a file into the socket with `write(full)`; the server reads
 * it back line by line with `readLine`. Both print the SHA-1 of what they
 * handled, and the server counts the lines.
 *
 * Run: `node dist/examples/socket_afile.js [file]` (default: this script).
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { AsyncFile, AsyncServer, AsyncSocket, spawn, type Coro } from '../index.js';
import { isMain } from './util.js';

async function server(coro: Coro, listener: AsyncServer): Promise<void> {
  const conn = new AsyncFile(await listener.accept({ coro }));
  const hash = createHash('sha1');
  let lines = 0;
  for (let line = await conn.readLine({ coro }); line.length > 0; line = await conn.readLine({ coro })) {
    hash.update(line);
    lines++;
  }
  await conn.close();
  console.log(`server sha1 csum: ${hash.digest('hex')}`);
  console.log(`lines: ${lines}`);
}

async function client(coro: Coro, port: number, path: string): Promise<void> {
  const sock = new AsyncFile(await AsyncSocket.connect({ port, coro }));
  const file = await AsyncFile.open(path);
  const hash = createHash('sha1');
  for (let chunk = await file.read(8192, { coro }); chunk.length > 0; chunk = await file.read(8192, { coro })) {
    hash.update(chunk);
    await sock.write(chunk, { full: true, coro });
  }
  await file.close();
  await sock.close();
  console.log(`client sha1 csum: ${hash.digest('hex')}`);
}

/** Sends `path` through a socket on 127.0.0.1 and prints both checksums. */
export async function main(path = fileURLToPath(import.meta.url)): Promise<void> {
  const listener = await AsyncServer.listen({ host: '127.0.0.1', port: 0 });
  const srv = spawn(server, listener);
  await spawn(client, listener.port, path).finish();
  await srv.finish();
  listener.close();
}

if (isMain(import.meta.url)) void main(process.argv[2]);
