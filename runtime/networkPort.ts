/**
 * The ports through which a distribution layer plugs into the runtime. The runtime knows
 * nothing of the network: it declares what it needs here, and the remote layer
 * (`actors/remote/Network.ts`) implements it and attaches itself to a scheduler with
 * `scheduler.attachNetwork(...)` when networking starts.
 * @example
 * ```ts
 * const ref: CoroRef = coro; // a local Coro, and a RemoteCoro, both satisfy CoroRef
 * ref.send('hello');
 * ```
 * @module
 */
import type { MonitorTarget } from './coroTypes.js';
import type {  WaitOptions } from './options.js';
import type { Registry } from './Registry.js';
import type { PeerSnapshot } from './snapshotTypes.js';
import { type ActingWaitOptions } from './coroTypes.js';

/**
 * Where a node listens, as the runtime sees it (the transport's `Location` implements it).
 * @example
 * ```ts
 * const where: NodeAddress | undefined = coro.location; // e.g. '127.0.0.1:9705'
 * ```
 */
export interface NodeAddress {
  readonly host: string;
  readonly port: number;
  equals(other: unknown): boolean;
  toString(): string;
}

/**
 * The contract a local coroutine and a remote coroutine reference both implement: send to it,
 * deliver to it, monitor it, wait for it, terminate it.
 * @example
 * ```ts
 * async function stop(worker: CoroRef): Promise<void> { await worker.terminate(); }
 * ```
 */
export interface CoroRef<M = unknown, R = unknown> {
  readonly id: number;
  readonly name: string;
  /** Queues a message; false when it cannot be queued. */
  send(message: M): boolean;
  /** Resolves true once the message is in its mailbox, false if `timeout` passes first. */
  deliver(message: M, options?: ActingWaitOptions): Promise<boolean>;
  /** Terminates it; false if it had already ended. */
  terminate(): boolean | Promise<boolean>;
  /** Installs `monitor`: it receives a MonitorStatus when this coroutine ends. */
  notify(monitor: MonitorTarget): void | Promise<void>;
  /** Waits for it to end: its value, its error thrown, or `alarm` on timeout. */
  finish<A = undefined>(options?: ActingWaitOptions & { alarm?: A }): Promise<R | A>;
  /** Its result; TimeoutError when `timeout` passes first. */
  value(options?: ActingWaitOptions): Promise<R>;
}

/**
 * Options of a coroutine locate that may reach other nodes.
 * @example
 * ```ts
 * const options: NetworkLocateOptions = { timeout: 5000, location: '127.0.0.1:9705' };
 * ```
 */
export interface NetworkLocateOptions extends WaitOptions {
  /** Ask only the node at this location. */
  location?: NodeAddress | string;
}

/**
 * What the runtime sees of the networking attached to a scheduler: its address and identity,
 * and a network-wide locate in the scheduler's registries, which `Coro.locate`,
 * `scheduler.locateCoro` and `Channel.locate` use.
 * @example
 * ```ts
 * const detach = sched.attachNetwork(net); // done by Network.start; detach() by net.stop()
 * ```
 */
export interface SchedulerNetwork {
  readonly location: NodeAddress;
  readonly incarnation: string;
  readonly name: string;
  /** The peers, for `scheduler.snapshot()` (optional). */
  snapshotPeers?(): PeerSnapshot[];
  /** Finds `name` in `registry` (one of the scheduler's): here, then at other nodes; undefined on timeout. */
  locate(registry: Registry<any>, name: string, options?: NetworkLocateOptions): Promise<unknown>;
}
