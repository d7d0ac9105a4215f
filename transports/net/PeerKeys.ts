/**
 * What protects a node's peer connections, derived once from its options and kept out of sight:
 * the shared secret is never stored; HKDF-SHA-256 turns it into a record key (from which each
 * connection derives its own keys, RecordLayer.ts) and a handshake MAC key, held in private fields (`util.inspect`, `JSON.stringify` and pino show only
 * the mode). Certificate TLS keeps its private key inside a secure context, never as text.
 *
 * Modes: `plain` (no secret, no certificates: loopback or `insecure: true` only), `psk` (a secret:
 * every byte after the greeting in ChaCha20-Poly1305 records keyed from it), `certificate` (the `tls` option; with a secret as well,
 * the handshake inside the channel still proves it).
 * @module
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { KeyMaterial, wipeMaterial, type PeerKeyMaterial } from './KeyMaterial.js';
import { InsecureNetworkError } from './netErrors.js';
import { RecordLayer } from './RecordLayer.js';
import { Secret } from './Secret.js';
import { TlsUpgrader } from './TlsUpgrader.js';

export { KeyMaterial, type PeerKeyMaterial } from './KeyMaterial.js';

/** HKDF salt and per-key context strings: fixed, so that equal secrets give equal keys. */
const HKDF_SALT = 'asyncoro peer protocol 3';
const RECORD_CONTEXT = 'asyncoro 3 record key', MAC_CONTEXT = 'asyncoro 3 handshake mac';

/**
 * Certificate TLS for every peer connection (PKI deployments). Peers must present a certificate
 * signed by `ca`; leaving `ca` out is refused unless `insecureSkipVerify: true` is written.
 * @example
 * ```ts
 * await Network.start({ host: '0.0.0.0', secret, tls: { cert, key, ca: caPem } });
 * ```
 */
export interface PeerTlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer;
  /** Encrypt without checking certificates: an active attacker can then sit in the middle unless a `secret` is set too. */
  insecureSkipVerify?: boolean;
}

/** How a node's peer connections are protected. */
export type ChannelMode = 'plain' | 'psk' | 'certificate';

/**
 * A high-entropy shared secret for `Network.start({ secret })`: 32 random bytes, base64url.
 * Use it (or anything as random): a recorded connection lets an attacker test guesses offline,
 * so a short or guessable secret can be found.
 * @example
 * ```ts
 * const secret = newSecret(); // e.g. put it in ASYNCORO_SECRET on every node
 * ```
 */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The derived keys (and the certificate TLS settings) of one node.
 * @example
 * ```ts
 * const keys = PeerKeys.from(process.env.ASYNCORO_SECRET, undefined);
 * keys.mode; // 'psk'
 * ```
 */
export class PeerKeys {
  readonly mode: ChannelMode;
  /** True when peers must prove the shared secret. */
  readonly hasSecret: boolean;
  /** True for certificate TLS with `insecureSkipVerify`. */
  readonly skipsVerify: boolean;
  #mac: Buffer;
  /** psk mode: the key each connection derives its record keys from. */
  #recordKey: Buffer | undefined;
  #upgrader: TlsUpgrader | undefined;

