/**
 * What a discoronode's server processes need to join its network, kept out of sight: the shared
 * secret and the TLS certificate and key live in private fields (`util.inspect`, `JSON.stringify`
 * and the logger see none of them) and leave the node only in the start message sent to a server
 * over its IPC channel, never through its environment.
 * @module
 */
import type { ToServer } from '../protocol.js';
import type { DiscoroNodeOptions, ResolvedNodeOptions } from './discoroNodeOptions.js';

type ServerNetwork = Extract<ToServer, { type: 'start' }>['network'];

/**
 * A node's credentials for its servers.
 * @example
 * ```ts
 * const credentials = new ServerCredentials({ secret: process.env.DISCORO_SECRET });
 * const network = credentials.network(options, 0); // options: the node's ResolvedNodeOptions
 * ```
 */
export class ServerCredentials {
  readonly #secret: string | undefined;
  readonly #tls: DiscoroNodeOptions['tls'];

  /** Takes the secret and the TLS settings of `given` (the rest is not kept). */
  constructor(given: Pick<DiscoroNodeOptions, 'secret' | 'tls'>) {
    this.#secret = given.secret;
    this.#tls = given.tls;
  }

  /** The network settings of a server listening on `port` (0: ephemeral). */
  network(o: ResolvedNodeOptions, port: number): ServerNetwork {
    return {
      host: o.host, port, extHost: o.extHost, secret: this.#secret, insecure: o.insecure, tls: this.#tls,
      heartbeatInterval: o.heartbeatInterval, peerTimeout: o.peerTimeout, maxFileSize: o.maxFileSize,
    };
  }
}
