/**
 * Savina Big: `actors` actors each send `pings` pings to randomly chosen others, which answer with
 * a pong; an actor that has had all its pongs tells the sink, and once all have, the sink sends
 * every actor home.
 * @module
 */
import { Scheduler, type Coro } from '../../index.js';
import { BaselineMailbox } from '../baselineMailbox.js';
import { xorshift, type Workload } from './workload.js';

interface Params {
  actors: number;
  pings: number;
}

/** A ping is the sender's index (>= 0). */
const PONG = -1, EXIT = -2;

/** One actor's state machine, shared by both twins; returns true when it is sent home. */
class BigActor {
  private sent = 0;
  private readonly random: () => number;
  constructor(private readonly index: number, private readonly actors: number, private readonly pings: number, private readonly send: (to: number, m: number) => void, private readonly done: () => void) {
    this.random = xorshift(index + 1);
  }

  handle(m: number): boolean {
    if (m === EXIT) return true;
    if (m >= 0) this.send(m, PONG);
    else if (this.sent === this.pings) this.done();
    else {
      this.sent++;
      this.send(this.random() % this.actors, this.index);
    }
    return false;
  }
}

async function asyncoro({ actors, pings }: Params): Promise<number> {
  const sched = new Scheduler();
  const all: Coro<number>[] = [];
  let pongs = 0;
  const sink = sched.spawn(async (coro: Coro<number>) => {
    for (let i = 0; i < actors; i++) await coro.receive();
    for (const a of all) a.send(EXIT);
    return actors;
  });
  const send = (to: number, m: number): void => {
    if (m === PONG) pongs++;
    all[to]!.send(m);
  };
  const done = (): void => void sink.send(0);
  for (let i = 0; i < actors; i++) {
    all.push(
      sched.spawn(async (coro: Coro<number>) => {
        const me = new BigActor(i, actors, pings, send, done);
        while (!me.handle(await coro.receive()));
      }),
    );
  }
  for (const a of all) a.send(PONG); // the first pong starts each actor's pings
  await sched.join();
  await sched.terminate();
  return pongs;
}

async function handRolled({ actors, pings }: Params): Promise<number> {
  const boxes = Array.from({ length: actors }, () => new BaselineMailbox<number>());
  const sinkBox = new BaselineMailbox<number>();
  let pongs = 0;
  const sink = (async () => {
    for (let i = 0; i < actors; i++) await sinkBox.receive();
    for (const b of boxes) b.send(EXIT);
  })();
  const send = (to: number, m: number): void => {
    if (m === PONG) pongs++;
    boxes[to]!.send(m);
  };
  const done = (): void => sinkBox.send(0);
  const all = boxes.map(async (box, i) => {
    const me = new BigActor(i, actors, pings, send, done);
    while (!me.handle(await box.receive()));
  });
  for (const b of boxes) b.send(PONG);
  await Promise.all(all);
  await sink;
  return pongs;
}

/** Big: many-to-many pings between actors chosen at random. */
export const big: Workload<Params> = {
  name: 'big',
  about: '120 actors pinging random others',
  smoke: { actors: 120, pings: 20 },
  full: { actors: 120, pings: 2_000 },
  asyncoro,
  handRolled,
};
