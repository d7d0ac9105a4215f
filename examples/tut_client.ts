/**
 * Port of asyncoro's tut_client.py: ten client coroutines each send three messages to the
 * remote coroutine 'server_coro' (see tut_server). The server is found by UDP discovery, or at
 * the location given on the command line.
 *
 * Run: `node dist/examples/tut_client.js [host:port] [--udp-port 51350] [--secret s]`
 * (SCALE=0.1 shortens the random pauses, SEED makes them repeatable).
 */
import { parseArgs } from 'node:util';
import { Coro, Network, spawn } from '../index.js';
import { isMain, randomFromEnv, scale } from './util.js';

async function client(coro: Coro, server: { send(m: unknown): boolean }, i: number, random: () => number): Promise<void> {
  for (let n = 0; n < 3; n++) {
    await coro.sleep(scale(random() * 1000));
    server.send({ client: i, n });
  }
}

/** Finds the server, runs the ten clients, stops networking. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'udp-port': { type: 'string', default: '51350' }, secret: { type: 'string' } } });
  const net = await Network.start({ udpPort: Number(values['udp-port']), secret: values.secret });
  try {
    if (positionals[0] !== undefined) await net.peer(positionals[0], { timeout: 5000 });
    const server = await Coro.locate('server_coro', { timeout: 10_000 });
    if (server === undefined) {
      console.log('server_coro not found');
      process.exitCode = 1;
      return;
    }
    const random = randomFromEnv();
    const clients = Array.from({ length: 10 }, (_, i) => spawn(client, server, i, random));
    await Promise.all(clients.map((c) => c.finish()));
  } finally {
    await net.stop();
  }
}

if (isMain(import.meta.url)) void main();
