/**
 * The networking of the computations of one scheduler. A scheduler has one Network: a computation
 * uses the one started on its scheduler (by the program: then the computation's `network` and
 * `secret` options do not apply, and the program stops it), or starts one with its options. A
 * network a computation started is shared by the computations of that scheduler and stopped when
 * the last of them closes (a failed `schedule()` closes its computation): nothing a computation
 * started outlives it to change the next one, and one computation's close does not cut another's
 * connections. A computation that would join such a network with another secret is refused.
 * @module
 */
import type { Scheduler } from '../../../runtime/Scheduler.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import type { NetworkOptions } from '../../../transports/net/peerOptions.js';
import { Network } from '../../remote/Network.js';

type Secret = NetworkOptions['secret'];

/** Who uses a network that computations started, and the secret it was started with (kept private). */
class ComputationsNetwork {
  readonly users = new Set<string>();
  /** True once a computation started it (else the program did, and computations never stop it). */
  started = false;
  #secret: Secret = undefined;

  adopt(secret: Secret): void {
    this.started = true;
    this.#secret = secret;
  }

  /** False when `secret` was given and differs from the one a computation started it with. */
  admits(secret: Secret): boolean {
    if (!this.started || secret === undefined) return true;
    const a = this.#secret, b = secret;
    if (a === undefined) return String(b).length === 0;
    return Buffer.from(a as string).equals(Buffer.from(b as string));
  }
}

const SHARE: unique symbol = Symbol('discoro-computations-network');

/**
 * A computation's hold on its scheduler's network.
 * @example
 * ```ts
 * const { net, release } = await joinNetwork(sched, 'c-1', { discover: false }, 'shared secret');
 * await release();
 * ```
 */
export interface NetworkHold {
  net: Network;
  /** Lets go of it; the network is stopped when a computation started it and no other uses it. */
  release(): Promise<void>;
}

/**
 * Joins (or starts) the network of `scheduler` for computation `id`. InvalidArgumentError when a
 * network that computations started uses another secret than `secret`.
 * @example
 * ```ts
 * const hold = await joinNetwork(sched, 'c-1', { discover: false }, undefined);
 * log(String(hold.net.location));
 * ```
 */
export async function joinNetwork(scheduler: Scheduler, id: string, options: NetworkOptions | undefined, secret: Secret, discover = true): Promise<NetworkHold> {
  let net = Network.of(scheduler);
  let started = false;
  if (net === undefined) {
    try {
      // A client that names its nodes keeps to them (a leaf); one that discovers dials every node it hears of.
      const peering = options?.meshPeers === undefined ? { peering: discover ? 'mesh' : 'leaf' } as const : {};
      net = await Network.start(scheduler, { discover: false, ...peering, ...options, ...(secret !== undefined ? { secret } : {}) });
      started = true;
    } catch (err) {
      net = Network.of(scheduler); // another computation of this scheduler started one meanwhile
      if (net === undefined) throw err;
    }
  }
  const share = net.extension(SHARE, () => new ComputationsNetwork());
  if (started) share.adopt(secret);
  else if (!share.admits(secret)) {
    throw new InvalidArgumentError(`computation ${id}: the network of its scheduler was started by another computation with another secret; close that one first, or give this one a scheduler of its own`);
  }
  share.users.add(id);
  const joined = net;
  let released = false;
  return {
    net: joined,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      share.users.delete(id);
      if (share.started && share.users.size === 0 && Network.of(scheduler) === joined) await joined.stop();
    },
  };
}
