/**
 * Port of asyncoro's perf.py: N clients each sleep, then send three messages
 * to one server. Prints how long creating the coroutines and the messaging took.
 *
 * Run: `node dist/examples/perf.js [N]` (default 10000; SCALE shortens the 5 s sleep).
 */
import { spawn, type Coro } from '../index.js';
import { isMain, scale } from './util.js';

async function server(coro: Coro<number | null>, clients: number): Promise<number> {
  let messages = 0;
  for (let ended = 0; ended < clients; ) {
    const m = await coro.receive();
    if (m === null) ended++;
    else messages++;
  }
  return messages;
}

async function client(coro: Coro, srv: Coro<number | null>, i: number, delay: number): Promise<void> {
  await coro.sleep(delay);
  srv.send(i);
  srv.send(i + 1);
  srv.send(null);
}

/** Creates `n` clients; resolves with the number of messages the server counted. */
export async function main(n = 10000): Promise<number> {
  const delay = scale(5000);
  let start = performance.now();
  const srv = spawn(server, n);
  for (let i = 0; i < n; i++) spawn(client, srv, i, delay);
  console.log(`creating ${n} coroutines took ${((performance.now() - start) / 1000).toFixed(3)} sec`);
  start = performance.now();
  const messages = await srv.value();
  const messaging = (performance.now() - start - delay) / 1000;
  console.log(`messaging took ${Math.max(0, messaging).toFixed(3)} sec`);
  console.log(`server received ${messages} messages and ${n} end markers`);
  return messages;
}

if (isMain(import.meta.url)) void main(Number(process.argv[2] ?? 10000));
