/**
 * Port of asyncoro's remote_channel_server.py: registers the channel '2clients';
 * its own receiver subscribes only after a delay, so a client's `deliver` with
 * n = 2 waits until then. Start it, then remote_channel_client.
 *
 * Run: `node dist/examples/remote_channel_server.js [--delay 10000] [--secret s] [--udp-port 51350]`
 * Prints `server at <host:port>`; ends when the client's end marker arrives.
 */
import { parseArgs } from 'node:util';
import { Channel, Network, spawnWith, type Coro } from '../index.js';
import { isMain } from './util.js';

type Msg = { text: string; sender: string; location: string } | null;

/** Serves the channel until the end marker. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { delay: { type: 'string', default: '10000' }, secret: { type: 'string' }, 'udp-port': { type: 'string', default: '51350' }, port: { type: 'string', default: '0' } } });
  const net = await Network.start({ port: Number(values.port), udpPort: Number(values['udp-port']), secret: values.secret });
  const channel = new Channel<Msg>('2clients');
  channel.register();
  console.log(`server at ${net.location}`);
  const receiver = spawnWith({ name: 'server_receiver' }, async (coro: Coro<Msg>) => {
    await coro.sleep(Number(values.delay));
    await channel.subscribe(coro);
    console.log('server receiver subscribed');
    for (let msg = await coro.receive(); msg !== null; msg = await coro.receive()) {
      console.log(`Received "${msg.text}" from ${msg.sender} at ${msg.location}`);
    }
  });
  await receiver.finish();
  await net.stop();
}

if (isMain(import.meta.url)) void main();
