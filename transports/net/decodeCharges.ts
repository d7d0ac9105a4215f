/**
 * What decoding each kind of CBOR item costs with cbor-x, for the pre-scan of decodeCost.ts:
 * `work` in nanoseconds and `heap` in bytes, measured (Node 20, cbor-x 1.6, with and without
 * its native string extractor; the larger of the two) by decoding frames made of one kind of
 * item, and rounded up. The tags the wire accepts, what each must wrap, and what it costs.
 * `spec/transports/net/decodeCost.spec.ts` checks the charges against real decoding: the costliest
 * frame of every kind that passes decodes within 50 ms and 20 MB.
 * @module
 */
import { ProtocolError } from './netErrors.js';

/** A charge: nanoseconds of decoding, bytes of heap. */
interface Charge {
  readonly work: number;
  readonly heap: number;
}

/**
 * The charges per item (a slot in its array or object included in `heap`).
 * @example
 * ```ts
 * const perEmptyMap = CHARGE.map.work; // ns
 * ```
 */
export const CHARGE = {
  /** Integers below 24. */
  smallInt: { work: 30, heap: 16 },
  /** true, false, null, undefined. */
  simple: { work: 45, heap: 16 },
  /** Integers of 1 to 4 more bytes. */
  wideInt: { work: 80, heap: 40 },
  /** Floats (a heap number). */
  float: { work: 120, heap: 48 },
  /** 8-byte integers: cbor-x makes a BigInt. */
  int64: { work: 250, heap: 64 },
  /** A byte string: a Buffer object viewing the frame (its bytes are not copied). */
  bytes: { work: 300, heap: 120 },
  /** A text string, plus its bytes: up to 64 bytes decoded in JavaScript, longer ones by TextDecoder. */
  text: { work: 100, heap: 40 },
  shortTextByte: 25,
  longTextByte: 10,
  array: { work: 220, heap: 80 },
  /** An array of unknown length: grown as it is read. */
  indefiniteArray: { work: 400, heap: 200 },
  map: { work: 150, heap: 80 },
  /** Per entry of a map whose key sequence was seen before in the frame (one hidden class, shared). */
  entry: { work: 120, heap: 40 },
  /** Per entry of a map with a new key sequence: hidden-class transitions, internalised key strings. */
  newShapeEntry: { work: 1700, heap: 450 },
  /** A float or bignum key, turned into a string. */
  numberKey: { work: 600, heap: 0 },
  date: { work: 300, heap: 110 },
  /** A bignum, plus per byte, plus per byte squared: cbor-x shifts the whole BigInt for every byte (and a key's toString is as costly), dropping each step. */
  bignum: { work: 1300, heap: 1000 },
  bignumByte: { work: 60, heap: 64 },
  /** Per byte squared, as divisors (integers keep the scan fast): 0.2 ns, and a byte of garbage (two BigInts a step). */
  bignumSquareDivisor: { work: 5, heap: 1 },
  /** Tag 27: a RemoteError. */
  generic: { work: 1200, heap: 250 },
  set: { work: 550, heap: 250 },
  setEntry: { work: 150, heap: 24 },
  typedArray: { work: 400, heap: 330 },
  /** A typed array that cannot view the frame (unaligned) is copied: plus this, plus per byte. */
  copy: { work: 400, heap: 200 },
  /** Bytes copied per ns. */
  copyBytesPerNs: 3,
  /** Per element of a typed array in the other byte order: read one by one (a number or a BigInt each, dropped). */
  swapElement: { work: 25, heap: 24 },
  swapBigElement: { work: 200, heap: 40 },
  /** A reference tag: a reference type's decode hook builds an object (a RemoteCoro, a Location, ...). */
  reference: { work: 2300, heap: 1200 },
  /** An error (tag 41000): a RemoteError with its stack, and up to four causes, each a RemoteError too. */
  errorReference: { work: 16_000, heap: 3000 },
} as const;

/** Longest bignum accepted (tags 2 and 3): 1 KiB, 8192 bits (cbor-x builds it in quadratic time). */
export const MAX_BIGNUM_BYTES = 1024;

const DATE = 1, BIGNUM = 2, NEGATIVE_BIGNUM = 3, GENERIC_OBJECT = 27, SET = 258;
/** ReferenceTags.Error of Codec.ts (which imports this module). */
const ERROR_REFERENCE = 41000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/**
 * cbor-x's typed arrays (RFC 8746), by tag - 64: element size, little-endian, 64-bit integers.
 * 64 Uint8, 68 Uint8Clamped, 72 Int8; then each multi-byte type as big-endian (tag - 4) and little-endian.
 */
