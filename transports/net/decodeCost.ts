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

// Every number the scan keeps is a small integer (V8 then keeps them unboxed: a double anywhere,
// even on a rare path, makes the whole loop slower): kinds, lengths, 32-bit shapes, charges.
const NONE = -1, ARRAY = 0, TAG = 2, MAP = 4, UNTRACKED_MAP = 5, INDEFINITE = -1;
const ARRAY_WORK = CHARGE.array.work, ARRAY_HEAP = CHARGE.array.heap;
const TEXT_WORK = CHARGE.text.work, TEXT_HEAP = CHARGE.text.heap, SHORT_TEXT_BYTE = CHARGE.shortTextByte, LONG_TEXT_BYTE = CHARGE.longTextByte;
/**
 * By initial byte, the integers, floats and simple values: 1 when it is one (with the bytes its
 * argument takes after it and its charges), 0 for anything else. A message is mostly these: one
 * table lookup each.
 */
const SCALAR = new Uint8Array(256), SCALAR_SKIP = new Uint8Array(256), SCALAR_WORK = new Int32Array(256), SCALAR_HEAP = new Int32Array(256);
for (let b = 0; b < 256; b++) {
  const major = b >> 5, info = b & 31;
  let c: { work: number; heap: number } | undefined;
  if (major <= 1 && info <= 27) c = info < 24 ? CHARGE.smallInt : info === 27 ? CHARGE.int64 : CHARGE.wideInt;
  else if (major === 7 && info >= 20 && info <= 23) c = CHARGE.simple;
  else if (major === 7 && info >= 25 && info <= 27) c = CHARGE.float;
  if (c === undefined) continue;
  SCALAR[b] = 1;
  SCALAR_SKIP[b] = info < 24 || (major === 7 && info < 25) ? 0 : [1, 2, 4, 8][info - 24]!;
  SCALAR_WORK[b] = c.work;
  SCALAR_HEAP[b] = c.heap;
}

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
    if (SCALAR[initial] === 1 && kind < MAP && tag < 0) {
      // A number or a simple value outside a map's keys and a tag: the commonest item.
      pos += SCALAR_SKIP[initial];
      if (pos > end) throw new ProtocolError('truncated CBOR message');
      work += SCALAR_WORK[initial];
      heap += SCALAR_HEAP[initial];
      if (work > maxWork || heap > maxHeap) throw tooCostly(work, heap, maxWork, maxHeap);
      if (depth === 0) return { work, heap };
      if (remaining !== INDEFINITE) remaining--;
      items++;
    } else if (initial === 0xff) {
      if (depth === 0 || remaining !== INDEFINITE || tag >= 0) throw new ProtocolError('malformed CBOR message (unexpected break)');
      if (kind >= MAP && (items & 1) !== 0) throw new ProtocolError('malformed CBOR message (map without a value)');
      remaining = 0;
    } else {
      const major = initial >> 5, info = initial & 31;
      let arg = info;
      if (major === 7 && info >= 25 && info <= 27) pos += info === 25 ? 2 : info === 26 ? 4 : 8; // a float: its bits are no length
      else if (info >= 24) {
        if (info === 24) arg = bytes[pos++];
        else if (info === 25) arg = (bytes[pos++] << 8) | bytes[pos++];
        else if (info === 26) arg = (bytes[pos++] << 24) | (bytes[pos++] << 16) | (bytes[pos++] << 8) | bytes[pos++];
        else if (info === 27) {
          // 8 bytes: as a length or a tag, anything past 2^31 cannot be (an integer's are in SCALAR).
          arg = bytes[pos] | bytes[pos + 1] | bytes[pos + 2] | bytes[pos + 3] ? -2 : (bytes[pos + 4] << 24) | (bytes[pos + 5] << 16) | (bytes[pos + 6] << 8) | bytes[pos + 7];
          pos += 8;
        } else if (info === 31) {
          if (major !== 4 && major !== 5) throw new ProtocolError('malformed CBOR message (indefinite length)');
          arg = INDEFINITE;
        } else throw new ProtocolError('malformed CBOR message (reserved length)');
        if (pos > end) throw new ProtocolError('truncated CBOR message');
        if (arg < INDEFINITE && major >= 2 && major <= 6) throw new ProtocolError('malformed CBOR message (a length or tag beyond 2^31)');
      }
      const isKey = kind >= MAP && (items & 1) === 0;
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
          break; // only as a map key or a tag's content (else SCALAR took it)
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
          if (!(info >= 20 && info <= 23) && !(info >= 25 && info <= 27)) throw new ProtocolError(`CBOR simple value ${info === 24 ? arg : info} is not accepted on the wire`);
      }
      if (major <= 1 || major === 7) {
        work += SCALAR_WORK[initial];
        heap += SCALAR_HEAP[initial];
      }
      if (isKey) {
        if (major === 3 || major <= 1 || (major === 7 && info < 24)) {
          // Seeded per frame, so that a peer cannot aim for colliding shapes.
          if (seed === 0) seed = (Math.random() * 0x7fffffff) | 1;
          // A string's header and body, or an integer's bytes.
          if (kind === MAP) shape = Math.imul(shape ^ hashBytes(bytes, start, pos, seed), 0x9e3779b1);
        } else if (major === 7 || (major === 6 && (tag === 2 || tag === 3))) {
          kind = UNTRACKED_MAP; // turned into a string: costly, and its shape is not tracked
          work += CHARGE.numberKey.work;
        } else throw new ProtocolError('malformed CBOR message (a map key must be a string, a number, a boolean, null or undefined)');
      }
      if (work > maxWork || heap > maxHeap) throw tooCostly(work, heap, maxWork, maxHeap);
      if (opens !== 0) {
        if (opens !== INDEFINITE && opens > end - pos) throw new ProtocolError('truncated CBOR message');
        if (depth >= MAX_DECODE_DEPTH) throw new ProtocolError(`message nested deeper than ${MAX_DECODE_DEPTH}`);
        if (depth > 0) {
          if (kind >= MAP) below.push(items, shape);
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
      if (kind >= MAP && items > 0) {
        let fresh = kind === UNTRACKED_MAP;
        if (!fresh) {
          shapesSeen ??= new Set();
          fresh = !shapesSeen.has(shape);
          if (fresh) shapesSeen.add(shape);
        }
        const c = fresh ? CHARGE.newShapeEntry : CHARGE.entry;
        work += (items >> 1) * c.work;
        heap += (items >> 1) * c.heap;
        if (work > maxWork || heap > maxHeap) throw tooCostly(work, heap, maxWork, maxHeap);
      }
      if (--depth === 0) return { work, heap };
      kind = below.pop()!;
      remaining = below.pop()!;
      if (kind >= MAP) {
        shape = below.pop()!;
        items = below.pop()!;
      }
      items++;
      if (remaining !== INDEFINITE) remaining--;
    }
  }
}

/** Seeded FNV-1a over `bytes[from, to)`, 32 bits (as a signed integer). */
function hashBytes(bytes: Uint8Array, from: number, to: number, seed: number): number {
  let h = seed;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i], 16777619);
  return h;
}

function tooCostly(work: number, heap: number, maxWork: number, maxHeap: number): ProtocolError {
  return new ProtocolError(work > maxWork
    ? `message too costly to decode (over ${maxWork / 1e6} ms of decoding: too many items, keys or references)`
    : `message too costly to decode (over ${maxHeap / 1e6} MB of heap once decoded)`);
}
