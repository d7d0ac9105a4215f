/**
 * Savina ThreadRing: `actors` actors in a ring pass a token `hops` times; the actor that receives
 * it at zero sends an exit around the ring, and every actor ends.
 * @module
 */
import { Scheduler, type Coro } from '../../index.js';
import { BaselineMailbox } from '../baselineMailbox.js';
import type { Workload } from './workload.js';

interface Params {
  actors: number;
  hops: number;
}

/** A token message is its remaining hops (>= 0); an exit is -(exits left) - 1. */
function onToken(t: number, send: (m: number) => void, ringSize: number): 'go' | 'exit' {
  if (t > 0) {
    send(t - 1);
    return 'go';
  }
  const exitsLeft = t === 0 ? ringSize : -t - 1; // the token ended here, or an exit came by
  if (exitsLeft > 1) send(-(exitsLeft - 1) - 1);
  return 'exit';
}

async function asyncoro({ actors, hops }: Params): Promise<number> {
  const sched = new Scheduler();
  const ring: Coro<number>[] = [];
  let passed = 0;
  for (let i = 0; i < actors; i++) {
    ring.push(
      sched.spawn(async (coro: Coro<number>) => {
        const next = ring[(i + 1) % actors]!;
        const send = (m: number): boolean => next.send(m);
        for (;;) {
          const t = await coro.receive();
          if (t > 0) passed++;
          if (onToken(t, send, actors) === 'exit') return;
        }
      }),
    );
  }
  ring[0]!.send(hops);
  await sched.join();
  await sched.terminate();
  return passed;
}

async function handRolled({ actors, hops }: Params): Promise<number> {
  const boxes = Array.from({ length: actors }, () => new BaselineMailbox<number>());
  let passed = 0;
  const all = boxes.map(async (box, i) => {
    const next = boxes[(i + 1) % actors]!;
    const send = (m: number): void => next.send(m);
    for (;;) {
      const t = await box.receive();
      if (t > 0) passed++;
      if (onToken(t, send, actors) === 'exit') return;
    }
  });
  boxes[0]!.send(hops);
  await Promise.all(all);
  return passed;
}

/** ThreadRing: a token around a ring of actors. */
export const threadRing: Workload<Params> = {
  name: 'thread_ring',
  about: '100 actors in a ring, 1 token',
  smoke: { actors: 100, hops: 2_000 },
  full: { actors: 100, hops: 500_000 },
  asyncoro,
  handRolled,
};
