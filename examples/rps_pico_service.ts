/**
 * Port of pycos's rps_pico_service.py: a registered RPS (here an Rci) 'pico_service' that
 * answers a time request after the delay it asks for. Peers must share the secret ('PycOS').
 *
 * Run: `node dist/examples/rps_pico_service.js [--port 0] [--udp-port 51350] [--secret PycOS]`
 * Prints `service at <host:port>`; type "quit" (or close stdin) to stop. SCALE=0.1 shortens delays.
 */
import { parseArgs } from 'node:util';
import { Network, Rci, type Coro } from '../index.js';
import { isMain, scale, untilQuit } from './util.js';

/** Runs for each call: validates the request, sleeps `delay` seconds, returns the time. */
async function picoService(coro: Coro<unknown, string>, req: string, delay: number): Promise<string> {
  if (req !== 'time' || typeof delay !== 'number' || delay < 0 || delay > 60) throw new Error(`invalid request: ${String(req).slice(0, 20)}`);
  await coro.sleep(scale(delay * 1000));
  return new Date().toString();
}

/** Registers the service and serves until stdin says quit. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string', default: '0' }, 'udp-port': { type: 'string', default: '51350' }, secret: { type: 'string', default: 'PycOS' } } });
  const net = await Network.start({ port: Number(values.port), udpPort: Number(values['udp-port']), secret: values.secret });
  new Rci('pico_service', picoService).register();
  console.log(`service at ${net.location}`);
  await untilQuit();
  await net.stop();
}

if (isMain(import.meta.url)) void main();
