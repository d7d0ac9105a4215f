/**
 * Port of asyncoro's hotswap.py: a server and a client are replaced while they
 * run. The swaps are issued by a script coroutine (asyncoro read them from
 * stdin). Queued messages survive each swap; the second server version refuses
 * a swap to a function whose name does not start with "server_proc".
 *
 * Run: `node dist/examples/hotswap.js` (SCALE=0.1 runs faster).
 */
import { HotSwapRequest, spawn, type Coro } from '../index.js';
import { isMain, scale } from './util.js';

async function server_proc(coro: Coro<number>): Promise<void> {
  coro.hotSwappable(true);
  for (;;) console.log(`received: ${await coro.receive()}`);
}

async function server_proc2(coro: Coro<number>, mark: string): Promise<void> {
  coro.hotSwappable(true);
  for (;;) {
    try {
      const n = await coro.receive();
      console.log(`${mark} received: ${n}, log/sqrt=${(Math.log(n) / Math.sqrt(n)).toFixed(3)}`);
    } catch (err) {
      const name = HotSwapRequest.is(err) ? (err.replacement?.name ?? '') : '';
      if (!HotSwapRequest.is(err) || name.startsWith('server_proc')) throw err;
      console.log(`ignoring hot swap function ${name}`);
      coro.hotSwappable(true);
    }
  }
}

async function bogus_proc(coro: Coro<number>): Promise<void> {
  for (;;) console.log(`bogus: ${await coro.receive()}`);
}

async function client_proc(coro: Coro, srv: Coro<number>): Promise<void> {
  coro.hotSwappable(true);
  for (let n = 1; ; n++) {
    srv.send(n);
    await coro.sleep(scale(300));
  }
}

async function client_proc2(coro: Coro, srv: Coro<number>): Promise<void> {
  coro.hotSwappable(true);
  for (let n = 42; ; n += 2) {
    srv.send(n);
    await coro.sleep(scale(300));
  }
}

/** Runs the server, the client and the script of swaps; resolves when the script ends them. */
export async function main(): Promise<void> {
  const srv = spawn(server_proc);
  const cli = spawn(client_proc, srv);
  const script = spawn(async (coro: Coro) => {
    await coro.sleep(scale(1000));
    console.log('swapping server to server_proc2');
    srv.hotSwap(server_proc2, '*');
    await coro.sleep(scale(1000));
    console.log('swapping server to bogus_proc');
    srv.hotSwap(bogus_proc);
    await coro.sleep(scale(1000));
    console.log('swapping client to client_proc2');
    cli.hotSwap(client_proc2, srv);
    await coro.sleep(scale(1000));
    cli.terminate();
    await coro.sleep(scale(100));
    srv.terminate();
  });
  await script.finish();
}

if (isMain(import.meta.url)) void main();
