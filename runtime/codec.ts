/**
 * The wire codec: CBOR (cbor-x) with a small registry of tags for the objects that cross the
 * network by reference or by structure: coroutines, locations, monitor statuses, errors, and
 * whatever another layer registers (channels, RCI). Decoding only ever builds data and the
 * registered classes; it never evaluates code (cbor-x's generic-object tag 27 is mapped to a
 * plain RemoteError, never to a RegExp or a constructor looked up by name).
 *
 * @example
 * ```ts
 * const codec = new Codec(net);
 * const bytes = codec.encode({ from: coro, at: net.location });
 * const msg = codec.decode(bytes); // `from` is a RemoteCoro on the peer, the live Coro at home
 * ```
 * @module
 */
import { addExtension, Decoder, Encoder } from 'cbor-x';
import { InvalidArgumentError } from './errors.js';
import { MonitorStatus, type ExitReason } from './MonitorStatus.js';
import { ProtocolError, RemoteError } from '../transports/netErrors.js';

/**
 * The CBOR tags of the built-in reference types (channels and RCI are registered by their layers).
 * @example
 * ```ts
 * registerReferenceType(ReferenceTags.Location, Location, (l) => [l.host, l.port], decodeLocation);
 * ```
 */
export const ReferenceTags = {
  Error: 41000,
  MonitorStatus: 41001,
  Location: 41002,
  Coro: 41003,
  /** Channel references, registered by actors/RemoteChannel.ts. */
  Channel: 41004,
  /** Remote invocation references, registered by actors/Rci.ts. */
  RCI: 41005,
} as const;

/** Tags a layer may register: 41000-41999 (the built-ins above included). */
const TAG_MIN = 41000, TAG_MAX = 41999;
const MAX_TEXT = 4096;
const registered = new Map<number, abstract new (...args: any[]) => unknown>();
/** The host (a Network) of the encode/decode running now; both are synchronous. */
let active: unknown;

/**
 * Declares how instances of `cls` cross the wire under CBOR tag `tag`. `encode` turns the value
 * into plain data (which may contain other registered objects), `decode` rebuilds it from that
 * data, which it must validate (throw ProtocolError on a wrong shape). Both get the host of the
 * codec in use (the Network), or undefined outside one. Registering a tag twice replaces it.
 * @example
 * ```ts
 * registerReferenceType(ReferenceTags.Channel, Channel,
 *   (ch, net) => [ch.name, (net as Network).location],
 *   (data, net) => RemoteChannel.fromWire(data, net as Network));
 * ```
 */
export function registerReferenceType<T extends object>(
  tag: number,
  cls: abstract new (...args: any[]) => T,
  encode: (value: T, host: unknown) => unknown,
  decode: (data: unknown, host: unknown) => unknown,
): void {
  if (!Number.isInteger(tag) || tag < TAG_MIN || tag > TAG_MAX) {
    throw new InvalidArgumentError(`reference tags must be integers in ${TAG_MIN}-${TAG_MAX}, got ${tag}`);
  }
  if (typeof cls !== 'function' || typeof encode !== 'function' || typeof decode !== 'function') {
    throw new InvalidArgumentError('registerReferenceType needs a class, an encode and a decode function');
  }
  registered.set(tag, cls);
  // cbor-x's typings predate writer-style extensions; the call shape below is the runtime one.
  addExtension({
    Class: cls,
    tag,
    encode(value: T, write: (v: unknown) => void) {
      write(encode(value, active));
    },
    decode: (data: unknown) => decode(data, active),
  } as any);
}

/** The tags registered so far (for documentation and tests). */
export function referenceTags(): Map<number, abstract new (...args: any[]) => unknown> {
  return new Map(registered);
}

const OPTIONS = { useRecords: false, mapsAsObjects: true, tagUint8Array: false } as const;

/**
 * A CBOR encoder/decoder bound to a host (the Network whose references it resolves).
 * @example
 * ```ts
 * const codec = new Codec(); codec.decode(codec.encode([1, 'two'])); // [1, 'two']
 * ```
 */
export class Codec {
  private readonly encoder = new Encoder(OPTIONS);
  private readonly decoder = new Decoder(OPTIONS);

  constructor(readonly host?: unknown) {}

  /** Encodes `value`; throws InvalidArgumentError for what cannot cross the wire (functions, symbols, unbound references). */
  encode(value: unknown): Buffer {
    const previous = active;
    active = this.host;
    try {
      return this.encoder.encode(value);
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw err;
      throw new InvalidArgumentError(`cannot encode message: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    } finally {
      active = previous;
    }
  }

  /** Decodes one complete CBOR item; throws ProtocolError when the bytes are not valid. */
  decode(bytes: Uint8Array): unknown {
    const previous = active;
    active = this.host;
    try {
      return this.decoder.decode(bytes);
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      throw new ProtocolError(`undecodable message: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    } finally {
      active = previous;
    }
  }
}

/**
 * Throws ProtocolError unless `data` is an array of `length` elements (helper for decode hooks).
 * @example
 * ```ts
 * const [host, port] = expectArray(data, 2, 'location');
 * ```
 */
export function expectArray(data: unknown, length: number, what: string): unknown[] {
  if (!Array.isArray(data) || data.length !== length) throw new ProtocolError(`malformed ${what} reference`);
  return data;
}

/**
 * Throws ProtocolError unless `value` is a string of bounded length.
 * @example
 * ```ts
 * const name = expectText(data[0], 'name');
 * ```
 */
export function expectText(value: unknown, what: string, max = MAX_TEXT): string {
  if (typeof value !== 'string' || value.length > max) throw new ProtocolError(`malformed ${what}`);
  return value;
}

function errorFromWire(data: unknown): RemoteError {
  const [name, code, message] = expectArray(data, 3, 'error');
  return new RemoteError(expectText(name, 'error name', 200) || 'Error', code === null ? undefined : expectText(code, 'error code', 200), expectText(message, 'error message'));
}

registerReferenceType(
  ReferenceTags.Error,
  Error,
  (err) => {
    const code = (err as { code?: unknown }).code;
    return [String(err.name).slice(0, 200), typeof code === 'string' ? code.slice(0, 200) : null, String(err instanceof RemoteError ? err.remoteMessage : err.message).slice(0, MAX_TEXT)];
  },
  errorFromWire,
);

const REASONS: ReadonlySet<string> = new Set<ExitReason>(['finished', 'failed', 'terminated', 'peer-lost']);
registerReferenceType(
  ReferenceTags.MonitorStatus,
  MonitorStatus,
  (s) => [s.coro, s.reason, s.value, s.error],
  (data) => {
    const [coro, reason, value, error] = expectArray(data, 4, 'monitor status');
    if (typeof reason !== 'string' || !REASONS.has(reason)) throw new ProtocolError('malformed monitor status reason');
    if (coro === null || typeof coro !== 'object' || !('id' in coro) || !('name' in coro)) throw new ProtocolError('malformed monitor status coroutine');
    return new MonitorStatus(coro as { id: number; name: string }, reason as ExitReason, value, error);
  },
);

// cbor-x decodes tag 27 ("generic object") by looking a constructor up by name; allow data only.
addExtension({
  tag: 27,
  decode: (data: unknown) => {
    const [name, message] = Array.isArray(data) ? data : [];
    return new RemoteError(typeof name === 'string' ? name.slice(0, 200) : 'Error', undefined, typeof message === 'string' ? message.slice(0, MAX_TEXT) : '');
  },
} as any);