const TYPED: ReadonlyArray<readonly [size: number, little: boolean, big: boolean] | undefined> = (() => {
  const table: Array<readonly [number, boolean, boolean] | undefined> = [];
  const one = [64, 68, 72], multi: Array<[number, number, boolean]> = [[69, 2, false], [70, 4, false], [71, 8, true], [77, 2, false], [78, 4, false], [79, 8, true], [85, 4, false], [86, 8, false]];
  for (const t of one) table[t - 64] = [1, LITTLE_ENDIAN, false];
  for (const [t, size, big] of multi) {
    table[t - 64] = [size, true, big];
    table[t - 68] = [size, false, big];
  }
  return table;
})();

function typedArrayOf(tag: number): readonly [number, boolean, boolean] | undefined {
  return tag >= 64 && tag <= 86 ? TYPED[tag - 64] : undefined;
}

/**
 * True for a tag the wire accepts: a date, a bignum, cbor-x's generic object, a set, a typed
 * array, or one of `references` (default: any tag in 41000-41999).
 * @example
 * ```ts
 * acceptedTag(28, undefined); // false: cbor-x's shared references are not accepted
 * ```
 */
export function acceptedTag(tag: number, references: ReadonlySet<number> | undefined): boolean {
  if (tag === DATE || tag === BIGNUM || tag === NEGATIVE_BIGNUM || tag === GENERIC_OBJECT || tag === SET || typedArrayOf(tag) !== undefined) return true;
  return references === undefined ? tag >= 41000 && tag <= 41999 : references.has(tag);
}

/**
 * Checks what an accepted tag wraps (its content's major type, info and argument) and returns
 * the cost of what the tag builds; throws ProtocolError for content the tag does not take.
 * `offset` is where the content's bytes start in their ArrayBuffer (a typed array can view them
 * when aligned).
 * @example
 * ```ts
 * tagContentCost(2, 2, 24, 100, 0); // a bignum of 100 bytes
 * ```
 */
export function tagContentCost(tag: number, major: number, info: number, arg: number, offset: number): Charge {
  switch (tag) {
    case DATE:
      if (major > 1 && !(major === 7 && info >= 25 && info <= 27)) throw new ProtocolError('malformed CBOR message (a date must be a number)');
      return CHARGE.date;
    case BIGNUM:
    case NEGATIVE_BIGNUM:
      if (major !== 2) throw new ProtocolError('malformed CBOR message (a bignum must be a byte string)');
      if (arg > MAX_BIGNUM_BYTES) throw new ProtocolError(`bignum of ${arg} bytes refused (at most ${MAX_BIGNUM_BYTES})`);
      return {
        work: CHARGE.bignum.work + arg * CHARGE.bignumByte.work + ((arg * arg / CHARGE.bignumSquareDivisor.work) | 0),
        heap: CHARGE.bignum.heap + arg * CHARGE.bignumByte.heap + ((arg * arg / CHARGE.bignumSquareDivisor.heap) | 0),
      };
    case GENERIC_OBJECT:
      if (major !== 4) throw new ProtocolError('malformed CBOR message (tag 27 must hold an array)');
      return CHARGE.generic;
    case SET:
      if (major !== 4 || arg < 0) throw new ProtocolError('malformed CBOR message (a set must be an array of known length)');
      return { work: CHARGE.set.work + arg * CHARGE.setEntry.work, heap: CHARGE.set.heap + arg * CHARGE.setEntry.heap };
    default: {
      const typed = typedArrayOf(tag);
      if (typed === undefined) return tag === ERROR_REFERENCE ? CHARGE.errorReference : CHARGE.reference;
      const [size, little, big] = typed;
      if (major !== 2 || arg % size !== 0) throw new ProtocolError(`malformed CBOR message (tag ${tag} must hold a byte string of whole ${size}-byte elements)`);
      let work = CHARGE.typedArray.work, heap = CHARGE.typedArray.heap;
      if (size > 1 && little !== LITTLE_ENDIAN) {
        const swap = big ? CHARGE.swapBigElement : CHARGE.swapElement;
        const elements = (arg / size) | 0; // whole elements: the content was checked
        work += elements * swap.work;
        heap += arg + elements * swap.heap;
      } else if (offset % size !== 0) {
        work += CHARGE.copy.work + ((arg / CHARGE.copyBytesPerNs) | 0);
        heap += CHARGE.copy.heap + arg;
      }
      return { work, heap };
    }
  }
}
