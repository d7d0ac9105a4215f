// Remote channels, remote invocation (RCI) and file transfer between two nodes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Channel, Network, Rci, Scheduler, type Coro, type RemoteChannel } from '../../index.js';

const secret = 'a shared secret';
const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncoro-readme-'));
const a = new Scheduler();
const b = new Scheduler();
const netA = await Network.start(a, { secret, discover: false, destDir: path.join(dir, 'inbox') });
const netB = await Network.start(b, { secret, discover: false, seeds: [netA.location] });

// Node A registers a channel and a remotely invocable function.
const news = new Channel<string>('news', { scheduler: a });
news.register();
new Rci('square', async (_coro: Coro, x: number) => x * x, { scheduler: a }).register();

// Node B subscribes to A's channel, calls A's function, and sends A a file.
const result = await b.spawn(async (me: Coro<string>) => {
  const remoteNews = (await Channel.locate<string>('news', { scheduler: b, location: netA.location, timeout: 2000 })) as RemoteChannel<string>;
  await remoteNews.subscribe(me);
  news.send('hello from A');
  const heard = await me.receive({ timeout: 2000 });

  const square = await Rci.locate('square', { scheduler: b, location: netA.location, timeout: 2000 });
  const squared = await (await square!.call(12)).value(); // a coroutine ran on A

  writeFileSync(path.join(dir, 'report.txt'), 'numbers\n');
  const sent = await netB.sendFile(netA.location, path.join(dir, 'report.txt'), { dir: 'today', timeout: 5000 });
  return [heard, squared, sent];
}).value();
console.log(result);
await netB.stop();
await netA.stop();
await a.terminate();
await b.terminate();
rmSync(dir, { recursive: true, force: true });
// prints: [ 'hello from A', 144, { sent: true, bytes: 8 } ]
