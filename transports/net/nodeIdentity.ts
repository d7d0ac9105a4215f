/**
 * What every node has, whether it talks TCP or only to the threads of its process over ports:
 * a fresh incarnation (node id) and the wire protocol version it speaks. Kept apart from the
 * handshake so that a node which neither listens nor dials loads none of the TCP side.
 * @module
 */

/**
 * The protocol version this build speaks; peers with the same major version interoperate (3.0
 * sealed a secret's links with its own record layer instead of TLS, 4.0 adds an X25519 exchange
 * to it for forward secrecy; nodes of another major refuse each other in the greeting).
 * @example
 * ```ts
 * log(`wire protocol ${PROTOCOL_VERSION.major}.${PROTOCOL_VERSION.minor}`);
 * ```
 */
export const PROTOCOL_VERSION = { major: 4, minor: 0 } as const;

/**
 * A fresh node id (incarnation): 16 random bytes as 32 hex digits, from the platform's CSPRNG.
 * @example
 * ```ts
 * const incarnation = newNodeId(); // 32 hex digits
 * ```
 */
export function newNodeId(): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(16))).toString('hex');
}
