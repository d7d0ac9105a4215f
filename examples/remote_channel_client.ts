/**
 * Port of asyncoro's remote_channel_client.py: locates the channel '2clients',
 * subscribes its own receiver, and a sender delivers ten messages with n = 2:
 * the first waits until the server's receiver has subscribed too.
 *
 * Run: `node dist/examples/remote_channel_client.js [server host:port] [--secret s] [--udp-port 51350]`
 * (without a location the server is found by UDP discovery).
 */
import { parseArgs } from 'node:util';
import { Channel, Network, spawn, spawnWith, type Coro, type RemoteChannel } from '../index.js';
import { isMain } from './util.js';

type Msg = { text: string; sender: string; location: string } | null;

/** Delivers ten messages and the end marker to both subscribers. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { secret: { type: 'string' }, 'udp-port': { type: 'string', default: '51350' } } });
  const location = positionals[0];
  const net = await Network.start({ udpPort: Number(values['udp-port']), secret: values.secret, seeds: location ? [location] : [], discoveryTargets: [`127.0.0.1:${values['udp-port']}`] });
  const channel = (await Channel.locate<Msg>('2clients', { location, timeout: 10_000 })) as RemoteChannel<Msg> | undefined;
  if (channel === undefined) {
    console.log('channel 2clients not found');
    await net.stop();
    process.exitCode = 1;
    return;
  }
  console.log(`channel is at ${channel.location}`);
  const receiver = spawn(async (coro: Coro<Msg>) => {
    await channel.subscribe(coro);
    for (let msg = await coro.receive(); msg !== null; msg = await coro.receive()) {
      console.log(`Received "${msg.text}" from ${msg.sender} at ${msg.location}`);
    }
  });
  const sender = spawnWith({ name: 'sender_proc' }, async (coro: Coro) => {
    for (let k = 0; k < 10; k++) {
      const reached = await channel.deliver({ text: `message ${k}`, sender: coro.name, location: String(net.location) }, { n: 2, timeout: 60_000, coro });
      console.log(`delivered to: ${reached}`);
    }
    channel.send(null); // the end marker: the server stops once its receiver has it
  });
  await sender.finish();
  await receiver.finish();
  await net.stop();
}

if (isMain(import.meta.url)) void main();
