/**
 * Port of asyncoro's tut_server.py: a daemon coroutine registered as 'server_coro' processes
 * the messages remote clients send it. Start it, then tut_client (another process).
 *
 * Run: `node dist/examples/tut_server.js [--port 0] [--udp-port 51350] [--secret s]`
 * It prints `server at <host:port>`, then one "processing" line per message; type "quit" (or close
 * stdin) to stop.
 */
import { parseArgs } from 'node:util';
import { Network, spawnWith, type Coro } from '../index.js';
import { isMain, untilQuit } from './util.js';

type Request = { client: number; n: number };

/** Starts networking and the server coroutine; resolves when stdin says quit. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string', default: '0' }, 'udp-port': { type: 'string', default: '51350' }, secret: { type: 'string' } } });
  const net = await Network.start({ port: Number(values.port), udpPort: Number(values['udp-port']), secret: values.secret });
  let processed = 0;
  spawnWith({ name: 'server_coro', daemon: true }, async (coro: Coro<Request>) => {
    coro.register('server_coro');
    for (;;) {
      const { client, n } = await coro.receive();
      processed += 1;
      console.log(`processing ${processed}: ${client} / ${n}`);
    }
  });
  console.log(`server at ${net.location}`);
  await untilQuit();
  await net.stop();
}

if (isMain(import.meta.url)) void main();
