/**
 * The messages between a discoronode's coroutines (the node, its computations, their server
 * owners, the spares), and `call`: an `ask` whose reply is a value or the error to throw.
 * @module
 */
import type { Address } from '../../../runtime/address.js';
import { CoroFinishedError } from '../../../runtime/runtimeErrors.js';
import type { Coro } from '../../../runtime/Coro.js';
import type { ForkedProcess, ProcessOwner } from '../../../transports/io/ForkedProcess.js';
import { ask } from '../../ask.js';
import { ComputationClosedError } from '../../actorErrors.js';
import type { ComputationManifest, ServerInfo } from '../protocol.js';
import type { ClientRef } from './nodeEvents.js';

/**
 * The answer to a request: its value, or the error the asker throws.
 * @example
 * ```ts
 * const r: Reply<number> = { ok: true, value: 2 };
 * ```
 */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Answers `replyTo` with what `fn` returns (once it resolves), or with the error it throws.
 * @example
 * ```ts
 * await answer(replyTo, () => 6 * 7);
 * ```
 */
export async function answer<T>(replyTo: Address<Reply<T>>, fn: () => T | Promise<T>): Promise<void> {
  let reply: Reply<T>;
  try {
    reply = { ok: true, value: await fn() };
  } catch (error) {
    reply = { ok: false, error };
  }
  replyTo.send(reply);
}

/**
 * Sends the request `make(replyTo)` to coroutine `target` and resolves with the value of its
 * reply, or throws its error; ComputationClosedError (`what`) if the target ends first.
 * @example
 * ```ts
 * const servers = await call<ServerInfo[]>(comp.coro, (r) => new Setup(manifest, r), 'computation c-1');
 * ```
 */
export async function call<T>(target: Coro<any, any>, make: (replyTo: Address<Reply<T>>) => unknown, what: string, timeout?: number): Promise<T> {
  let reply: Reply<T>;
  try {
    reply = await ask<unknown, Reply<T>>(target, make, { timeout });
  } catch (err) {
    if (CoroFinishedError.is(err)) throw new ComputationClosedError(`${what} has ended`, { cause: err });
    throw err;
  }
  if (!reply.ok) throw reply.error;
  return reply.value;
}

// ---------------------------------------------------------------- to the node's coroutine

/** A client asks for slots: `{ granted, zombiePeriod }` or `{ queued, zombiePeriod }`. */
export class Reserve {
  constructor(readonly id: string, readonly want: number, readonly zombiePeriod: number | null, readonly client: ClientRef, readonly replyTo: Address<Reply<any>>, readonly name: string = id) {}
}
/** A client's request about its computation: the computation, or a typed refusal. */
export class Authorize {
  constructor(readonly id: string, readonly client: ClientRef, readonly replyTo: Address<Reply<any>>) {}
}
/**
 * Close computation `id` (undefined: every one); `from` a client (it must own it) or the operator
 * (undefined). Answered with the number closed, once they are.
 */
export class CloseAtNode {
  constructor(readonly id: string | undefined, readonly from: ClientRef | undefined, readonly grace: number, readonly reason: string | undefined, readonly replyTo: Address<Reply<number>>) {}
}
/** The operator enables or disables the node. */
export class SetEnabled {
  constructor(readonly enabled: boolean, readonly replyTo: Address<Reply<boolean>>) {}
}
/** Stop: close every computation (running jobs get `grace` ms), then end. */
export class StopNode {
  constructor(readonly grace: number, readonly replyTo: Address<Reply<boolean>>) {}
}

// ---------------------------------------------------------------- to a computation's coroutine

/** Start the servers (after the node setup): answered with their ServerInfo once all are ready. */
export class Setup {
  constructor(readonly manifest: ComputationManifest, readonly replyTo: Address<Reply<ServerInfo[]>>) {}
}
/** Its client is alive. */
export const PULSE = Symbol('pulse');
/** Close: running jobs get `grace` ms; `reason` is told to the client; `announce` tells it at once that it is closing. */
export class CloseComputation {
  constructor(readonly grace: number, readonly reason: string | undefined, readonly announce: boolean) {}
}
/** The operator holds (or releases) the server at `location`: answered false if it has none there. */
export class HoldServer {
  constructor(readonly location: string, readonly held: boolean, readonly replyTo: Address<Reply<boolean>>) {}
}
/** What a server owner tells its computation: it runs (starting), is ready, failed its first start, or is gone. */
export class ServerNews {
  constructor(
    readonly owner: { readonly index: number; readonly info: ServerInfo | undefined },
    readonly what: 'starting' | 'ready' | 'failed' | 'gone',
    /** Why it failed or went. */
    readonly error?: Error,
    /** Gone without being asked to (its process exited). */
    readonly unexpected = false,
  ) {}
}

// ---------------------------------------------------------------- to a server owner, a spare

/** Close the server: running jobs get `grace` ms (Infinity: until they end), then it is killed. */
export class CloseServer {
  constructor(readonly grace: number) {}
}
/** Terminate the job running as coroutine `job` in the server: answered true once done, false when there is none. */
export class TerminateJob {
  constructor(readonly job: number, readonly replyTo: Address<Reply<boolean>>) {}
}
/** Hand the spare process over to `owner` (only a warm one if `warmOnly`): answered with it, or undefined. */
export class TakeSpare {
  constructor(readonly owner: ProcessOwner, readonly warmOnly: boolean, readonly replyTo: Address<Reply<ForkedProcess | undefined>>) {}
}
/** Answered once everything sent before it has been handled. */
export class Flush {
  constructor(readonly replyTo: Address<Reply<boolean>>) {}
}
