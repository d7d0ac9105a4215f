/**
 * Port of asyncoro's remote_coro_server.py: a registered coroutine prints the messages a remote
 * client sends it, in order. Start it, then remote_coro_client.
 *
 * Run: `node dist/examples/remote_coro_server.js [--port 0] [--udp-port 51350] [--secret s]`
 * Prints `server at <host:port>`, then "Received message <n>"; stops after `--count` messages (default 10).
 */
import { parseArgs } from 'node:util';
import { Network, spawnWith, type Coro } from '../index.js';
import { isMain } from './util.js';

/** Serves `--count` messages, then stops. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string', default: '0' }, 'udp-port': { type: 'string', default: '51350' }, secret: { type: 'string' }, count: { type: 'string', default: '10' } } });
  const net = await Network.start({ port: Number(values.port), udpPort: Number(values['udp-port']), secret: values.secret });
  const server = spawnWith({ name: 'server_coro' }, async (coro: Coro<{ n: number; from: unknown }>) => {
    coro.register();
    for (let i = 0; i < Number(values.count); i++) {
      const msg = await coro.receive();
      console.log(`Received message ${msg.n} from ${msg.from}`);
    }
  });
  console.log(`server at ${net.location}`);
  await server.finish();
  await net.stop();
}

if (isMain(import.meta.url)) void main();
