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

const ARRAY = 0, MAP = 1, TAG = 2, INDEFINITE = -1;

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
  // One entry per open container: items still expected (INDEFINITE: until a break), its kind,
  // the items it holds so far, and for a map the running hash of its key sequence (its shape).
  const remaining: number[] = [], kinds: number[] = [], items: number[] = [], shapesA: number[] = [], shapesB: number[] = [];
  let shapesSeen: Set<number> | undefined;
  let seed = 0;
  let pos = 0, work = 0, heap = 0;
  let tag = -1; // the tag whose content the next item is
  for (;;) {
    if (pos >= end) throw new ProtocolError('truncated CBOR message');
    const start = pos;
    const initial = bytes[pos++];
    const major = initial >> 5, info = initial & 31;
    const depth = remaining.length;
    if (initial === 0xff) {
      if (depth === 0 || remaining[depth - 1] !== INDEFINITE || tag >= 0) throw new ProtocolError('malformed CBOR message (unexpected break)');
      if (kinds[depth - 1] === MAP && (items[depth - 1] & 1) !== 0) throw new ProtocolError('malformed CBOR message (map without a value)');
      remaining[depth - 1] = 0;
    } else {
      let arg = info;
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
      } else if (info > 27) throw new ProtocolError('malformed CBOR message (reserved length)');
      if (pos > end) throw new ProtocolError('truncated CBOR message');
      const isKey = depth > 0 && kinds[depth - 1] === MAP && (items[depth - 1] & 1) === 0;
      if (tag >= 0) {
        const c = tagContentCost(tag, major, info, arg, bytes.byteOffset + pos);
        work += c.work;
        heap += c.heap;
        tag = -1;
      }
      let opens = 0, kind = ARRAY;
      switch (major) {
        case 0:
        case 1:
          if (info < 24) {
            work += CHARGE.smallInt.work;
            heap += CHARGE.smallInt.heap;
          } else {
            const c = info === 27 ? CHARGE.int64 : CHARGE.wideInt;
            work += c.work;
            heap += c.heap;
          }
          break;
        case 2:
        case 3:
          if (arg > end - pos) throw new ProtocolError('truncated CBOR message');
          if (major === 2) {
            work += CHARGE.bytes.work;
            heap += CHARGE.bytes.heap;
          } else {
            work += CHARGE.text.work + arg * (arg <= 64 ? CHARGE.shortTextByte : CHARGE.longTextByte);
            heap += CHARGE.text.heap + arg;
          }
          pos += arg;
          break;
        case 4: {
          const c = arg === INDEFINITE ? CHARGE.indefiniteArray : CHARGE.array;
          work += c.work;
          heap += c.heap;
          opens = arg;
          break;
        }
        case 5:
          work += CHARGE.map.work;
          heap += CHARGE.map.heap;
          opens = arg === INDEFINITE ? INDEFINITE : arg * 2;
          kind = MAP;
          break;
        case 6:
          if (!acceptedTag(arg, references)) throw new ProtocolError(`CBOR tag ${arg} is not accepted on the wire`);
          opens = 1;
          kind = TAG;
          tag = arg;
          break;
        default:
          if (info >= 25 && info <= 27) {
            work += CHARGE.float.work;
            heap += CHARGE.float.heap;
          } else if (info >= 20 && info <= 23) {
            work += CHARGE.simple.work;
            heap += CHARGE.simple.heap;
          } else throw new ProtocolError(`CBOR simple value ${info === 24 ? arg : info} is not accepted on the wire`);
      }
      if (isKey) {
        // The key's contribution to its map's shape; a key of no known shape makes the map's shape unique.
        // Seeded per frame, so that a peer cannot aim for colliding shapes.
        if (seed === 0) seed = (Math.random() * 0x7fffffff) | 1;
        const m = depth - 1;
        if (major === 3 || major <= 1 || (major === 7 && info < 24)) {
          const key = hashBytes(bytes, start, pos, seed); // a string's header and body, or an integer's bytes
          if (shapesA[m] >= 0) {
            shapesA[m] = Math.imul(shapesA[m] ^ key, 0x9e3779b1) >>> 11;
            shapesB[m] = Math.imul((shapesB[m] + key) | 0, 0x85ebca6b) ^ (shapesB[m] >>> 13);
          }
        } else if (major === 7 || (major === 6 && (tag === 2 || tag === 3))) {
          shapesA[m] = -1; // a float or a bignum key is turned into a string: costly, and its shape is not tracked
          work += CHARGE.numberKey.work;
        } else throw new ProtocolError('malformed CBOR message (a map key must be a string, a number, a boolean, null or undefined)');
      }
      if (work > maxWork || heap > maxHeap) throw tooCostly(work, heap, maxWork, maxHeap);
      if (opens !== 0) {
        if (opens !== INDEFINITE && opens > end - pos) throw new ProtocolError('truncated CBOR message');
        if (depth >= MAX_DECODE_DEPTH) throw new ProtocolError(`message nested deeper than ${MAX_DECODE_DEPTH}`);
        remaining.push(opens);
        kinds.push(kind);
        items.push(0);
        shapesA.push(0);
        shapesB.push(0);
        continue;
      }
      if (depth === 0) return { work, heap };
      if (remaining[depth - 1] !== INDEFINITE) remaining[depth - 1]--;
      items[depth - 1]++;
    }
    // Close every container this item completed; a map is charged by whether its shape is new.
    for (let d = remaining.length; d > 0 && remaining[d - 1] === 0; d = remaining.length) {
      remaining.pop();
      const kind = kinds.pop()!, count = items.pop()!, shapeA = shapesA.pop()!, shapeB = shapesB.pop()!;
      if (kind === MAP && count > 0) {
        let fresh = shapeA < 0;
        if (!fresh) {
          const shape = shapeA * 0x200000 + (shapeB >>> 11);
          shapesSeen ??= new Set();
          fresh = !shapesSeen.has(shape);
          if (fresh) shapesSeen.add(shape);
        }
        const c = fresh ? CHARGE.newShapeEntry : CHARGE.entry;
        work += (count / 2) * c.work;
        heap += (count / 2) * c.heap;
        if (work > maxWork || heap > maxHeap) throw tooCostly(work, heap, maxWork, maxHeap);
      }
      if (d === 1) return { work, heap };
      if (remaining[d - 2] !== INDEFINITE) remaining[d - 2]--;
      items[d - 2]++;
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
