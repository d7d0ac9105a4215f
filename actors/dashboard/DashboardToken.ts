/**
 * The dashboard's token as the dashboard keeps it: a SHA-256 digest in a private field, never the
 * text. It is compared in constant time (digests have one length whatever was sent, so the
 * comparison says nothing of the token's length) and shows as `[token]` wherever it is printed,
 * serialised or logged.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { Secret } from '../../transports/net/Secret.js';

/** Shortest token accepted. */
export const MIN_TOKEN_LENGTH = 16;
const PRINTABLE = /^[\x21-\x7e]+$/;
const SHOWN = '[token]';
const digest = (bytes: string | Buffer): Buffer => createHash('sha256').update(bytes).digest();

/**
 * A dashboard token, kept as its digest.
 * @example
 * ```ts
 * const token = DashboardToken.from('a-long-random-secret-token');
 * token.matches('a-long-random-secret-token'); // true
 * JSON.stringify({ token }); // {"token":"[token]"}
 * ```
 */
export class DashboardToken {
  readonly #digest: Buffer;

  private constructor(digestBytes: Buffer) {
    this.#digest = digestBytes;
  }

  /**
   * Checks a token (at least 16 printable ASCII characters, no spaces: it travels in a header) and
   * keeps its digest. Throws InvalidArgumentError saying what is wrong, never the token.
   */
  static from(token: string | Secret): DashboardToken {
    if (token instanceof Secret) {
      const bytes = token.reveal();
      try {
        check(bytes.toString('latin1'), bytes.length);
        return new DashboardToken(digest(bytes));
      } finally {
        bytes.fill(0);
      }
    }
    if (typeof token !== 'string') throw new InvalidArgumentError(`dashboard token must be a string or a Secret, got a ${token === null ? 'null' : typeof token}`);
    check(token, token.length);
    return new DashboardToken(digest(token));
  }

  /** True when `candidate` is the token (constant time). */
  matches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.#digest);
  }

  toString(): string {
    return SHOWN;
  }

  toJSON(): string {
    return SHOWN;
  }

  [inspect.custom](): string {
    return `DashboardToken ${SHOWN}`;
  }
}

function check(text: string, length: number): void {
  if (length < MIN_TOKEN_LENGTH) throw new InvalidArgumentError(`dashboard token must be at least ${MIN_TOKEN_LENGTH} characters, got ${length}`);
  if (!PRINTABLE.test(text)) throw new InvalidArgumentError('dashboard token must be printable ASCII without spaces (it travels in a header)');
}
