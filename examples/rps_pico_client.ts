/**
 * Port of pycos's rps_pico_client.py: locates the RPS 'pico_service' (see rps_pico_service),
 * makes five calls with random delays of 1-3 s, and collects each result with
 * `finish({ timeout })`. A sixth, invalid call shows how a failure comes back.
 *
 * Run: `node dist/examples/rps_pico_client.js [host:port] [--udp-port 51350] [--secret PycOS] [--timeout 10000]`
 * (`--timeout`: ms to wait for the service to be found).
 * (SCALE=0.1 shortens the delays, SEED makes them repeatable).
 */
import { parseArgs } from 'node:util';
import { Network, Rci, spawn } from '../index.js';
import { isMain, randomFromEnv, scale } from './util.js';

/** Five calls, their results, one invalid call; then stop. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'udp-port': { type: 'string', default: '51350' }, secret: { type: 'string', default: 'PycOS' }, timeout: { type: 'string', default: '10000' } } });
  const net = await Network.start({ udpPort: Number(values['udp-port']), secret: values.secret, seeds: positionals.slice(0, 1) });
  const random = randomFromEnv();
  try {
    const client = spawn(async () => {
      const rps = await Rci.locate('pico_service', { timeout: Number(values.timeout) });
      if (rps === undefined) {
        process.exitCode = 1;
        return console.log('pico_service not found');
      }
      const tasks = [];
      for (let i = 0; i < 5; i++) tasks.push(await rps.call('time', 1 + Math.floor(random() * 3)));
      for (const task of tasks) {
        const result = await task.finish({ timeout: scale(5000), alarm: undefined }).catch((err: Error) => `failed: ${err.message}`);
        console.log(`result: ${result ?? 'no result in time'}, from: ${task}`);
      }
      const bad = await rps.call('date', 1);
      await bad.finish({ timeout: scale(5000) }).catch((err: { remoteMessage?: string }) => console.log(`invalid call failed with: ${err.remoteMessage}`));
    });
    await client.finish();
  } finally {
    await net.stop();
  }
}

if (isMain(import.meta.url)) void main();
