/**
 * Port of asyncoro's discoro_client6.py: streaming 1000 data points to two remote coroutines,
 * sent to each directly (asyncoro peered with `stream_send=True`; here messages from one sender
 * to one recipient arrive in order on the one connection per pair of nodes). One job keeps a
 * moving average over a window of 10 and sends a trend signal back whenever it crosses ±0.4;
 * the other saves the ticks to a file. Same data and output as discoro_client6_channel.
 *
 * Run: `DISCORO_SECRET=s node dist/examples/discoro_client6.js host:port`.
 */
import { Computation } from '../actors/discoro/client/Computation.js';
import type { Coro } from '../runtime/Coro.js';
import { series } from './discoro_client6_channel.js';
import { isMain } from './util.js';

type JobCoro = { receive(o?: { timeout?: number }): Promise<any> };

async function trendJob(coro: JobCoro, client: { send(m: unknown): boolean }, window: number, threshold: number): Promise<number> {
  const xs: number[] = [];
  let state = 'none';
  let seen = 0;
  for (;;) {
    const m = await coro.receive({ timeout: 30_000 });
    if (m === undefined || m === 'end') break;
    seen++;
    xs.push(m.x);
    if (xs.length > window) xs.shift();
    if (xs.length < window) continue;
    const avg = xs.reduce((a: number, b: number) => a + b, 0) / window;
    const now = avg > threshold ? 'high' : avg < -threshold ? 'low' : 'none';
    if (now !== state && now !== 'none') client.send(`trend signal at ${m.i}: ${now} / ${avg.toFixed(2)}`);
    state = now;
  }
  return seen;
}

async function saveJob(coro: JobCoro): Promise<number> {
  const lines: string[] = [];
  for (;;) {
    const m = await coro.receive({ timeout: 30_000 });
    if (m === undefined || m === 'end') break;
    lines.push(`${m.i} ${m.x}`);
  }
  const { writeFile } = await import('node:fs/promises');
  await writeFile('tickdata', lines.join('\n') + '\n');
  return lines.length;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const computation = new Computation({ components: [trendJob, saveJob], nodes: argv[0] !== undefined ? [argv[0]] : undefined, secret: process.env.DISCORO_SECRET });
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');
  const printer = computation.scheduler.spawnWith({ daemon: true }, async (coro: Coro<string>) => {
    for await (const line of coro.messages()) console.log(line);
  });
  const trend = await computation.runAsync('trendJob', printer, 10, 0.4);
  const saver = await computation.runAsync('saveJob');
  if (trend === false || saver === false) throw new Error('no server');
  for (const [i, x] of series().entries()) {
    trend.send({ i, x });
    saver.send({ i, x });
  }
  trend.send('end');
  saver.send('end');
  await trend.finish({ timeout: 30_000 });
  console.log(`saved ${await saver.finish({ timeout: 30_000 })} ticks`);
  await computation.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
