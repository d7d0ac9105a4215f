/**
 * Messages between the threads of one process cross by structured clone, not CBOR (bench/threads
 * measures both: clone is faster for typical messages, see docs/threads.md). What clone cannot
 * carry as the peer protocol means it is marked on the way out and rebuilt on the way in, with
 * the codec's own reference types: coroutines, channels, RCIs, monitor statuses, errors and
 * locations become references exactly as over TCP (and come home as the live object), Buffers
 * stay Buffers. A message of plain data is posted as it is and not walked on arrival.
 *
 * A marker is an array whose first item is MARK (cheaper to clone than an object with keys):
 * `[MARK, tag, FULL, ...data]`, `[MARK, tag, SENDER, ...fields]` for an object of the sending
 * node and `[MARK, tag, HOME, ...fields]` for one of the receiving node (their `[host, port,
 * incarnation]` is known at both ends), `[MARK, BUFFER, bytes]`; a message holding markers
 * travels as `[MARK, MARKED, message]`.
 * @module
 */
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import type { Codec } from './Codec.js';
import { ProtocolError } from './netErrors.js';

/** The first item of a marker (an array of user data that starts with it is refused when sent). */
const MARK = '\u0000';
const MARKED = 0, BUFFER = -1;
const FULL = 0, SENDER = 1, HOME = 2;
/** Deeper than this is refused when sent (a cycle, or data no peer would decode either). */
const MAX_DEPTH = 128;

/** A node as references name it. */
type NodeIdentity = { readonly location: { readonly host: string; readonly port: number }; readonly incarnation: string };

/** True when `data` is `[host, port, incarnation, ...]` of `node`. */
function isOf(data: unknown, node: NodeIdentity | undefined): data is unknown[] {
  return node !== undefined && Array.isArray(data) && data.length >= 3 && data[2] === node.incarnation && data[1] === node.location.port && data[0] === node.location.host;
}

const ignoreSent = (): void => {};

/**
 * True when the object `v` crosses by structured clone exactly as the peer protocol means it:
 * plain objects and arrays holding only primitives (not functions or symbols) and such objects,
 * typed arrays other than Buffers, ArrayBuffers and Dates, within MAX_DEPTH. Anything else (a
 * reference, a Buffer, a Map or Set, another class's instance, a marker-like array, a cycle) is
 * for the walk. Primitives are checked in the loops (no call for each).
 */
function isData(v: object, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(v)) {
    if (v[0] === MARK) return false;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'object' ? x !== null && !isData(x, depth + 1) : typeof x === 'function' || typeof x === 'symbol') return false;
    }
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    for (const key in v) {
      const x: unknown = (v as Record<string, unknown>)[key];
      if (typeof x === 'object' ? x !== null && !isData(x, depth + 1) : typeof x === 'function' || typeof x === 'symbol') return false;
    }
    return true;
  }
  return (ArrayBuffer.isView(v) && !Buffer.isBuffer(v)) || v instanceof ArrayBuffer || v instanceof Date;
}

/**
 * The clone form of one node's messages, for its links inside the process.
 * @example
 * ```ts
 * const wire = new CloneWire(codec);
 * const { port1 } = new MessageChannel();
 * port1.postMessage(wire.out({ reply: coro, n: 1 })); // the other thread: wire.in(data)
 * ```
 */
export class CloneWire {
  private marked = false;
  private sent: (live: object) => void = ignoreSent;

  constructor(
    private readonly codec: Codec,
    /** The node at the other end, when known: references to its objects, or to this node's, cross without the identity both ends know. */
    private readonly other?: NodeIdentity,
  ) {}

  /**
   * What to post for `message`: itself when it holds only data, else a copy with its references
   * and Buffers marked. `sent` hears of every live local object referenced. Throws
   * InvalidArgumentError for what cannot cross (functions, symbols, nesting beyond 128 levels).
   */
  out(message: unknown, sent: (live: object) => void = ignoreSent): unknown {
    // Most messages are plain data: one pass that only reads, and no copy (the walk below costs
    // several times as much for a small object).
    if (typeof message !== 'object' || message === null ? typeof message !== 'function' && typeof message !== 'symbol' : isData(message, 0)) return message;
    this.marked = false;
    this.sent = sent;
    try {
      const value = this.walk(message, 0);
      return this.marked ? [MARK, MARKED, value] : value;
    } finally {
      this.sent = ignoreSent;
    }
  }

  /** The message a posted value stands for. Throws ProtocolError for a malformed marker. */
  in(value: unknown): unknown {
    if (!Array.isArray(value) || value[0] !== MARK) return value;
    if (value.length !== 3 || value[1] !== MARKED) throw new ProtocolError('malformed message marker');
    return this.restore(value[2], 0);
  }

