/**
 * The coroutine functions `bench/threads.ts` places on worker threads with `spawnOn`: a counting
 * sink, a doubler for `ask`, Mandelbrot rows, a Savina Big neighbourhood, the thread's CPU clock,
 * and one that ends its thread. Imported on the
 * threads (and on the main thread for the one-thread baselines).
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Address, Coro } from '../index.js';

/** Counts messages; `{ expect, reportTo }` asks for the count once it reaches `expect`. */
export async function sink(coro: Coro<any>): Promise<void> {
  let count = 0, target = Infinity;
  let reportTo: Address<number> | undefined;
  for (;;) {
    const m = await coro.receive();
    if (m?.expect !== undefined) [target, reportTo] = [m.expect, m.reportTo];
    else count++;
    if (count >= target && reportTo !== undefined) {
      reportTo.send(count);
      [count, target, reportTo] = [0, Infinity, undefined];
    }
  }
}

/** Answers every `{ n, replyTo }` with n * 2. */
export async function doubler(coro: Coro<{ n: number; replyTo: Address<number> }>): Promise<void> {
  for (;;) {
    const { n, replyTo } = await coro.receive();
    replyTo.send(n * 2);
  }
}

/** Escape iterations of the Mandelbrot rows [from, to) of a width × height picture (a checksum). */
export function mandelbrotRows(from: number, to: number, width: number, height: number, maxIter: number): number {
  let sum = 0;
  for (let y = from; y < to; y++) {
    const ci = (2 * y) / height - 1;
    for (let x = 0; x < width; x++) {
      const cr = (3 * x) / width - 2;
      let zr = 0, zi = 0, i = 0;
      for (; i < maxIter && zr * zr + zi * zi <= 4; i++) [zr, zi] = [zr * zr - zi * zi + cr, 2 * zr * zi + ci];
      sum += i;
    }
  }
  return sum;
}

/** Computes the row ranges it is sent (`{ from, to, replyTo }`), answering each with its checksum. */
export async function mandelbrot(coro: Coro<{ from: number; to: number; replyTo: Address<number> }>, width: number, height: number, maxIter: number): Promise<void> {
  for (;;) {
    const { from, to, replyTo } = await coro.receive();
    replyTo.send(mandelbrotRows(from, to, width, height, maxIter));
  }
}

type BigMessage = { ping: true; from: number } | { pong: true } | { neighbours: Array<Coro<BigMessage, void>> };

/**
 * Savina's Big, one neighbourhood: `actors` actors each send `pings` pings, one at a time, to a
 * random neighbour and wait for its pong; every actor answers the pings it gets. Resolves with
 * the pings answered once every actor has had all its pongs.
 */
export async function bigNeighbourhood(coro: Coro<'done', number>, actors: number, pings: number, seed: number): Promise<number> {
  let state = seed >>> 0 || 1;
  const random = (n: number): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  let answered = 0;
  const members: Array<Coro<BigMessage, void>> = [];
  for (let a = 0; a < actors; a++) {
    members.push(
      coro.scheduler.spawnWith({ name: 'big', daemon: true }, async (me: Coro<BigMessage, void>) => {
        const { neighbours } = (await me.receive({ filter: (m) => 'neighbours' in m })) as { neighbours: Array<Coro<BigMessage, void>> };
        let sent = 1;
        neighbours[random(neighbours.length)]!.send({ ping: true, from: a });
        for (;;) {
          const m = await me.receive();
          if ('ping' in m) {
            answered++;
            members[m.from]!.send({ pong: true });
          } else if ('pong' in m) {
            if (sent < pings) {
              sent++;
              neighbours[random(neighbours.length)]!.send({ ping: true, from: a });
            } else coro.send('done');
          }
        }
      }),
    );
  }
  for (const m of members) m.send({ neighbours: members });
  for (let done = 0; done < actors; done++) await coro.receive();
  for (const m of members) m.terminate();
  return answered;
}

/** Answers every `{ replyTo }` with the time it got it (ms since the epoch, for latency splits). */
export async function stamper(coro: Coro<{ replyTo: Address<number> }>): Promise<void> {
  for (;;) {
    const { replyTo } = await coro.receive();
    replyTo.send(performance.timeOrigin + performance.now());
  }
}

/** CPU time this thread has used, ms (Linux: /proc/thread-self/schedstat); NaN elsewhere. */
function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/** Answers every `{ replyTo }` with the CPU time its thread has used so far, ms. */
export async function cpuClock(coro: Coro<{ replyTo: Address<number> }>): Promise<void> {
  for (;;) (await coro.receive()).replyTo.send(threadCpuMs());
}

/** Ends its thread (process.exit) when sent anything: the thread is lost and replaced. */
export async function endThread(coro: Coro<unknown>): Promise<void> {
  await coro.receive();
  process.exit(1);
}
