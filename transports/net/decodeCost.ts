/**
 * A pre-scan of a CBOR item before cbor-x decodes it: walks the headers (string bodies skipped,
 * nothing decoded) and adds up what decoding would cost in two measures, time (`work`, in
 * nanoseconds of decoding on the machine the charges were measured on) and the heap the result
 * takes (`heap`, bytes). A frame over either budget, nested too deeply, or carrying what the wire
 * does not accept is refused before cbor-x sees it. The charges (decodeCharges.ts) follow what
 * cbor-x measurably costs: a byte string builds a Buffer object, an empty map an object, a
 * bignum is built byte by byte (quadratic: charged by its length squared, refused beyond
 * MAX_BIGNUM_BYTES), and a map whose keys have a sequence not seen before in the frame creates
 * hidden classes and internalised strings (charged many times a map of a known shape).
 *
 * The wire accepts only these tags (a whitelist, so that a cbor-x feature the protocol does not
 * use can never be reached by a peer): 1 (date, a number), 2 and 3 (bignums: a byte string of at
 * most MAX_BIGNUM_BYTES), 27 (cbor-x's generic object, an array: a RemoteError), 258 (a set: an
 * array), the typed arrays 64-86 (a byte string of whole elements), and the reference tags of
 * the codec. Map keys are strings, integers, floats, booleans, null, undefined or bignums.
 * @module
 */
import { ProtocolError } from './netErrors.js';
import { acceptedTag, CHARGE, tagContentCost } from './decodeCharges.js';

export { MAX_BIGNUM_BYTES } from './decodeCharges.js';

/** Most decoding time a frame may cost: 20 ms (measured charges: see decodeCharges.ts). */
export const MAX_DECODE_WORK = 20_000_000;
/** Most heap decoding a frame may take (its value, and what decoding drops on the way): 8 MB. */
export const MAX_DECODE_HEAP = 8_000_000;
/** Deepest nesting of arrays, maps and tags accepted. */
export const MAX_DECODE_DEPTH = 128;

/**
 * What decoding an item would cost.
 * @example
 * ```ts
 * const { work, heap } = decodeCost(payload); // ns of decoding, bytes of heap
 * ```
 */
export interface DecodeCost {
  /** Estimated decoding time, in nanoseconds. */
  work: number;
  /** Estimated heap taken by the decoded value, in bytes. */
  heap: number;
}

/**
 * Budgets and the reference tags a codec decodes (default: the whole 41000-41999 range).
 * @example
 * ```ts
 * decodeCost(payload, { references: new Set([41000, 41002]) });
 * ```
 */
export interface DecodeLimits {
  work?: number;
  heap?: number;
  references?: ReadonlySet<number>;
}

const NONE = -1, ARRAY = 0, MAP = 1, TAG = 2, INDEFINITE = -1;
/** The shape of a map with a float or bignum key: not tracked (outside the 32-bit hashes). */
const UNTRACKED = 2 ** 32;
// The charges, read once (the scan is on every message's path).
const SMALL_INT_WORK = CHARGE.smallInt.work, SMALL_INT_HEAP = CHARGE.smallInt.heap;
const SIMPLE_WORK = CHARGE.simple.work, SIMPLE_HEAP = CHARGE.simple.heap;
const TEXT_WORK = CHARGE.text.work, TEXT_HEAP = CHARGE.text.heap, SHORT_TEXT_BYTE = CHARGE.shortTextByte, LONG_TEXT_BYTE = CHARGE.longTextByte;
const ARRAY_WORK = CHARGE.array.work, ARRAY_HEAP = CHARGE.array.heap;

/**
 * The decode cost of the one CBOR item that `bytes` holds; throws ProtocolError when it is
 * malformed, truncated, nested deeper than MAX_DECODE_DEPTH, uses a tag or a simple value the
 * wire does not accept, or costs more than the budgets.
 * @example
 * ```ts
 * decodeCost(payload); // throws before cbor-x sees a frame of a million empty maps
 * ```
 */
