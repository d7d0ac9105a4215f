/**
 * The address of a node on the network: the host and TCP port peers connect to.
 * @module
 */
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { describe } from '../../runtime/options.js';
import type { NodeAddress } from '../../runtime/networkPort.js';

/**
 * Where a node listens: `host:port`. Value object: compare with `equals`, print with `toString`.
 *
 * @example
 * ```ts
 * const loc = new Location('127.0.0.1', 9705);
 * loc.equals(Location.parse('127.0.0.1:9705')); // true
 * String(loc); // '127.0.0.1:9705'
 * ```
 */
export class Location implements NodeAddress {
  readonly host: string;
  readonly port: number;
  /** `host:port`, built once: every send to a remote coroutine looks its peer up by it. */
  #text: string | undefined;

  constructor(host: string, port: number) {
    if (typeof host !== 'string' || host.length === 0 || host.length > 255) {
      throw new InvalidArgumentError(`host must be a non-empty string of at most 255 characters, got ${describe(host)}`);
    }
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      throw new InvalidArgumentError(`port must be an integer between 0 and 65535, got ${describe(port)}`);
    }
    this.host = host;
    this.port = port;
  }

  /**
   * Parses `host:port` (IPv6 as `[::1]:port`), or accepts a `{ host, port }` object.
   * @example
   * ```ts
   * Location.parse('[::1]:9705').host; // '::1'
   * ```
   */
  static parse(value: string | { host: string; port: number }): Location {
    if (value instanceof Location) return value;
    if (typeof value === 'object' && value !== null) return new Location(value.host, value.port);
    if (typeof value !== 'string') throw new InvalidArgumentError(`location must be 'host:port', got ${describe(value)}`);
    const match = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:]+):(\d+)$/.exec(value);
    if (match === null) throw new InvalidArgumentError(`location must be 'host:port', got ${describe(value)}`);
    return new Location(match[1], Number(match[2]));
  }

  /** True when both name the same host and port. */
  equals(other: unknown): boolean {
    return other instanceof Location && other.host === this.host && other.port === this.port;
  }

  toString(): string {
    return (this.#text ??= this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`);
  }

  toJSON(): string {
    return this.toString();
  }
}
