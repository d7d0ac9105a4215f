/**
 * Port of asyncoro's rci_monitor_client.py: locates the RCI `rci_1` (see rci_monitor_server),
 * runs it five times with `('test<x>', x)`, monitors each remote coroutine and sends it
 * 'msg:x'. Even x finish with the message, odd x fail with 'invalid invocation: x'.
 *
 * Run: `node dist/examples/rci_monitor_client.js [host:port] [--udp-port 51350] [--secret test] [--timeout 10000]`
 * The server is found by UDP discovery, or dialled at the location given. With another secret
 * the nodes never authenticate: the locate times out, the client says so and exits with 1.
 */
import { parseArgs } from 'node:util';
import { MonitorStatus, Network, Rci, spawn, spawnWith, type Coro } from '../index.js';
import { isMain } from './util.js';

/** Prints the outcome of each of `n` monitored coroutines. */
async function monitorProc(coro: Coro<MonitorStatus>, n: number): Promise<void> {
  for (let done = 0; done < n; done++) {
    const status = await coro.receive({ timeout: 30_000, alarm: undefined });
    if (status === undefined) return console.log('monitor: no more outcomes in time');
    if (status.reason === 'finished') console.log(`RCI ${status.coro} finished with: ${status.value}`);
    else console.log(`RCI ${status.coro} failed with: ${(status.error as { remoteMessage?: string })?.remoteMessage ?? status.error}`);
  }
}

/** Locates rci_1, runs it five times, waits for the outcomes, stops networking. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'udp-port': { type: 'string', default: '51350' }, secret: { type: 'string', default: 'test' }, timeout: { type: 'string', default: '10000' } } });
  // A given location is a seed: dialled at start and again while not connected.
  const net = await Network.start({ udpPort: Number(values['udp-port']), secret: values.secret, seeds: positionals.slice(0, 1) });
  try {
    const client = spawn(async () => {
      const found = await Rci.locate('rci_1', { timeout: Number(values.timeout) });
      if (found === undefined) {
        process.exitCode = 1;
        return console.log('RCI rci_1 not found: locate timed out');
      }
      console.log(`RCI is at ${found.location}`);
      // asyncoro's client then asks that location directly
      const rci = (await Rci.locate('rci_1', { timeout: 5000, location: found.location }))!;
      console.log(`RCI is at ${rci.location}`);
      const n = 5;
      const monitor = spawnWith({ name: 'monitor' }, monitorProc, n);
      for (let x = 0; x < n; x++) {
        const remote = await rci.call(`test${x}`, x);
        console.log(`RCI ${remote} created`);
        await monitor.monitor(remote);
        remote.send(`msg:${x}`);
      }
      await monitor.finish();
    });
    await client.finish();
  } finally {
    await net.stop();
  }
}

if (isMain(import.meta.url)) void main();
