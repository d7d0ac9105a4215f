/**
 * Port of asyncoro's categories.py: selective receive by category. The server
 * starts late, so the client's messages are queued; it takes the even numbers
 * first through the 'even' category, and once it has seen 8 it removes the
 * categorizer and takes the rest in arrival order.
 *
 * Run: `node dist/examples/categories.js` (SCALE=0.1 runs faster).
 */
import { MessageCategories, spawn, type Coro } from '../index.js';
import { isMain, scale } from './util.js';

type Msg = number | 'done';
const even = (m: Msg): string | undefined => (typeof m === 'number' && m % 2 === 0 ? 'even' : undefined);

async function server(coro: Coro<Msg>): Promise<void> {
  const categories = new MessageCategories(coro);
  categories.add(even);
  await coro.sleep(scale(3000));
  let evens = true;
  for (;;) {
    if (evens) {
      const m = await categories.receive({ category: 'even', timeout: 0, alarm: null });
      if (m !== null) {
        console.log(`even message: ${m}`);
        if (m === 8) evens = !categories.remove(even);
        continue;
      }
    }
    const m = await categories.receive({ timeout: scale(1000), alarm: null });
    console.log(`message: ${m}`);
    if (m === 'done') return;
  }
}

async function client(coro: Coro, srv: Coro<Msg>): Promise<void> {
  for (let i = 0; i < 12; i++) {
    srv.send(i);
    await coro.sleep(scale(100));
  }
  srv.send('done');
}

/** Runs the server and the client; resolves when the server got 'done'. */
export async function main(): Promise<void> {
  const srv = spawn(server);
  spawn(client, srv);
  await srv.finish();
}

if (isMain(import.meta.url)) void main();
