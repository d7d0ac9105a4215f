/**
 * Port of asyncoro's discoro_client6_channel.py: streaming data to two remote coroutines through
 * a channel. The client registers a channel and starts two async jobs that subscribe to it; it
 * delivers 'start' once both have (n = 2), then streams 1000 data points. One job keeps a moving
 * average over a window of 10 and sends a trend signal back to the client whenever the average
 * crosses ±0.4; the other saves the ticks to a file in its server folder and reports how many.
 * The data series is fixed (a sine wave plus seeded noise), so the output is deterministic.
 *
 * Run: `DISCORO_SECRET=s node dist/examples/discoro_client6_channel.js host:port`.
 */
import { Channel } from '../actors/Channel.js';
import { Computation } from '../actors/discoro/client/Computation.js';
import type { Coro } from '../runtime/Coro.js';
import { isMain, seeded } from './util.js';

type Tick = { i: number; x: number } | 'start' | 'end';
type Sub = { subscribe(c: unknown): Promise<unknown>; unsubscribe(c: unknown): Promise<unknown> };
type JobCoro = { receive(o?: { timeout?: number }): Promise<any> };

/** The data points: the same every run. */
export function series(n = 1000): number[] {
  const random = seeded(6);
  return Array.from({ length: n }, (_, i) => 0.6 * Math.sin(i / 40) + (random() - 0.5) * 0.2);
}

/** What the trend job computes, as the client expects it (the spec checks the remote one against this). */
export function trends(xs: number[], window = 10, threshold = 0.4): string[] {
  const out: string[] = [];
  let state = 'none';
  for (let i = window - 1; i < xs.length; i++) {
    const avg = xs.slice(i - window + 1, i + 1).reduce((a, b) => a + b, 0) / window;
    const now = avg > threshold ? 'high' : avg < -threshold ? 'low' : 'none';
    if (now !== state && now !== 'none') out.push(`trend signal at ${i}: ${now} / ${avg.toFixed(2)}`);
    state = now;
  }
  return out;
}

async function trendJob(coro: JobCoro, channel: Sub, client: { send(m: unknown): boolean }, window: number, threshold: number): Promise<number> {
  await channel.subscribe(coro);
  const xs: number[] = [];
  let state = 'none';
  for (;;) {
    const m = await coro.receive({ timeout: 30_000 });
    if (m === undefined || m === 'end') break;
    if (m === 'start') continue;
    xs.push(m.x);
    if (xs.length > window) xs.shift();
    if (xs.length < window) continue;
    const avg = xs.reduce((a: number, b: number) => a + b, 0) / window;
    const now = avg > threshold ? 'high' : avg < -threshold ? 'low' : 'none';
    if (now !== state && now !== 'none') client.send(`trend signal at ${m.i}: ${now} / ${avg.toFixed(2)}`);
    state = now;
  }
  await channel.unsubscribe(coro);
  return xs.length;
}

async function saveJob(coro: JobCoro, channel: Sub): Promise<number> {
  await channel.subscribe(coro);
  const lines: string[] = [];
  for (;;) {
    const m = await coro.receive({ timeout: 30_000 });
    if (m === undefined || m === 'end') break;
    if (m !== 'start') lines.push(`${m.i} ${m.x}`);
  }
  await channel.unsubscribe(coro);
  const { writeFile } = await import('node:fs/promises');
  await writeFile('tickdata', lines.join('\n') + '\n');
  return lines.length;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const computation = new Computation({ components: [trendJob, saveJob], nodes: argv[0] !== undefined ? [argv[0]] : undefined, secret: process.env.DISCORO_SECRET });
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');
  const channel = new Channel<Tick>('discoro_client6_ticks', { scheduler: computation.scheduler });
  channel.register();
  const printer = computation.scheduler.spawnWith({ daemon: true }, async (coro: Coro<string>) => {
    for await (const line of coro.messages()) console.log(line);
  });
  const trend = await computation.runAsync('trendJob', channel, printer, 10, 0.4);
  const saver = await computation.runAsync('saveJob', channel);
  if (trend === false || saver === false) throw new Error('no server');
  if ((await channel.deliver('start', { n: 2, timeout: 10_000 })) < 2) throw new Error('the jobs did not subscribe');
  for (const [i, x] of series().entries()) await channel.deliver({ i, x }, { timeout: 10_000 });
  await channel.deliver('end', { timeout: 10_000 });
  await trend.finish({ timeout: 30_000 });
  console.log(`saved ${await saver.finish({ timeout: 30_000 })} ticks`);
  await computation.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
