/**
 * Savina's two fork-join workloads. Throughput: `actors` actors each receive `messages` messages
 * and do a little arithmetic per message. Creation: `actors` actors are created, each receives
 * one message, does the arithmetic and ends.
 * @module
 */
import { Scheduler, type Coro } from '../../index.js';
import { BaselineMailbox } from '../baselineMailbox.js';
import { Latch, performComputation, type Workload } from './workload.js';

interface ThroughputParams {
  actors: number;
  messages: number;
}

async function throughputAsyncoro({ actors, messages }: ThroughputParams): Promise<number> {
  const sched = new Scheduler();
  let sum = 0;
  const all = Array.from({ length: actors }, () =>
    sched.spawn(async (coro: Coro<number>) => {
      for (let i = 0; i < messages; i++) sum += performComputation(await coro.receive());
    }),
  );
  for (let m = 0; m < messages; m++) for (const a of all) a.send(m);
  await sched.join();
  await sched.terminate();
  return Math.round(sum);
}

async function throughputHandRolled({ actors, messages }: ThroughputParams): Promise<number> {
  let sum = 0;
  const boxes = Array.from({ length: actors }, () => new BaselineMailbox<number>());
  const all = boxes.map(async (box) => {
    for (let i = 0; i < messages; i++) sum += performComputation(await box.receive());
  });
  for (let m = 0; m < messages; m++) for (const b of boxes) b.send(m);
  await Promise.all(all);
  return Math.round(sum);
}

/** Fork-join (throughput): many messages to each of a few actors. */
export const forkJoinThroughput: Workload<ThroughputParams> = {
  name: 'fork_join_throughput',
  about: '60 actors x messages',
  smoke: { actors: 60, messages: 100 },
  full: { actors: 60, messages: 10_000 },
  asyncoro: throughputAsyncoro,
  handRolled: throughputHandRolled,
};

interface CreationParams {
  actors: number;
}

async function creationBody(coro: Coro<number>, add: (x: number) => void): Promise<void> {
  add(performComputation(await coro.receive()));
}

async function creationAsyncoro({ actors }: CreationParams): Promise<number> {
  const sched = new Scheduler();
  let sum = 0;
  const add = (x: number): void => void (sum += x);
  for (let i = 0; i < actors; i++) sched.spawn(creationBody, add).send(i);
  await sched.join();
  await sched.terminate();
  return Math.round(sum);
}

async function creationHandRolled({ actors }: CreationParams): Promise<number> {
  let sum = 0;
  const latch = new Latch(actors);
  const add = (x: number): void => {
    sum += x;
    latch.countDown();
  };
  const body = async (box: BaselineMailbox<number>): Promise<void> => add(performComputation(await box.receive()));
  for (let i = 0; i < actors; i++) {
    const box = new BaselineMailbox<number>();
    void body(box);
    box.send(i);
  }
  await latch.done;
  return Math.round(sum);
}

/** Fork-join (creation): one short-lived actor per message. */
export const forkJoinCreation: Workload<CreationParams> = {
  name: 'fork_join_creation',
  about: 'actors created, 1 message each',
  smoke: { actors: 2_000 },
  full: { actors: 200_000 },
  asyncoro: creationAsyncoro,
  handRolled: creationHandRolled,
};
