/**
 * Messages between the threads of one process cross by structured clone, not CBOR (bench/threads
 * measures both: clone is faster for typical messages, see docs/threads.md). What clone cannot
 * carry as the peer protocol means it is marked on the way out and rebuilt on the way in, with
 * the codec's own reference types: coroutines, channels, RCIs, monitor statuses, errors and
 * locations become references exactly as over TCP (and come home as the live object), Buffers
 * stay Buffers. A message of plain data is posted as it is and not walked on arrival.
 * @module
 */
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import type { Codec } from './Codec.js';
import { ProtocolError } from './netErrors.js';

/** The key of a marker object: `{ [MARK]: tag, d: data }` (tag BUFFER: a Buffer's bytes). */
const MARK = '\u0000asyncoro';
const BUFFER = -1;
/** A message that holds markers travels as `{ [MARK]: MARKED, m: message }`. */
const MARKED = 0;
/** Deeper than this is refused when sent (a cycle, or data no peer would decode either). */
const MAX_DEPTH = 128;

const ignoreSent = (): void => {};

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

  constructor(private readonly codec: Codec) {}

  /**
   * What to post for `message`: itself when it holds only data, else a copy with its references
   * and Buffers marked. `sent` hears of every live local object referenced. Throws
   * InvalidArgumentError for what cannot cross (functions, symbols, nesting beyond 128 levels).
   */
  out(message: unknown, sent: (live: object) => void = ignoreSent): unknown {
    this.marked = false;
    this.sent = sent;
    try {
      const value = this.walk(message, 0);
      return this.marked ? { [MARK]: MARKED, m: value } : value;
    } finally {
      this.sent = ignoreSent;
    }
  }

  /** The message a posted value stands for. Throws ProtocolError for a malformed marker. */
  in(value: unknown): unknown {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || (value as Record<string, unknown>)[MARK] !== MARKED) return value;
    return this.restore((value as { m: unknown }).m, 0);
  }

  private walk(v: unknown, depth: number): unknown {
    const kind = typeof v;
    if (kind === 'function' || kind === 'symbol') throw new InvalidArgumentError(`cannot send message: a ${kind} cannot cross to another thread`);
    if (kind !== 'object' || v === null) return v;
    if (depth > MAX_DEPTH) throw new InvalidArgumentError(`cannot send message: nested more than ${MAX_DEPTH} levels deep (or circular)`);
    if (Array.isArray(v)) {
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
      return { [MARK]: BUFFER, d: v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v : new Uint8Array(v) };
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date) return v;
    const type = this.codec.referenceOf(v as object);
    if (type !== undefined) {
      this.marked = true;
      return { [MARK]: type.tag, d: this.walk(type.encode(v, this.codec.context, this.sent), depth + 1) };
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
    if (Object.hasOwn(v, MARK)) throw new InvalidArgumentError(`cannot send message: the key ${JSON.stringify(MARK)} is reserved`);
    let copy: Record<string, unknown> | undefined = copyAlways ? {} : undefined;
    for (const key of Object.keys(v)) {
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
      for (let i = 0; i < v.length; i++) v[i] = this.restore(v[i], depth + 1);
      return v;
    }
    if (v instanceof Map) return new Map([...v].map(([k, value]) => [this.restore(k, depth + 1), this.restore(value, depth + 1)]));
    if (v instanceof Set) return new Set([...v].map((item) => this.restore(item, depth + 1)));
    if (Object.getPrototypeOf(v) !== Object.prototype) return v;
    const o = v as Record<string, unknown>;
    if (Object.hasOwn(o, MARK)) {
      const tag = o[MARK], data = o.d;
      if (tag === BUFFER) {
        if (!(data instanceof Uint8Array)) throw new ProtocolError('malformed buffer marker');
        return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      }
      const type = typeof tag === 'number' ? this.codec.referenceOfTag(tag) : undefined;
      if (type === undefined) throw new ProtocolError(`reference tag ${String(tag).slice(0, 20)} is not carried by this network`);
      return type.decode(this.restore(data, depth + 1), this.codec.context);
    }
    for (const key of Object.keys(o)) o[key] = this.restore(o[key], depth + 1);
    return o;
  }
}