  private walk(v: unknown, depth: number): unknown {
    const kind = typeof v;
    if (kind === 'function' || kind === 'symbol') throw new InvalidArgumentError(`cannot send message: a ${kind} cannot cross to another thread`);
    if (kind !== 'object' || v === null) return v;
    if (depth > MAX_DEPTH) throw new InvalidArgumentError(`cannot send message: nested more than ${MAX_DEPTH} levels deep (or circular)`);
    if (Array.isArray(v)) {
      if (v[0] === MARK) throw new InvalidArgumentError('cannot send message: an array may not start with the string "\\u0000" (it marks references)');
      let copy: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        const out = this.walk(item, depth + 1);
        if (out !== item) (copy ??= v.slice())[i] = out;
      }
      return copy ?? v;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) return this.walkObject(v as Record<string, unknown>, depth, false);
    if (v instanceof Uint8Array && Buffer.isBuffer(v)) {
      this.marked = true;
      // A Buffer is often a view into a shared pool: send its own bytes only.
      return [MARK, BUFFER, v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v : new Uint8Array(v)];
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date) return v;
    const type = this.codec.referenceOf(v as object);
    if (type !== undefined) {
      this.marked = true;
      const data = type.encode(v, this.codec.context, this.sent);
      // `[host, port, incarnation, ...fields]` of a node both ends know: the fields only.
      const node = this.other === undefined ? FULL : isOf(data, this.codec.context) ? SENDER : isOf(data, this.other) ? HOME : FULL;
      const items = node === FULL ? (Array.isArray(data) ? data : [data]) : (data as unknown[]).slice(3);
      const marker: unknown[] = [MARK, type.tag, node === FULL && !Array.isArray(data) ? -1 : node];
      for (const item of items) marker.push(this.walk(item, depth + 1));
      return marker;
    }
    if (v instanceof Map || v instanceof Set) {
      let changed = false;
      const items: unknown[] = [];
      for (const item of v) {
        const out = this.walk(item, depth + 1); // a Map's item is its [key, value] pair
        if (v instanceof Map ? (out as unknown[])[0] !== (item as unknown[])[0] || (out as unknown[])[1] !== (item as unknown[])[1] : out !== item) changed = true;
        items.push(out);
      }
      return !changed ? v : v instanceof Map ? new Map(items as Array<[unknown, unknown]>) : new Set(items);
    }
    // Another class's instance crosses as its own enumerable properties, as CBOR sends it.
    return this.walkObject(v as Record<string, unknown>, depth, true);
  }

  private walkObject(v: Record<string, unknown>, depth: number, copyAlways: boolean): Record<string, unknown> {
    let copy: Record<string, unknown> | undefined = copyAlways ? {} : undefined;
    // for-in allocates no key list (the hot path: a small plain object per message); a plain
    // object inherits nothing enumerable, another class's instance may.
    for (const key in v) {
      if (copyAlways && !Object.hasOwn(v, key)) continue;
      const item = v[key];
      const out = this.walk(item, depth + 1);
      if (copy !== undefined) copy[key] = out;
      else if (out !== item) (copy = { ...v })[key] = out;
    }
    return copy ?? v;
  }

  /** Rebuilds the marked parts in place (the value is this thread's own copy). */
  private restore(v: unknown, depth: number): unknown {
    if (typeof v !== 'object' || v === null || depth > MAX_DEPTH + 1) return v;
    if (Array.isArray(v)) {
      if (v[0] === MARK) return this.rebuild(v, depth);
      for (let i = 0; i < v.length; i++) v[i] = this.restore(v[i], depth + 1);
      return v;
    }
    if (v instanceof Map) return new Map([...v].map(([k, value]) => [this.restore(k, depth + 1), this.restore(value, depth + 1)]));
    if (v instanceof Set) return new Set([...v].map((item) => this.restore(item, depth + 1)));
    if (Object.getPrototypeOf(v) !== Object.prototype) return v;
    const o = v as Record<string, unknown>;
    for (const key of Object.keys(o)) o[key] = this.restore(o[key], depth + 1);
    return o;
  }

  /** A marker back to what it stands for. */
  private rebuild(marker: unknown[], depth: number): unknown {
    const tag = marker[1];
    if (tag === BUFFER) {
      const data = marker[2];
      if (marker.length !== 3 || !(data instanceof Uint8Array)) throw new ProtocolError('malformed buffer marker');
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    }
    const type = typeof tag === 'number' ? this.codec.referenceOfTag(tag) : undefined;
    if (type === undefined) throw new ProtocolError(`reference tag ${String(tag).slice(0, 20)} is not carried by this network`);
    const form = marker[2];
    const items = marker.slice(3).map((item) => this.restore(item, depth + 1));
    if (form === -1 && items.length === 1) return type.decode(items[0], this.codec.context);
    if (form === FULL) return type.decode(items, this.codec.context);
    // From a node both ends know: the sender (the other end) or this one (coming home).
    const node = form === SENDER ? this.other : form === HOME ? this.codec.context : undefined;
    if (node === undefined) throw new ProtocolError('malformed reference marker');
    return type.decode([node.location.host, node.location.port, node.incarnation, ...items], this.codec.context);
  }
}
