/**
 * Port of asyncoro's remote_coro_client.py: locates 'server_coro' on another node and sends it
 * ten messages (they arrive in order).
 *
 * Run: `node dist/examples/remote_coro_client.js [host:port] [--udp-port 51350] [--secret s]`
 */
import { parseArgs } from 'node:util';
import { Coro, Network, spawn } from '../index.js';
import { isMain } from './util.js';

/** Locates the server, sends ten messages, stops networking. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'udp-port': { type: 'string', default: '51350' }, secret: { type: 'string' } } });
  const net = await Network.start({ udpPort: Number(values['udp-port']), secret: values.secret });
  try {
    const client = spawn(async (coro: Coro) => {
      const server = await Coro.locate('server_coro', { timeout: 10_000, location: positionals[0] });
      if (server === undefined) throw new Error('server_coro not found');
      console.log(`server is at ${'location' in server ? server.location : net.location}`);
      // deliver waits for the acknowledgement, so the last message is in before we stop
      for (let n = 0; n < 10; n++) await server.deliver({ n, from: coro }, { timeout: 5000 });
    });
    await client.finish();
  } finally {
    await net.stop();
  }
}

if (isMain(import.meta.url)) void main();
