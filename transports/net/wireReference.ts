/**
 * The one wire form of a reference to an object that lives on some node, shared by coroutines,
 * channels and RCI: `[host, port, incarnation, ...fields]`, with one set of limits. A reference
 * that comes home (its incarnation is this node's) is the live object again, when it still exists.
 * @module
 */
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { expectText, type WireContext } from './Codec.js';
import { Location } from './Location.js';
import { ProtocolError } from './netErrors.js';

/** Limits of the fields every reference carries. */
export const REFERENCE_LIMITS = { host: 255, incarnation: 64, name: 1024 } as const;

/**
 * A decoded reference to an object elsewhere (or here).
 * @example
 * ```ts
 * const ref: NodeReference = { location: Location.parse('127.0.0.1:9705'), incarnation: 'ab12', fields: ['worker'] };
 * ```
 */
export interface NodeReference {
  readonly location: Location;
  readonly incarnation: string;
  /** The fields after the incarnation, validated only for their count. */
  readonly fields: unknown[];
}

/**
 * The identity of the node that owns a local object: its context's location and incarnation.
 * Throws InvalidArgumentError when the object's node has no networking. `what` (the object, or
 * a string) is printed only in that error: nothing is built for it on the way out.
 * @example
 * ```ts
 * referenceToWire(net, coro, coro.id, coro.name); // ['127.0.0.1', 9705, 'ab12…', 7, 'worker']
 * ```
 */
export function referenceToWire(home: { readonly location: { readonly host: string; readonly port: number }; readonly incarnation: string } | undefined, what: unknown, ...fields: unknown[]): unknown[] {
  if (home === undefined) throw new InvalidArgumentError(`${String(what)} cannot be referenced remotely: networking is not started on its scheduler`);
  return [home.location.host, home.location.port, home.incarnation, ...fields];
}

/**
 * Decodes `[host, port, incarnation, ...fields]` with `fieldCount` fields, then returns the
 * live object `live(reference)` finds when the reference comes home, else `proxy(reference)`.
 * Throws ProtocolError for a malformed reference.
 * @example
 * ```ts
 * const channel = referenceFromWire<Channel<unknown> | RemoteChannel<unknown>>(data, 1, 'channel', ctx,
 *   (r) => ctx.scheduler.channelNames.get(r.fields[0] as string) as Channel<unknown> | undefined,
 *   (r) => new RemoteChannel(net, r.location, r.incarnation, r.fields[0] as string));
 * ```
 */
export function referenceFromWire<T>(
  data: unknown,
  fieldCount: number,
  what: string,
  context: WireContext | undefined,
  live: (reference: NodeReference) => T | undefined,
  proxy: (reference: NodeReference) => T,
): T {
  if (!Array.isArray(data) || data.length !== 3 + fieldCount) throw new ProtocolError(`malformed ${what} reference`);
  const [host, port, incarnation, ...fields] = data;
  let location: Location;
  try {
    location = new Location(expectText(host, `${what} host`, REFERENCE_LIMITS.host), port as number);
  } catch {
    throw new ProtocolError(`malformed ${what} reference location`);
  }
  const reference: NodeReference = { location, incarnation: expectText(incarnation, `${what} incarnation`, REFERENCE_LIMITS.incarnation), fields };
  if (context !== undefined && reference.incarnation === context.incarnation) {
    const found = live(reference);
    if (found !== undefined) return found;
  }
  return proxy(reference);
}

/**
 * A node incarnation as a number: its first 48 bits. The one-way `send`, the hottest request,
 * carries this instead of the 32-character incarnation (a third of the bytes of a small message,
 * and half its encode and decode time); two incarnations of one node share it with a chance of
 * 2^-48, which only matters to a message sent across a restart.
 * @example
 * ```ts
 * incarnationTag('0123456789abcdef0123456789abcdef'); // 0x0123456789ab
 * ```
 */
export function incarnationTag(incarnation: string): number {
  return parseInt(incarnation.slice(0, 12), 16);
}
