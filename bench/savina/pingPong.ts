/**
 * Savina PingPong: two actors pass one message back and forth `rounds` times.
 * @module
 */
import { Scheduler, type Coro } from '../../index.js';
import { BaselineMailbox } from '../baselineMailbox.js';
import type { Workload } from './workload.js';

interface Params {
  rounds: number;
}

const STOP = -1;

async function asyncoro({ rounds }: Params): Promise<number> {
  const sched = new Scheduler();
  let ping: Coro<number, number> | undefined;
  const pong = sched.spawn(async (coro: Coro<number>) => {
    for (;;) {
      const n = await coro.receive();
      if (n === STOP) return;
      ping!.send(n + 1);
    }
  });
  ping = sched.spawn(async (coro: Coro<number, number>) => {
    let sum = 0;
    for (let i = 0; i < rounds; i++) {
      pong.send(i);
      sum += await coro.receive();
    }
    pong.send(STOP);
    return sum;
  });
  await sched.join();
  const sum = await ping.value();
  await sched.terminate();
  return sum;
}

async function handRolled({ rounds }: Params): Promise<number> {
  const pingBox = new BaselineMailbox<number>();
  const pongBox = new BaselineMailbox<number>();
  const pong = (async () => {
    for (;;) {
      const n = await pongBox.receive();
      if (n === STOP) return;
      pingBox.send(n + 1);
    }
  })();
  const ping = (async () => {
    let sum = 0;
    for (let i = 0; i < rounds; i++) {
      pongBox.send(i);
      sum += await pingBox.receive();
    }
    pongBox.send(STOP);
    return sum;
  })();
  await pong;
  return ping;
}

/** PingPong: `rounds` round trips between two actors. */
export const pingPong: Workload<Params> = {
  name: 'ping_pong',
  about: '2 actors, 1 message in flight',
  smoke: { rounds: 2_000 },
  full: { rounds: 300_000 },
  asyncoro,
  handRolled,
};