  private constructor(mode: ChannelMode, hasSecret: boolean, mac: Buffer, recordKey: Buffer | undefined, certificates: PeerTlsOptions | undefined) {
    this.mode = mode;
    this.hasSecret = hasSecret;
    this.#mac = mac;
    this.#recordKey = recordKey;
    this.skipsVerify = certificates?.insecureSkipVerify === true && certificates.ca === undefined;
    // Peers are identified by the CA and the handshake inside, not by host names.
    const client = { checkServerIdentity: () => undefined, minVersion: 'TLSv1.3' as const };
    if (mode === 'certificate' && certificates !== undefined) {
      const verify = certificates.ca !== undefined;
      const context = { cert: certificates.cert, key: certificates.key, ca: certificates.ca, minVersion: 'TLSv1.3' as const };
      this.#upgrader = new TlsUpgrader(
        { ...context, requestCert: verify, rejectUnauthorized: verify },
        { ...client, rejectUnauthorized: verify },
        context,
      );
    }
  }

  /**
   * Validates the secret and certificate options and derives the keys; the inputs are not kept
   * (the copy of the secret used to derive them is wiped). Throws InvalidArgumentError, or
   * InsecureNetworkError for `tls` without `ca` or `insecureSkipVerify`.
   */
  static from(secret: unknown, certificates: unknown): PeerKeys {
    const bytes = secretBytes(secret);
    try {
      return PeerKeys.derive(bytes, certificates);
    } finally {
      bytes.fill(0);
    }
  }

  private static derive(bytes: Buffer, certificates: unknown): PeerKeys {
    if (certificates === undefined) {
      return bytes.length > 0 ? new PeerKeys('psk', true, derive(bytes, MAC_CONTEXT), derive(bytes, RECORD_CONTEXT), undefined) : new PeerKeys('plain', false, derive(bytes, MAC_CONTEXT), undefined, undefined);
    }
    const c = certificates as PeerTlsOptions;
    if (c === null || typeof c !== 'object' || c.cert === undefined || c.key === undefined) throw new InvalidArgumentError('tls needs cert and key');
    if (c.ca === undefined && c.insecureSkipVerify !== true) {
      throw new InsecureNetworkError('tls without ca checks no certificates; give ca, or write insecureSkipVerify: true to accept any certificate');
    }
    try {
      return new PeerKeys('certificate', bytes.length > 0, derive(bytes, MAC_CONTEXT), undefined, c);
    } catch (err) {
      throw new InvalidArgumentError(`tls: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * @internal The derived keys, for this node's worker threads (their listeners then protect
   * connections as this node does), in a holder that shows nothing of them. Undefined in
   * certificate mode: its private key lives only in a TLS secure context, which cannot cross to a thread.
   */
  material(): KeyMaterial | undefined {
    if (this.mode === 'certificate') return undefined;
    return new KeyMaterial(this.mode, this.#mac, this.#recordKey);
  }

  /**
   * @internal The keys of a worker thread, from its owner's `material().forThread()`; the
   * material's bytes are wiped once read. Throws InvalidArgumentError for malformed material.
   */
  static fromMaterial(material: PeerKeyMaterial): PeerKeys {
    const m = material as Partial<PeerKeyMaterial> | null;
    const bytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array && v.length === 32;
    if (m === null || typeof m !== 'object' || !bytes(m.mac) || (m.mode === 'psk' ? !bytes(m.psk) : m.mode !== 'plain' || m.psk !== undefined)) {
      throw new InvalidArgumentError('malformed key material');
    }
    const keys = new PeerKeys(m.mode!, m.mode === 'psk', Buffer.from(m.mac), m.psk === undefined ? undefined : Buffer.from(m.psk), undefined);
    wipeMaterial(material);
    return keys;
  }

  /** Key of the handshake proofs (HMAC-SHA-256). */
  macKey(): Buffer {
    return this.#mac;
  }

  /**
   * @internal The record layer of one connection in `psk` mode: keys per direction derived from
   * the record key and both sides' nonces. Throws InvalidArgumentError in another mode.
   */
  records(initiatorNonce: Buffer, responderNonce: Buffer, role: 'initiator' | 'responder'): RecordLayer {
    if (this.#recordKey === undefined) throw new InvalidArgumentError(`no record key in ${this.mode} mode`);
    return RecordLayer.derive(this.#recordKey, initiatorNonce, responderNonce, role);
  }

  /**
   * @internal The record layer of one connection once its key exchange is done (`psk` mode):
   * keys from the record key and the connection's X25519 shared secret, salted with its
   * transcript, so that the secret alone does not open them. Throws InvalidArgumentError in another mode.
   */
  forwardRecords(shared: Buffer, transcript: Buffer, role: 'initiator' | 'responder'): RecordLayer {
    if (this.#recordKey === undefined) throw new InvalidArgumentError(`no record key in ${this.mode} mode`);
    const ikm = Buffer.concat([this.#recordKey, shared]);
    try {
      return RecordLayer.deriveFrom(ikm, transcript, 'asyncoro 4 forward', role);
    } finally {
      ikm.fill(0);
    }
  }

  /**
   * Upgrades a connected socket to TLS with certificates (rejects with the TLS error; the socket
   * is destroyed); resolves with `raw` itself in the other modes (a secret seals records instead).
   */
  secure(raw: Socket, role: 'initiator' | 'responder', timeout: number): Promise<Socket> {
    return this.#upgrader === undefined ? Promise.resolve(raw) : this.#upgrader.upgrade(raw, role, timeout);
  }

  toJSON(): object {
    return { mode: this.mode };
  }

  [inspect.custom](): string {
    return `PeerKeys { mode: '${this.mode}' }`;
  }
}

/** A copy of the secret's bytes (empty for none), whatever form it was given in. */
function secretBytes(secret: unknown): Buffer {
  if (secret === undefined) return Buffer.alloc(0);
  if (secret instanceof Secret) return secret.reveal();
  if (typeof secret === 'string') return Buffer.from(secret, 'utf8');
  if (Buffer.isBuffer(secret)) return Buffer.from(secret);
  throw new InvalidArgumentError('secret must be a string, a Buffer or a Secret');
}

function derive(secret: Buffer, context: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, context, 32));
}
