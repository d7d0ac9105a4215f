/**
 * Port of pycos's pico_service_task.py: a registered service task answers time requests after
 * the delay each request asks for. Peers must share the secret ('PycOS').
 *
 * Run: `node dist/examples/pico_service_task.js [--port 0] [--udp-port 51350] [--secret PycOS]`
 * Prints `service at <host:port>`; type "quit" (or close stdin) to stop.
 */
import { parseArgs } from 'node:util';
import { Network, spawnWith, type Coro } from '../index.js';
import { isMain, scale, untilQuit } from './util.js';

type Request = { req: string; reply: { send(m: unknown): boolean }; delay: number };

/** Serves requests until stdin says quit. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string', default: '0' }, 'udp-port': { type: 'string', default: '51350' }, secret: { type: 'string', default: 'PycOS' } } });
  const net = await Network.start({ port: Number(values.port), udpPort: Number(values['udp-port']), secret: values.secret });
  spawnWith({ name: 'pico_service', daemon: true }, async (coro: Coro<Request>) => {
    coro.register();
    for (;;) {
      const msg = await coro.receive();
      if (msg?.req !== 'time' || typeof msg.reply?.send !== 'function') continue;
      // each request is answered by its own task, so a long delay does not hold up the others
      spawnWith({ daemon: true }, async (task) => {
        await task.sleep(scale(msg.delay * 1000));
        msg.reply.send({ result: new Date().toString(), from: String(coro) });
      });
    }
  });
  console.log(`service at ${net.location}`);
  await untilQuit();
  await net.stop();
}

if (isMain(import.meta.url)) void main();
