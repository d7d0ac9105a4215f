/**
 * What the owner of worker threads and each thread agree on: the setup a thread starts with (its
 * identity, its owner's, the ports to its owner and to its running siblings, its network's
 * settings), the control messages on its parent port, and the request types a thread serves to
 * the nodes of its own process. Everything else between them is the ordinary peer protocol.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import type { PeerKeyMaterial } from '../../transports/net/PeerKeys.js';
import type { Peering } from '../../transports/net/peering.js';

/** Request types a thread serves, to nodes of its own process only. */
export const THREAD_SPAWN = 'thread-spawn';
export const THREAD_SNAPSHOT = 'thread-snapshot';
export const THREAD_TERMINATE = 'thread-terminate';

/**
 * A node of the process, as the setup and the control messages name it.
 * @example
 * ```ts
 * const owner: NodeIdentityData = { incarnation: net.incarnation, name: net.name, host: net.location.host, port: net.location.port };
 * ```
 */
export interface NodeIdentityData {
  incarnation: string;
  name: string;
  host: string;
  port: number;
}

/**
 * How a thread's node listens for other hosts (absent: it does not, and is `name:0`).
 * @example
 * ```ts
 * const listen: ThreadListen = { hosts: ['127.0.0.1'], extHost: undefined, keys: undefined, peering: 'mesh' };
 * ```
 */
export interface ThreadListen {
  hosts: string[];
  extHost: string | undefined;
  /** The owner's derived keys (never its secret); undefined for a plain network. */
  keys: PeerKeyMaterial | undefined;
  /** The owner's peering (peering.ts). */
  peering: Peering;
}

/**
 * The `workerData` a thread starts with.
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const owner: NodeIdentityData = { incarnation: net.incarnation, name: net.name, host: net.location.host, port: net.location.port };
 * const setup: ThreadSetup = { index: 1, incarnation: '0123456789abcdef0123456789abcdef', name: 'thread-1.ab12cd34', owner, ownerPort: port2, log: { port: port1, level: 'warn' }, siblings: [], network: { maxFrame: 1 << 20, heartbeatInterval: 1000, peerTimeout: 5000, requestTimeout: 10000, listen: undefined } };
 * ```
 */
export interface ThreadSetup {
  /** 1-based index in its group. */
  index: number;
  incarnation: string;
  name: string;
  owner: NodeIdentityData;
  ownerPort: MessagePort;
  /** Where the thread's logger posts its records (the owner writes them, see ThreadLogger) and from which level. */
  log: { port: MessagePort; level: string };
  /** Links to the siblings running when it started; later ones arrive as `link` messages. */
  siblings: Array<{ identity: NodeIdentityData; port: MessagePort }>;
  network: {
    maxFrame: number;
    heartbeatInterval: number;
    peerTimeout: number;
    requestTimeout: number;
    listen: ThreadListen | undefined;
  };
}

/**
 * The `workerData` of a spare: a thread started ahead of need, which loads the runtime, says it
 * is warm, and waits on its parent port for the setup of the place it takes (a `ToSpare`).
 * @example
 * ```ts
 * const data: SpareData = { spare: true };
 * ```
 */
export interface SpareData {
  spare: true;
}

/**
 * What the owner posts to a warm spare to put it in a place (its setup, the owner's port in the
 * transfer list).
 * @example
 * ```ts
 * const place = (setup: ThreadSetup): ToSpare => ({ kind: 'setup', setup });
 * ```
 */
export interface ToSpare {
  kind: 'setup';
  setup: ThreadSetup;
}

/**
 * What a spare posts once the runtime is loaded: it can take a place at once.
 * @example
 * ```ts
 * const warm: SpareWarm = { kind: 'warm' };
 * ```
 */
export interface SpareWarm {
  kind: 'warm';
}

/**
 * True for the workerData of a spare.
 * @example
 * ```ts
 * const data: unknown = { spare: true };
 * if (isSpareData(data)) log('a spare');
 * ```
 */
export function isSpareData(value: unknown): value is SpareData {
  return typeof value === 'object' && value !== null && (value as SpareData).spare === true;
}

/**
 * What the owner posts to a thread over its port (in order with its requests): a link to a
 * sibling that started after it, or stop.
 * @example
 * ```ts
 * const { port1 } = new MessageChannel();
 * const link: ToThread = { kind: 'link', identity: { incarnation: '0123456789abcdef0123456789abcdef', name: 't', host: 't', port: 0 }, port: port1 };
 * ```
 */
export type ToThread = { kind: 'link'; identity: NodeIdentityData; port: MessagePort } | { kind: 'stop' };

/**
 * What a thread posts to its owner: ready (its network runs and its links are in place), with
 * where it can be reached.
 * @example
 * ```ts
 * const ready: ThreadReady = { kind: 'ready', host: net.location.host, port: net.location.port };
 * ```
 */
export interface ThreadReady {
  kind: 'ready';
  host: string;
  port: number;
}

/**
 * True for a well-formed ready message from a thread.
 * @example
 * ```ts
 * const message: unknown = { kind: 'ready', host: 't', port: 0 };
 * if (isThreadReady(message)) log(message.port);
 * ```
 */
export function isThreadReady(value: unknown): value is ThreadReady {
  const m = value as ThreadReady | null;
  return typeof m === 'object' && m !== null && m.kind === 'ready' && typeof m.host === 'string' && typeof m.port === 'number';
}
