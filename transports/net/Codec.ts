/**
 * The wire codec: CBOR (cbor-x) with tags for the objects that cross the network by reference or
 * by structure. Which reference types a codec knows is an explicit list given to its
 * constructor (the built-ins below, then what the network's layers add: coroutines, channels,
 * RCI); nothing registers itself at import time. Decoding only ever builds data and the listed
 * classes; it never evaluates code (cbor-x's generic-object tag 27 becomes a plain RemoteError,
 * never a RegExp or a constructor looked up by name). cbor-x is loaded on a codec's first
 * `encode` or `decode`, not at import: a worker thread linked to its owner by ports (structured
 * clone, CloneWire.ts) never loads it unless it talks TCP.
 * @example
 * ```ts
 * const codec = new Codec();
 * codec.decode(codec.encode([1, 'two', new Location('127.0.0.1', 9705)])); // [1, 'two', Location]
 * ```
 * @module
 */
import { createRequire } from 'node:module';
import type * as CborX from 'cbor-x';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { MonitorStatus, type ExitReason } from '../../runtime/MonitorStatus.js';
import type { Scheduler } from '../../runtime/Scheduler.js';
import { Location } from './Location.js';
import type { CoroRef } from '../../runtime/networkPort.js';
import { decodeCost, MAX_BIGNUM_BYTES, MAX_DECODE_DEPTH, type DecodeLimits } from './decodeCost.js';
import { ProtocolError, RemoteError } from './netErrors.js';
import { installGuards } from './cborGuards.js';

/**
 * The CBOR tags of the reference types (41000-41999).
 * @example
 * ```ts
 * const tag = ReferenceTags.Coro; // 41003
 * ```
 */
export const ReferenceTags = {
  Error: 41000,
  MonitorStatus: 41001,
  Location: 41002,
  Coro: 41003,
  Channel: 41004,
  RCI: 41005,
} as const;

const TAG_MIN = 41000, TAG_MAX = 41999;
/**
 * Messages longer than this are checked when encoded, as the receiver will check them: nothing
 * shorter can nest too deeply, carry a bignum over the limit or approach the decode budgets.
 */
const ENCODE_CHECK_BYTES = Math.min(MAX_DECODE_DEPTH, MAX_BIGNUM_BYTES);
/** Longest text accepted in a decoded error message. */
export const MAX_TEXT = 4096;

/**
 * What a codec's reference types see of the node they encode for and decode at.
 * @example
 * ```ts
 * const home = (ctx: WireContext, incarnation: string) => incarnation === ctx.incarnation;
 * ```
 */
export interface WireContext {
  readonly incarnation: string;
  readonly location: Location;
  readonly scheduler: Scheduler;
}

/**
 * How instances of some classes cross the wire under one CBOR tag. `encode` turns the value into
 * plain data (which may contain other references) and calls `sent` with any live local object it
 * referenced (so the sender can keep its outcome); `decode` rebuilds a value from that data and
 * must validate it (throw ProtocolError on a wrong shape). `context` is undefined for a codec
 * that belongs to no network.
 * @example
 * ```ts
 * class Point { constructor(readonly x: number, readonly y: number) {} }
 * const POINT: ReferenceType<Point> = {
 *   tag: 41100, classes: [Point],
 *   encode: (p) => [p.x, p.y],
 *   decode: (d) => { const [x, y] = expectArray(d, 2, 'point'); return new Point(Number(x), Number(y)); },
 * };
 * ```
 */
export interface ReferenceType<T extends object = any> {
  readonly tag: number;
  readonly classes: ReadonlyArray<abstract new (...args: any[]) => T>;
  encode(value: T, context: WireContext | undefined, sent: (live: object) => void): unknown;
  decode(data: unknown, context: WireContext | undefined): unknown;
}

