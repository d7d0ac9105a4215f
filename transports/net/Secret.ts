/**
 * A shared secret (or a token) as a value that cannot be printed: its bytes live in a private
 * field, and every way an object is shown or serialised shows `[secret]` instead (`util.inspect`,
 * printing to a terminal, `JSON.stringify` and so pino and JSON IPC, template strings, `String()`).
 * `Network.start({ secret })` takes one as it takes a string or a Buffer; an object that must keep
 * a secret to hand it on (to start a network later, or to pass it to a child process) keeps a
 * Secret, never the text. Only `reveal()` gives the bytes back, for the one place that must send
 * them (a child process's IPC channel), where a reader sees it is deliberate.
 * @module
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';

const SHOWN = '[secret]';

/**
 * A secret that shows as `[secret]` everywhere.
 * @example
 * ```ts
 * const secret = Secret.from(process.env.ASYNCORO_SECRET!);
 * log({ secret }); // {"secret":"[secret]"}
 * await Network.start({ host: '0.0.0.0', secret });
 * ```
 */
export class Secret {
  readonly #bytes: Buffer;

  private constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  /**
   * A Secret holding a copy of `value` (a string is taken as UTF-8; a Secret is returned as is).
   * Throws InvalidArgumentError for anything else, or an empty value.
   */
  static from(value: string | Uint8Array | Secret): Secret {
    if (value instanceof Secret) return value;
    if (typeof value === 'string') {
      if (value.length === 0) throw new InvalidArgumentError('a secret cannot be empty');
      return new Secret(Buffer.from(value, 'utf8'));
    }
    if (!(value instanceof Uint8Array)) throw new InvalidArgumentError('a secret must be a string, a Buffer or a Secret');
    if (value.length === 0) throw new InvalidArgumentError('a secret cannot be empty');
    return new Secret(Buffer.from(value));
  }

  /**
   * A new random secret of `bytes` bytes (32 by default: as `newSecret()`).
   * @example
   * ```ts
   * const secret = Secret.generate();
   * ```
   */
  static generate(bytes = 32): Secret {
    if (!Number.isInteger(bytes) || bytes < 16 || bytes > 1024) throw new InvalidArgumentError(`a generated secret has 16 to 1024 bytes, not ${String(bytes)}`);
    return new Secret(randomBytes(bytes));
  }

  /** Its length in bytes (how strong it can be, not what it is). */
  get length(): number {
    return this.#bytes.length;
  }

  /**
   * A copy of its bytes: only for the one place that must send the secret on (a child process's
   * IPC channel). Deriving keys from it is `Network.start`'s job.
   */
  reveal(): Buffer {
    return Buffer.from(this.#bytes);
  }

  /** True when `other` holds the same bytes (compared in constant time). */
  equals(other: Secret): boolean {
    const theirs = other.#bytes;
    return theirs.length === this.#bytes.length && timingSafeEqual(theirs, this.#bytes);
  }

  toString(): string {
    return SHOWN;
  }

  toJSON(): string {
    return SHOWN;
  }

  [Symbol.toPrimitive](): string {
    return SHOWN;
  }

  [inspect.custom](): string {
    return `Secret ${SHOWN}`;
  }
}