export function decodeCost(bytes: Uint8Array, limits: DecodeLimits = {}): DecodeCost {
  const maxWork = limits.work ?? MAX_DECODE_WORK, maxHeap = limits.heap ?? MAX_DECODE_HEAP;
  const references = limits.references;
  const end = bytes.length;
  // The open container on top, in locals: items still expected (INDEFINITE: until a break), its
  // kind, the items it holds so far, and for a map the running hash of its key sequence (its
  // shape). The ones below it are saved in `below`: remaining and kind, and for a map before
  // them its items and shape.
  const below: number[] = [];
  let depth = 0, remaining = 0, kind = NONE, items = 0, shape = 0;
  let shapesSeen: Set<number> | undefined;
  let seed = 0;
  let pos = 0, work = 0, heap = 0;
  let tag = -1; // the tag whose content the next item is
  for (;;) {
    if (pos >= end) throw new ProtocolError('truncated CBOR message');
    const start = pos;
    const initial = bytes[pos++];
    const major = initial >> 5, info = initial & 31;
    if (initial === 0xff) {
      if (depth === 0 || remaining !== INDEFINITE || tag >= 0) throw new ProtocolError('malformed CBOR message (unexpected break)');
      if (kind === MAP && (items & 1) !== 0) throw new ProtocolError('malformed CBOR message (map without a value)');
      remaining = 0;
    } else {
      let arg = info;
      if (info >= 24) {
        if (info === 24) arg = bytes[pos++];
        else if (info === 25) arg = (bytes[pos++] << 8) | bytes[pos++];
        else if (info === 26) arg = ((bytes[pos++] << 24) >>> 0) + ((bytes[pos++] << 16) | (bytes[pos++] << 8) | bytes[pos++]);
        else if (info === 27) {
          const high = ((bytes[pos] << 24) >>> 0) + ((bytes[pos + 1] << 16) | (bytes[pos + 2] << 8) | bytes[pos + 3]);
          const low = ((bytes[pos + 4] << 24) >>> 0) + ((bytes[pos + 5] << 16) | (bytes[pos + 6] << 8) | bytes[pos + 7]);
          pos += 8;
          arg = high * 4294967296 + low;
        } else if (info === 31) {
          if (major !== 4 && major !== 5) throw new ProtocolError('malformed CBOR message (indefinite length)');
          arg = INDEFINITE;
        } else throw new ProtocolError('malformed CBOR message (reserved length)');
        if (pos > end) throw new ProtocolError('truncated CBOR message');
      }
      const isKey = kind === MAP && (items & 1) === 0;
      if (tag >= 0) {
        const c = tagContentCost(tag, major, info, arg, bytes.byteOffset + pos);
        work += c.work;
        heap += c.heap;
        tag = -1;
      }
      let opens = 0, opensKind = ARRAY;
      switch (major) {
        case 0:
        case 1:
          if (info < 24) {
            work += SMALL_INT_WORK;
            heap += SMALL_INT_HEAP;
          } else {
            const c = info === 27 ? CHARGE.int64 : CHARGE.wideInt;
            work += c.work;
            heap += c.heap;
          }
          break;
        case 2:
          if (arg > end - pos) throw new ProtocolError('truncated CBOR message');
          work += CHARGE.bytes.work;
          heap += CHARGE.bytes.heap;
          pos += arg;
          break;
        case 3:
          if (arg > end - pos) throw new ProtocolError('truncated CBOR message');
          work += TEXT_WORK + arg * (arg <= 64 ? SHORT_TEXT_BYTE : LONG_TEXT_BYTE);
          heap += TEXT_HEAP + arg;
          pos += arg;
          break;
        case 4:
          if (arg === INDEFINITE) {
            work += CHARGE.indefiniteArray.work;
            heap += CHARGE.indefiniteArray.heap;
          } else {
            work += ARRAY_WORK;
            heap += ARRAY_HEAP;
          }
          opens = arg;
          break;
        case 5:
          work += CHARGE.map.work;
          heap += CHARGE.map.heap;
          opens = arg === INDEFINITE ? INDEFINITE : arg * 2;
          opensKind = MAP;
          break;
        case 6:
          if (!acceptedTag(arg, references)) throw new ProtocolError(`CBOR tag ${arg} is not accepted on the wire`);
          opens = 1;
          opensKind = TAG;
          tag = arg;
          break;
        default:
          if (info >= 20 && info <= 23) {
            work += SIMPLE_WORK;
            heap += SIMPLE_HEAP;
          } else if (info >= 25 && info <= 27) {
            work += CHARGE.float.work;
            heap += CHARGE.float.heap;
          } else throw new ProtocolError(`CBOR simple value ${info === 24 ? arg : info} is not accepted on the wire`);
      }
      if (isKey) {
        if (major === 3 || major <= 1 || (major === 7 && info < 24)) {
          // Seeded per frame, so that a peer cannot aim for colliding shapes.
          if (seed === 0) seed = (Math.random() * 0x7fffffff) | 1;
          // A string's header and body, or an integer's bytes.
          if (shape !== UNTRACKED) shape = Math.imul(shape ^ hashBytes(bytes, start, pos, seed), 0x9e3779b1) >>> 0;
        } else if (major === 7 || (major === 6 && (tag === 2 || tag === 3))) {
          shape = UNTRACKED; // turned into a string: costly, and its shape is not tracked
          work += CHARGE.numberKey.work;
        } else throw new ProtocolError('malformed CBOR message (a map key must be a string, a number, a boolean, null or undefined)');
      }
      if (work > maxWork || heap > maxHeap) throw tooCostly(work, heap, maxWork, maxHeap);
      if (opens !== 0) {
        if (opens !== INDEFINITE && opens > end - pos) throw new ProtocolError('truncated CBOR message');
        if (depth >= MAX_DECODE_DEPTH) throw new ProtocolError(`message nested deeper than ${MAX_DECODE_DEPTH}`);
        if (depth > 0) {
          if (kind === MAP) below.push(items, shape);
          below.push(remaining, kind);
        }
        depth++;
        remaining = opens;
        kind = opensKind;
        items = 0;
        shape = 0;
        continue;
      }
      if (depth === 0) return { work, heap };
      if (remaining !== INDEFINITE) remaining--;
      items++;
    }
    // Close every container this item completed; a map is charged by whether its shape is new.
    while (remaining === 0) {
      if (kind === MAP && items > 0) {
        let fresh = shape === UNTRACKED;
        if (!fresh) {
          shapesSeen ??= new Set();
          fresh = !shapesSeen.has(shape);
          if (fresh) shapesSeen.add(shape);
        }
        const c = fresh ? CHARGE.newShapeEntry : CHARGE.entry;
        work += (items / 2) * c.work;
        heap += (items / 2) * c.heap;
        if (work > maxWork || heap > maxHeap) throw tooCostly(work, heap, maxWork, maxHeap);
      }
      if (--depth === 0) return { work, heap };
      kind = below.pop()!;
      remaining = below.pop()!;
      if (kind === MAP) {
        shape = below.pop()!;
        items = below.pop()!;
      }
      items++;
      if (remaining !== INDEFINITE) remaining--;
    }
  }
}

/** Seeded FNV-1a over `bytes[from, to)`, 32 bits. */
function hashBytes(bytes: Uint8Array, from: number, to: number, seed: number): number {
  let h = seed;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i], 16777619);
  return h >>> 0;
}

function tooCostly(work: number, heap: number, maxWork: number, maxHeap: number): ProtocolError {
  return new ProtocolError(work > maxWork
    ? `message too costly to decode (over ${maxWork / 1e6} ms of decoding: too many items, keys or references)`
    : `message too costly to decode (over ${maxHeap / 1e6} MB of heap once decoded)`);
}