/** The codec running now (encode and decode are synchronous), for the cbor-x extension hooks. */
let running: Codec | undefined;
/** The reference classes of every codec made so far, in order: cbor-x's extensions are process-wide. */
const declared: Array<[tag: number, cls: abstract new (...args: any[]) => unknown]> = [];
/** How many of `declared` cbor-x has been given (extensions are only ever added). */
let installedCount = 0;
let cbor: typeof CborX | undefined;
const ignoreSent = (): void => {};

/**
 * cbor-x, loaded on first use, with every declared reference class installed as an extension:
 * its CommonJS build, through `require`, so that loading it is synchronous (as `encode` is).
 * Throws InvalidArgumentError when cbor-x cannot be loaded (a broken install).
 */
function cborX(): typeof CborX {
  if (cbor === undefined) {
    try {
      cbor = createRequire(import.meta.url)('cbor-x') as typeof CborX;
    } catch (err) {
      throw new InvalidArgumentError(`the wire codec needs cbor-x, which cannot be loaded: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
    installGuards(cbor, () => running !== undefined, MAX_TEXT);
  }
  while (installedCount < declared.length) installExtension(cbor, ...declared[installedCount++]!);
  return cbor;
}

/** Records a reference class for cbor-x (installed when cbor-x is next used; a few classes in all). */
function declareExtension(tag: number, cls: abstract new (...args: any[]) => unknown): void {
  if (!declared.some(([t, c]) => t === tag && c === cls)) declared.push([tag, cls]);
}

/** cbor-x extensions are process-wide: each dispatches to the running codec's own types. */
function installExtension(x: typeof CborX, tag: number, cls: abstract new (...args: any[]) => unknown): void {
  // cbor-x's typings predate writer-style extensions; the call shape below is the runtime one.
  x.addExtension({
    Class: cls,
    tag,
    encode(value: object, write: (v: unknown) => void) {
      write(runningCodec().encodeReference(cls, value));
    },
    // Outside a Codec (a plain cbor-x decoder elsewhere in the process) a tag stays a plain Tag.
    decode: (data: unknown) => (running === undefined ? new x.Tag(data, tag) : running.decodeReference(tag, data)),
  } as any);
}

function runningCodec(): Codec {
  if (running === undefined) throw new InvalidArgumentError('references are encoded only by a Codec');
  return running;
}

const OPTIONS = { useRecords: false, mapsAsObjects: true, tagUint8Array: false } as const;

/**
 * A CBOR encoder/decoder for one node: its context and the reference types it knows.
 * @example
 * ```ts
 * const codec = new Codec(); codec.decode(codec.encode([1, 'two'])); // [1, 'two']
 * ```
 */
export class Codec {
  /** Made on first use (cbor-x is loaded then). */
  private encoder: CborX.Encoder | undefined;
  private decoder: CborX.Decoder | undefined;
  private readonly encoders = new Map<abstract new (...args: any[]) => unknown, ReferenceType>();
  private readonly decoders = new Map<number, ReferenceType>();
  private sent: (live: object) => void = ignoreSent;
  /** The decode budgets and the reference tags this codec accepts. */
  private readonly limits: DecodeLimits;

  constructor(
    readonly context?: WireContext,
    types: readonly ReferenceType[] = [],
  ) {
    for (const type of [...BUILTIN_REFERENCES, ...types]) {
      if (!Number.isInteger(type.tag) || type.tag < TAG_MIN || type.tag > TAG_MAX) {
        throw new InvalidArgumentError(`reference tags must be integers in ${TAG_MIN}-${TAG_MAX}, got ${type.tag}`);
      }
      if (typeof type.encode !== 'function' || typeof type.decode !== 'function' || !Array.isArray(type.classes)) {
        throw new InvalidArgumentError('a reference type needs classes, an encode and a decode function');
      }
      if (!this.decoders.has(type.tag)) this.decoders.set(type.tag, type);
      for (const cls of type.classes) {
        this.encoders.set(cls, type);
        declareExtension(type.tag, cls);
      }
    }
    this.limits = { references: new Set(this.decoders.keys()) };
  }

  /** The tags this codec knows. */
  get tags(): number[] {
    return [...this.decoders.keys()];
  }

  /**
   * Encodes `value`; `sent` is called with each live local object referenced in it. Throws
   * InvalidArgumentError for what cannot cross the wire (functions, symbols, unbound references).
   */
  encode(value: unknown, sent: (live: object) => void = ignoreSent): Buffer {
    const x = cborX();
    const encoder = (this.encoder ??= new x.Encoder(OPTIONS));
    const previous = running, previousSent = this.sent;
    running = this;
    this.sent = sent;
    try {
      const bytes = encoder.encode(value);
      // Small messages cannot reach the budget; a large one the receiver would refuse is refused here.
      if (bytes.length > ENCODE_CHECK_BYTES) decodeCost(bytes, this.limits);
      return bytes;
    } catch (err) {
      if (err instanceof ProtocolError) throw new InvalidArgumentError(`cannot send message: ${err.message}`);
      if (err instanceof InvalidArgumentError) throw err;
      throw new InvalidArgumentError(`cannot encode message: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    } finally {
      running = previous;
      this.sent = previousSent;
    }
  }

  /**
   * Decodes one complete CBOR item; throws ProtocolError when the bytes are not valid or would
   * cost too much to decode (see decodeCost.ts).
   */
  decode(bytes: Uint8Array): unknown {
    // A short frame without a tag can neither nest too deeply nor approach the budgets; any tag
    // is checked (what it wraps, and whether the wire accepts it), whatever the frame's length.
    if (bytes.length > MAX_DECODE_DEPTH || mayHoldTag(bytes)) decodeCost(bytes, this.limits);
    const x = cborX();
    const decoder = (this.decoder ??= new x.Decoder(OPTIONS));
    const previous = running, stackLimit = Error.stackTraceLimit;
    running = this;
    // Errors rebuilt from the wire have no local stack worth capturing; capturing one per error
    // tag (deep inside the decoder's recursion) is what makes a frame of nested error tags costly.
    Error.stackTraceLimit = 0;
    try {
      return decoder.decode(bytes);
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      throw new ProtocolError(`undecodable message: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    } finally {
      Error.stackTraceLimit = stackLimit;
      running = previous;
    }
  }

  /**
   * @internal The reference type `value` crosses as (its class's, or its nearest registered
   * ancestor's, as cbor-x's `instanceof` finds it), if any: for links that carry values, not bytes.
   */
  referenceOf(value: object): ReferenceType | undefined {
    for (let cls = value.constructor as (abstract new (...args: any[]) => unknown) | undefined; typeof cls === 'function' && cls !== Object; cls = Object.getPrototypeOf(cls)) {
      const type = this.encoders.get(cls);
      if (type !== undefined) return type;
    }
    return undefined;
  }

  /** @internal The reference type of `tag`, if this codec carries it. */
  referenceOfTag(tag: number): ReferenceType | undefined {
    return this.decoders.get(tag);
  }

  /** @internal Called by the cbor-x hook for an object of a reference class. */
  encodeReference(cls: abstract new (...args: any[]) => unknown, value: object): unknown {
    const type = this.encoders.get(cls);
    if (type === undefined) throw new InvalidArgumentError(`${describeValue(value)} cannot cross the wire: this network does not carry its references`);
    return type.encode(value, this.context, this.sent);
  }

  /** @internal Called by the cbor-x hook for a reference tag. */
  decodeReference(tag: number, data: unknown): unknown {
    const type = this.decoders.get(tag);
    if (type === undefined) throw new ProtocolError(`reference tag ${tag} is not carried by this network`);
    return type.decode(data, this.context);
  }
}

/** True when a byte of `bytes` could be a tag's initial byte (0xc0-0xdf): then the frame is scanned. */
function mayHoldTag(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] & 0xe0) === 0xc0) return true;
  return false;
}

function describeValue(value: object): string {
  try {
    return String(value);
  } catch {
    return 'a reference';
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

/** Longest stack an error carries across the wire (characters, cut at a line), and how many causes deep its chain goes. */
export const MAX_STACK = 4096;
const MAX_CAUSES = 4;

/** An error as data: [name, code, message, stack, cause] (the cause the same, or null), bounded. */
function errorToWire(err: unknown, depth: number): unknown[] {
  if (!(err instanceof Error)) return ['Error', null, String(err).slice(0, MAX_TEXT), '', null];
  const code = (err as { code?: unknown }).code;
  const remote = err instanceof RemoteError;
  let stack = String((remote ? err.remoteStack : err.stack) ?? '');
  if (stack.length > MAX_STACK) stack = stack.slice(0, Math.max(0, stack.lastIndexOf('\n', MAX_STACK)));
  const cause = err.cause === undefined || depth >= MAX_CAUSES ? null : errorToWire(err.cause, depth + 1);
  return [String(err.name).slice(0, 200), typeof code === 'string' ? code.slice(0, 200) : null, String(remote ? err.remoteMessage : err.message).slice(0, MAX_TEXT), stack, cause];
}

/** Rebuilds an error (and its causes) as RemoteErrors; a 1.x-style [name, code, message] has no stack or cause. */
function errorFromWire(data: unknown, depth: number): RemoteError {
  if (!Array.isArray(data) || (data.length !== 3 && data.length !== 5)) throw new ProtocolError('malformed error reference');
  const [name, code, message, stack, cause] = data;
  return new RemoteError(expectText(name, 'error name', 200) || 'Error', code === null ? undefined : expectText(code, 'error code', 200), expectText(message, 'error message'), {
    stack: stack === undefined || stack === '' ? undefined : expectText(stack, 'error stack', MAX_STACK),
    cause: cause === undefined || cause === null || depth >= MAX_CAUSES ? undefined : errorFromWire(cause, depth + 1),
  });
}

const ERROR_REFERENCE: ReferenceType<Error> = {
  tag: ReferenceTags.Error,
  classes: [Error],
  encode: (err) => errorToWire(err, 0),
  decode: (data) => errorFromWire(data, 0),
};

const REASONS: ReadonlySet<string> = new Set<ExitReason>(['finished', 'failed', 'terminated', 'peer-lost']);
const MONITOR_STATUS_REFERENCE: ReferenceType<MonitorStatus> = {
  tag: ReferenceTags.MonitorStatus,
  classes: [MonitorStatus],
  encode: (s) => [s.coro, s.reason, s.value, s.error],
  decode(data) {
    const [coro, reason, value, error] = expectArray(data, 4, 'monitor status');
    if (typeof reason !== 'string' || !REASONS.has(reason)) throw new ProtocolError('malformed monitor status reason');
    // A coroutine crosses the wire as a reference, which decodes to a live object with send().
    if (coro === null || typeof coro !== 'object' || typeof (coro as { send?: unknown }).send !== 'function') throw new ProtocolError('malformed monitor status coroutine');
    return new MonitorStatus(coro as CoroRef, reason as ExitReason, value, error);
  },
};

const LOCATION_REFERENCE: ReferenceType<Location> = {
  tag: ReferenceTags.Location,
  classes: [Location],
  encode: (loc) => [loc.host, loc.port],
  decode(data) {
    const [host, port] = expectArray(data, 2, 'location');
    try {
      return new Location(host as string, port as number);
    } catch {
      throw new ProtocolError('malformed location');
    }
  },
};

/** Error, MonitorStatus and Location: part of every codec. */
const BUILTIN_REFERENCES: readonly ReferenceType[] = [ERROR_REFERENCE, MONITOR_STATUS_REFERENCE, LOCATION_REFERENCE];
