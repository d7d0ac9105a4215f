/**
 * A node's derived peer keys as its worker threads need them, kept out of sight on the owner's
 * side (private fields: `util.inspect`, `JSON.stringify` and pino show only the mode) and handed
 * out as plain bytes only to be posted to one thread, which wipes them once it has its keys.
 * @module
 */
import { inspect } from 'node:util';

/**
 * Derived keys as plain bytes, as they cross to a worker thread (in memory, inside the process):
 * never the secret itself. `PeerKeys.fromMaterial` wipes them once read.
 * @example
 * ```ts
 * const wire: PeerKeyMaterial | undefined = keys.material()?.forThread();
 * ```
 */
export interface PeerKeyMaterial {
  mode: 'plain' | 'psk';
  mac: Uint8Array;
  psk: Uint8Array | undefined;
}

/**
 * The derived keys a node's threads listen with, held by the owner (set by `PeerKeys.material`).
 * @example
 * ```ts
 * const material = new KeyMaterial('psk', new Uint8Array(32), new Uint8Array(32)); // as keys.material() gives
 * const posted: PeerKeyMaterial = material.forThread(); // plain copies, for one thread's setup
 * ```
 */
export class KeyMaterial {
  readonly mode: 'plain' | 'psk';
  readonly #mac: Uint8Array;
  readonly #psk: Uint8Array | undefined;

  /** Keeps copies of `mac` and `psk` (32 bytes each). */
  constructor(mode: 'plain' | 'psk', mac: Uint8Array, psk: Uint8Array | undefined) {
    this.mode = mode;
    this.#mac = new Uint8Array(mac);
    this.#psk = psk === undefined ? undefined : new Uint8Array(psk);
  }

  /** Fresh plain copies of the keys, to post to one thread (structured clone copies them on). */
  forThread(): PeerKeyMaterial {
    return { mode: this.mode, mac: new Uint8Array(this.#mac), psk: this.#psk === undefined ? undefined : new Uint8Array(this.#psk) };
  }

  toJSON(): object {
    return { mode: this.mode };
  }

  [inspect.custom](): string {
    return `KeyMaterial { mode: '${this.mode}' }`;
  }
}

/**
 * Overwrites the bytes of posted key material with zeros (a thread's `workerData` and setup
 * message would otherwise hold them, readable by any code there, for the thread's life).
 * @example
 * ```ts
 * const posted = new KeyMaterial('psk', new Uint8Array(32), new Uint8Array(32)).forThread();
 * wipeMaterial(posted); // once the thread derived its keys from it
 * ```
 */
export function wipeMaterial(material: PeerKeyMaterial): void {
  material.mac.fill(0);
  material.psk?.fill(0);
}
