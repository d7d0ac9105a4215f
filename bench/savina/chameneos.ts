/**
 * Savina Chameneos: `creatures` chameneos meet in a mall `meetings` times. Each asks the mall for
 * a meeting; the mall pairs two waiting creatures by forwarding the second one's request to the
 * first, which takes the complement colour and tells the second; both then ask again. After the
 * last meeting the mall sends every creature home, and each reports how many meetings it had.
 * @module
 */
import { Scheduler, type Coro } from '../../index.js';
import { BaselineMailbox } from '../baselineMailbox.js';
import type { Workload } from './workload.js';

interface Params {
  creatures: number;
  meetings: number;
}

const FADED = 3;
/** The colour two creatures of colours `a` and `b` both take when they meet (blue, red, yellow). */
function complement(a: number, b: number): number {
  return a === b ? a : 3 - a - b;
}

/** The messages: a meeting request, the answer to one, going home, and the count sent back. */
const MEET = 0, CHANGE = 1, EXIT = 2, COUNT = 3;
interface Msg<R> {
  kind: number;
  color: number;
  from: R;
}
const msg = <R>(kind: number, color: number, from: R): Msg<R> => ({ kind, color, from });

/** The mall's state machine, shared by both twins; returns true once every creature has reported. */
class Mall<R> {
  private waiting: R | undefined = undefined;
  private faded = 0;
  sum = 0;
  constructor(private left: number, private readonly creatures: number, private readonly self: R, private readonly send: (to: R, m: Msg<R>) => void) {}

  handle(m: Msg<R>): boolean {
    if (m.kind === COUNT) {
      this.sum += m.color;
      return ++this.faded === this.creatures;
    }
    if (this.left === 0) this.send(m.from, msg(EXIT, FADED, this.self));
    else if (this.waiting === undefined) this.waiting = m.from;
    else {
      this.left--;
      this.send(this.waiting, m);
      this.waiting = undefined;
    }
    return false;
  }
}

/** A creature's state machine; returns true when it goes home. */
class Creature<R> {
  meetings = 0;
  constructor(private color: number, private readonly self: R, private readonly mall: R, private readonly send: (to: R, m: Msg<R>) => void) {}

  start(): void {
    this.send(this.mall, msg(MEET, this.color, this.self));
  }

  handle(m: Msg<R>): boolean {
    if (m.kind === EXIT) {
      this.color = FADED;
      this.send(this.mall, msg(COUNT, this.meetings, this.self));
      return true;
    }
    this.color = m.kind === MEET ? complement(this.color, m.color) : m.color;
    this.meetings++;
    if (m.kind === MEET) this.send(m.from, msg(CHANGE, this.color, this.self));
    this.send(this.mall, msg(MEET, this.color, this.self));
    return false;
  }
}

async function asyncoro({ creatures, meetings }: Params): Promise<number> {
  const sched = new Scheduler();
  const send = (to: Coro<Msg<any>>, m: Msg<any>): void => void to.send(m);
  const mall = sched.spawn(async (coro: Coro<Msg<Coro<any, any>>, number>) => {
    const state = new Mall(meetings, creatures, coro, send);
    while (!state.handle(await coro.receive()));
    return state.sum;
  });
  for (let i = 0; i < creatures; i++) {
    sched.spawn(async (coro: Coro<Msg<Coro<any, any>>>) => {
      const me = new Creature(i % 3, coro, mall, send);
      me.start();
      while (!me.handle(await coro.receive()));
    });
  }
  await sched.join();
  const sum = await mall.value();
  await sched.terminate();
  return sum;
}

async function handRolled({ creatures, meetings }: Params): Promise<number> {
  type Box = BaselineMailbox<Msg<any>>;
  const send = (to: Box, m: Msg<Box>): void => to.send(m);
  const mallBox: Box = new BaselineMailbox();
  const mall = (async () => {
    const state = new Mall(meetings, creatures, mallBox, send);
    while (!state.handle(await mallBox.receive()));
    return state.sum;
  })();
  const all: Promise<void>[] = [];
  for (let i = 0; i < creatures; i++) {
    const box: Box = new BaselineMailbox();
    all.push(
      (async () => {
        const me = new Creature(i % 3, box, mallBox, send);
        me.start();
        while (!me.handle(await box.receive()));
      })(),
    );
  }
  await Promise.all(all);
  return mall;
}

/** Chameneos: a mall pairing creatures, `meetings` times. */
export const chameneos: Workload<Params> = {
  name: 'chameneos',
  about: '100 creatures and a mall',
  smoke: { creatures: 100, meetings: 2_000 },
  full: { creatures: 100, meetings: 200_000 },
  asyncoro,
  handRolled,
};
