/**
 * `npm run tour`: a tour of the examples, run one after the other at a tenth of
 * their real delays: the local ones in this process, then the README's socket,
 * file and two-node snippets as child processes.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main as tutCoros } from './tut_coros.js';
import { main as tutClientServer } from './tut_client_server.js';
import { main as tutChannel } from './tut_channel.js';
import { main as categories } from './categories.js';
import { main as hotswap } from './hotswap.js';
import { main as supervisor } from './supervisor.js';
import { main as perf } from './perf.js';

process.env.SCALE ??= '0.1';
process.env.SEED ??= '7';

const stops: [string, () => Promise<unknown>][] = [
  ['tut_coros: ten sleeping coroutines', () => tutCoros()],
  ['tut_client_server: a daemon server and ten clients', () => tutClientServer()],
  ['tut_channel: broadcast to two subscribers', () => tutChannel()],
  ['categories: selective receive', () => categories()],
  ['hotswap: replacing running functions', () => hotswap()],
  ['supervisor: monitors that restart a failing worker', () => supervisor()],
  ['perf: 10,000 clients', () => perf(10000)],
];

const snippet = (name: string) => async (): Promise<void> => {
  const file = fileURLToPath(new URL(`./readme/${name}.js`, import.meta.url));
  process.stdout.write(execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 }));
};
stops.push(
  ['supervision: restarts within an intensity, then giving up', snippet('supervision')],
  ['sockets: an echo server with a coroutine per connection', snippet('sockets')],
  ['files, pipes and the worker pool', snippet('files')],
  ['distribution: two authenticated nodes, a remote coroutine', snippet('network')],
  ['distribution: remote channel, remote invocation, file transfer', snippet('distributed')],
);

for (const [title, run] of stops) {
  console.log(`\n=== ${title}`);
  await run();
}
console.log('\nTour done. See README.md for the API and the other examples.');
