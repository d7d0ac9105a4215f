/**
 * Port of asyncoro's chat_chan_server.py: a registered coroutine admits chat
 * clients and a registered channel carries the conversation. The channel's
 * transform decorates each line with its author and drops lines in ALL CAPS.
 * Clients join, talk and quit by messages to the server coroutine.
 *
 * Run: `node dist/examples/chat_chan_server.js [--clients 2] [--secret s] [--udp-port 51350]`
 * Prints `server at <host:port>`; ends once `--clients` clients have joined and left.
 */
import { parseArgs } from 'node:util';
import { Channel, Network, spawnWith, type Coro, type RemoteCoro } from '../index.js';
import { isMain } from './util.js';

/** Requests to the server coroutine. */
export type ChatRequest = { kind: 'join'; who: RemoteCoro<unknown> } | { kind: 'say'; id: number; text: string } | { kind: 'quit'; id: number };
/** What travels on the channel before the transform: a notice or a line said by a client. */
type Said = string | { id: number; text: string };

const shouting = (text: string): boolean => /[A-Z]/.test(text) && text === text.toUpperCase();

/** Runs the chat until every expected client has left. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { clients: { type: 'string', default: '2' }, secret: { type: 'string' }, 'udp-port': { type: 'string', default: '51350' }, port: { type: 'string', default: '0' } } });
  const expected = Number(values.clients);
  const net = await Network.start({ port: Number(values.port), udpPort: Number(values['udp-port']), secret: values.secret });
  const channel = new Channel<Said>('chat_channel', {
    transform: (_name, m) => (typeof m === 'string' ? m : shouting(m.text) ? undefined : `${m.id} says: ${m.text}`),
  });
  channel.register();
  const server = spawnWith({ name: 'chat_server' }, async (coro: Coro<ChatRequest>) => {
    coro.register();
    let joined = 0;
    let left = 0;
    while (left < expected) {
      const req = await coro.receive();
      if (req.kind === 'join') {
        const id = ++joined;
        req.who.send({ welcome: id });
        channel.send(`(${id}) joined :-)`);
        if (joined === expected) channel.send('everyone is here');
      } else if (req.kind === 'say') channel.send({ id: req.id, text: req.text });
      else {
        left++;
        channel.send(`(${req.id}) left :-(`);
      }
    }
    await channel.deliver('chat closed', { timeout: 5000 }); // acknowledged, so every client has it
  });
  console.log(`server at ${net.location}`);
  await server.finish();
  await net.stop();
}

if (isMain(import.meta.url)) void main();
