/**
 * Type tests: this file is compiled with the rest of the project (`tsc -p .`), so every
 * `@ts-expect-error` line below must be an error, and every other line must compile. The mocha
 * part only checks that the same values work at run time.
 */
import { expect } from 'chai';
import { ask } from '../actors/ask.js';
import { Channel } from '../actors/Channel.js';
import type { RemoteCoro } from '../actors/remote/RemoteCoro.js';
import type { Address } from '../runtime/address.js';
import { Coro } from '../runtime/Coro.js';
import type { MonitorStatus } from '../runtime/MonitorStatus.js';
import type { CoroRef } from '../runtime/networkPort.js';
import { Scheduler } from '../runtime/Scheduler.js';
import type { Supervisor } from '../actors/Supervisor.js';

type Reply = { y: number };
type Noise = { noise: string };

/** Compile-time only: assignments that must, and must not, type-check. */
export function typeChecks(wide: Coro<Reply | Noise>, narrow: Coro<Reply>, remote: RemoteCoro<Reply>, numbers: Channel<number>): void {
  const a: Address<Reply> = wide; // contravariant: a coroutine taking more is an address of less
  const b: Address<Reply> = remote; // a remote coroutine is an address too
  const c: Address<Reply> = narrow;
  const refs: CoroRef<Reply>[] = [narrow, remote]; // local and remote stand in for each other
  // @ts-expect-error a Coro<Reply> does not take Noise, so it is no Address<Reply | Noise>
  const d: Address<Reply | Noise> = narrow;
  // @ts-expect-error the wrong message type to an address
  a.send({ noise: 'x' });
  // @ts-expect-error a Channel<number> is sent a string
  numbers.send('one');
  numbers.send(1);
  void [a, b, c, d, refs];
}

/** ask infers the request from the target and types the reply. */
export async function askTypes(server: Coro<{ x: number; replyTo: Address<number> }>): Promise<number> {
  const y: number = await ask(server, (replyTo) => ({ x: 1, replyTo })); // the reply type is inferred
  // @ts-expect-error the reply is a number, not a string
  const s: string = await ask(server, (replyTo) => ({ x: 1, replyTo }));
  // @ts-expect-error the request's shape is the target's message type
  await ask(server, (replyTo) => ({ z: 1, replyTo }));
  // @ts-expect-error a reply path of another type does not fit the request
  await ask<{ x: number; replyTo: Address<number> }, string>(server, (replyTo) => ({ x: 1, replyTo }));
  return y + s.length;
}

/** A supervisor's children are typed by what they receive. */
export async function supervisorTypes(sup: Supervisor, worker: (coro: Coro<{ job: number }>) => Promise<void>): Promise<void> {
  sup.child<{ job: number }>('w0')?.send({ job: 1 });
  // @ts-expect-error child<M> is an address of M only
  sup.child<{ job: number }>('w0')?.send('text');
  const started = await sup.startChild({ id: 'w1', start: worker }); // typed from the spec
  started.send({ job: 2 });
  // @ts-expect-error the started child takes what its function receives
  started.send({ job: 'two' });
  // @ts-expect-error a spec's start must be a coroutine function
  await sup.startChild({ id: 'w2', start: 42 });
}

type KV = { get: string; replyTo: Address<string | undefined> } | { put: string; value: string; replyTo: Address<boolean> } | { stop: true; replyTo: Address<'done'> };
type Op = { op: 'get'; key: string; replyTo: Address<string> } | { op: 'count'; replyTo: Address<number> };

/** ask over a union of requests types the reply of the variant the builder returns. */
export async function askUnionTypes(kv: Coro<KV>, ops: Coro<Op>): Promise<unknown[]> {
  const a: string | undefined = await ask(kv, (replyTo) => ({ get: 'k', replyTo }));
  const b: boolean = await ask(kv, (replyTo) => ({ put: 'k', value: 'v', replyTo }));
  const c: 'done' = await ask(kv, (replyTo) => ({ stop: true, replyTo }));
  // @ts-expect-error a put replies with a boolean, not the union of every reply
  const d: string = await ask(kv, (replyTo) => ({ put: 'k', value: 'v', replyTo }));
  const e: string = await ask(ops, (replyTo) => ({ op: 'get', key: 'x', replyTo }));
  const g: number = await ask(ops, (replyTo) => ({ op: 'count', replyTo }));
  // @ts-expect-error count replies with a number (the discriminant picks the variant)
  const h: string = await ask(ops, (replyTo) => ({ op: 'count', replyTo }));
  // @ts-expect-error no variant has this shape
  await ask(ops, (replyTo) => ({ op: 'remove', replyTo }));
  // The documented two-parameter form names the request and the reply.
  const two: number = await ask<Op, number>(ops, (replyTo) => ({ op: 'count', replyTo }));
  return [a, b, c, d, e, g, h, two];
}

/** A monitor status names the coroutine as a live reference: it can be sent to, waited on, terminated. */
export async function statusTypes(status: MonitorStatus<number>): Promise<void> {
  status.coro.send('restart');
  const value: number = await status.coro.value();
  void value;
}

/** Locates are generic: the caller names what the located coroutine takes. */
export async function locateTypes(sched: Scheduler): Promise<void> {
  const found = await Coro.locate<Reply>('x', { scheduler: sched, timeout: 0 });
  found?.send({ y: 1 });
  // @ts-expect-error a located Coro<Reply> is not sent Noise
  found?.send({ noise: 'x' });
}

describe('types', () => {
  it('the values the type tests use work at run time', async () => {
    const sched = new Scheduler();
    try {
      const server = sched.spawnWith({ daemon: true }, async (coro: Coro<{ x: number; replyTo: Address<number> }>) => {
        for await (const { x, replyTo } of coro.messages()) replyTo.send(x + 1);
      });
      expect(await ask(server, (replyTo) => ({ x: 1, replyTo }), { timeout: 1000 })).to.equal(2);
      expect(await Coro.locate<Reply>('nobody', { scheduler: sched, timeout: 0 })).to.equal(undefined);
    } finally {
      await sched.terminate();
    }
  });
});
