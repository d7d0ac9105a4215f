/**
 * Port of pycos's pico_client_task.py: locates the 'pico_service' task (with a timeout), sends
 * it a time request carrying a random delay and waits for the reply (with a timeout).
 *
 * Run: `node dist/examples/pico_client_task.js [host:port] [--udp-port 51350] [--secret PycOS] [--timeout 10000]`
 * (`--timeout`: ms to wait for the service to be found, and again for its reply).
 */
import { parseArgs } from 'node:util';
import { Coro, Network, spawn } from '../index.js';
import { isMain, randomFromEnv } from './util.js';

/** One request/reply round, then stop. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'udp-port': { type: 'string', default: '51350' }, secret: { type: 'string', default: 'PycOS' }, timeout: { type: 'string', default: '10000' } } });
  const timeout = Number(values.timeout);
  const net = await Network.start({ udpPort: Number(values['udp-port']), secret: values.secret });
  const random = randomFromEnv();
  try {
    const client = spawn(async (coro: Coro<{ result: string; from: string }>) => {
      // With a location, a node that cannot be reached (or authenticated) is a typed error.
      const service = await Coro.locate('pico_service', { timeout, location: positionals[0] }).catch((err: Error) => {
        console.log(`cannot reach the service: ${err.message}`);
        return undefined;
      });
      if (service === undefined) {
        process.exitCode = 1;
        return console.log('service not found');
      }
      service.send({ req: 'time', reply: coro, delay: 2 + Math.floor(random() * 4) });
      const reply = await coro.receive({ timeout, alarm: undefined });
      if (reply === undefined) console.log('no reply in time');
      else console.log(`result: ${reply.result}, from: ${reply.from}`);
    });
    await client.finish();
  } finally {
    await net.stop();
  }
}

if (isMain(import.meta.url)) void main();
