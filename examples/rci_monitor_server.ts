/**
 * Port of asyncoro's rci_monitor_server.py: registers the coroutine function `rci_1` as an RCI
 * that peers (sharing the secret, 'test' by default) can locate and run. Each run waits for one
 * message; an even `b` sleeps b*100 ms and finishes with the message, an odd one fails.
 * Start it, then rci_monitor_client (another process).
 *
 * Run: `node dist/examples/rci_monitor_server.js [--port 0] [--udp-port 51350] [--secret test]`
 * Prints `server at <host:port>`; type "quit" (or close stdin) to stop. SCALE=0.1 shortens sleeps.
 */
import { parseArgs } from 'node:util';
import { Network, Rci, type Coro } from '../index.js';
import { isMain, scale, untilQuit } from './util.js';

/** The registered function: `a` is a label, `b` picks the outcome. */
async function rci1(coro: Coro<string, string>, a: string, b: number): Promise<string> {
  const msg = await coro.receive({ timeout: scale(10_000), alarm: 'no message' });
  if (b % 2 === 0) {
    await coro.sleep(scale(b * 100));
    console.log(`${coro}: ${a} / ${msg}`);
    return msg;
  }
  throw new Error(`invalid invocation: ${b}`);
}

/** Registers rci_1 and serves until stdin says quit. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string', default: '0' }, 'udp-port': { type: 'string', default: '51350' }, secret: { type: 'string', default: 'test' } } });
  const net = await Network.start({ port: Number(values.port), udpPort: Number(values['udp-port']), secret: values.secret });
  new Rci('rci_1', rci1).register();
  console.log(`server at ${net.location}`);
  await untilQuit();
  await net.stop();
}

if (isMain(import.meta.url)) void main();
