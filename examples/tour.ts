/**
 * `npm start`: a tour of the examples, run one after the other in this process
 * at a tenth of their real delays.
 */
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

for (const [title, run] of stops) {
  console.log(`\n=== ${title}`);
  await run();
}
console.log('\nTour done. See README.md for the API and the other examples.');
