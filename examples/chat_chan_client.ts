/**
 * Port of asyncoro's chat_chan_client.py, scripted: joins the chat at the
 * server, subscribes to the chat channel, waits until everyone is here, says
 * each line given on the command line, quits, and prints everything the channel
 * carried until the chat closes.
 *
 * Run: `node dist/examples/chat_chan_client.js <server host:port> [--secret s] [--] line...`
 */
import { parseArgs } from 'node:util';
import { Channel, Coro, Network, spawn, type RemoteChannel } from '../index.js';
import { isMain } from './util.js';

/** Chats, printing what the channel carries, until the server closes the chat. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { secret: { type: 'string' }, 'udp-port': { type: 'string', default: '51350' } } });
  const [location, ...lines] = positionals;
  const net = await Network.start({ udpPort: Number(values['udp-port']), secret: values.secret, discover: false, seeds: [location!] });
  const server = await Coro.locate('chat_server', { location, timeout: 10_000 });
  const channel = (await Channel.locate<string>('chat_channel', { location, timeout: 10_000 })) as RemoteChannel<string> | undefined;
  if (server === undefined || channel === undefined) {
    console.log('chat server not found');
    await net.stop();
    process.exitCode = 1;
    return;
  }
  const client = spawn(async (coro: Coro<string | { welcome: number }>) => {
    await channel.subscribe(coro);
    server.send({ kind: 'join', who: coro });
    const { welcome: id } = (await coro.receive({ filter: (m) => typeof m === 'object' })) as { welcome: number };
    console.log(`joined as ${id}`);
    let said = false;
    for (;;) {
      const line = (await coro.receive()) as string;
      console.log(line);
      if (line === 'chat closed') return;
      if (line === 'everyone is here' && !said) {
        said = true;
        for (const text of lines) {
          server.send({ kind: 'say', id, text });
          await coro.sleep(50);
        }
        server.send({ kind: 'quit', id });
      }
    }
  });
  await client.finish();
  await net.stop();
}

if (isMain(import.meta.url)) void main();
