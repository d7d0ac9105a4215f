/**
 * The options of a `Threads` group resolved: how often a lost thread is replaced, and whether
 * (and how) its threads listen for other hosts.
 * @module
 */
import { checkCount, describe } from '../../runtime/options.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import type { Network } from '../remote/Network.js';
import type { KeyMaterial } from '../../transports/net/KeyMaterial.js';
import type { ThreadListen } from './threadProtocol.js';

/** How the threads listen, as the owner keeps it: the keys in a holder that shows nothing of them. */
export type OwnerListen = Omit<ThreadListen, 'keys'> & { keys: KeyMaterial | undefined };

/**
 * The restart intensity of a group (`restart` of ThreadsOptions): undefined for `false` (never);
 * 3 in 5 s by default. Throws InvalidArgumentError for anything else.
 * @example
 * ```ts
 * restartOf({ maxRestarts: 5 }); // { maxRestarts: 5, withinMs: 5000 }
 * ```
 */
export function restartOf(restart: false | { maxRestarts?: number; withinMs?: number } | undefined): { maxRestarts: number; withinMs: number } | undefined {
  if (restart === false) return undefined;
  if (restart === undefined) return { maxRestarts: 3, withinMs: 5000 };
  if (restart === null || typeof restart !== 'object') throw new InvalidArgumentError(`restart must be false or { maxRestarts, withinMs }, got ${describe(restart)}`);
  return { maxRestarts: checkCount(restart.maxRestarts ?? 3, 'restart.maxRestarts'), withinMs: checkCount(restart.withinMs ?? 5000, 'restart.withinMs', 1) };
}

/**
 * How the threads listen for other hosts: as the owner's network does (its addresses and derived
 * keys), unless told not to; undefined when they do not. Throws InvalidArgumentError when they
 * are told to and cannot (no listening owner, certificate TLS).
 * @example
 * ```ts
 * const listen = listenOf(net, undefined); // undefined for an owner that does not listen
 * ```
 */
export function listenOf(net: Network, listen: boolean | undefined): OwnerListen | undefined {
  const owner = net.options;
  const ownerListens = owner.inProcess === undefined;
  if (listen === false || (listen === undefined && !ownerListens)) return undefined;
  if (!ownerListens) throw new InvalidArgumentError('the threads cannot listen: their owner has no listening network (start Network first)');
  const keys = owner.keys.material();
  if (keys === undefined) {
    if (listen === true) throw new InvalidArgumentError('threads cannot listen with certificate TLS (its private key stays in the owner\'s secure context): pass listen: false');
    net.logger.info('threads do not listen for other hosts: certificate TLS keys cannot cross to a thread');
    return undefined;
  }
  return { hosts: [...owner.hosts], extHost: owner.extHost, keys, peering: owner.peering };
}


/**
 * What one thread's setup carries of `listen`: the keys as fresh plain bytes, which the thread
 * wipes once it has derived its own (PeerKeys.fromMaterial).
 * @example
 * ```ts
 * const setupListen = threadListen(listenOf(net, undefined));
 * ```
 */
export function threadListen(listen: OwnerListen | undefined): ThreadListen | undefined {
  return listen === undefined ? undefined : { ...listen, keys: listen.keys?.forThread() };
}
