/**
 * A cheap pre-scan of a CBOR item before it is decoded: walks the headers (no allocation, string
 * bodies skipped) and adds up what decoding would cost, so that one frame can neither block the
 * event loop for long nor inflate far beyond its size. Weights follow measured decode costs:
 * an integer 1, an empty map about 6 (a fresh object), a byte string 8 (a Buffer), a reference
 * or error tag 200 (it builds a class instance). A frame of at most MAX_DECODE_DEPTH bytes needs
 * no scan: no item costs more than 100 units a byte (a chain of 2-byte tags).
 * @module
 */
import { ProtocolError } from './netErrors.js';

/** Largest decode cost accepted for one frame: about 100 ms of decoding at worst, ~20 MB of heap. */
export const MAX_DECODE_COST = 1_500_000;
/** Deepest nesting of arrays, maps and tags accepted. */
export const MAX_DECODE_DEPTH = 128;
const SCALAR = 1, TEXT = 1, BYTES = 8, ARRAY = 4, MAP = 6, TAG = 32, REFERENCE_TAG = 200;
/** Tags whose decoding builds objects through a hook: the reference range and cbor-x's generic object. */
const isReferenceTag = (tag: number): boolean => (tag >= 41000 && tag <= 41999) || tag === 27;
const INDEFINITE = -1;

/**
 * The decode cost of the first CBOR item in `bytes`; throws ProtocolError when it is malformed,
 * truncated, nested deeper than MAX_DECODE_DEPTH or costs more than `budget`.
 * @example
 * ```ts
 * decodeCost(payload); // throws before cbor-x sees a frame of a million empty maps
 * ```
 */
export function decodeCost(bytes: Uint8Array, budget = MAX_DECODE_COST): number {
  const end = bytes.length;
  const open: number[] = []; // items still expected by each open container (INDEFINITE: until a break)
  let pos = 0, cost = 0;
  for (;;) {
    if (pos >= end) throw new ProtocolError('truncated CBOR message');
    const initial = bytes[pos++];
    const major = initial >> 5, info = initial & 31;
    if (initial === 0xff) {
      if (open.length === 0 || open[open.length - 1] !== INDEFINITE) throw new ProtocolError('malformed CBOR message (unexpected break)');
      open.pop();
      if (itemDone(open)) return cost;
      continue;
    }
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
      if (major < 2 || major > 5) throw new ProtocolError('malformed CBOR message (indefinite length)');
      arg = INDEFINITE;
    } else if (info > 27) throw new ProtocolError('malformed CBOR message (reserved length)');
    if (pos > end) throw new ProtocolError('truncated CBOR message');
    let container = 0; // items this one opens
    switch (major) {
      case 2:
      case 3:
        cost += major === 2 ? BYTES : TEXT;
        if (arg === INDEFINITE) container = INDEFINITE;
        else {
          if (arg > end - pos) throw new ProtocolError('truncated CBOR message');
          pos += arg;
        }
        break;
      case 4:
        cost += ARRAY;
        container = arg;
        break;
      case 5:
        cost += MAP;
        container = arg === INDEFINITE ? INDEFINITE : arg * 2;
        break;
      case 6:
        cost += isReferenceTag(arg) ? REFERENCE_TAG : TAG;
        container = 1;
        break;
      default:
        cost += SCALAR; // integers, simple values, floats (their bytes were read as the argument)
    }
    if (cost > budget) throw new ProtocolError(`message too costly to decode (over ${budget} units: too many items or references)`);
    if (container !== 0) {
      if (container !== INDEFINITE && container > end - pos) throw new ProtocolError('truncated CBOR message');
      if (open.length >= MAX_DECODE_DEPTH) throw new ProtocolError(`message nested deeper than ${MAX_DECODE_DEPTH}`);
      open.push(container);
    } else if (itemDone(open)) return cost;
  }
}

/** One item ended: counts it against the open containers; true when the top-level item is complete. */
function itemDone(open: number[]): boolean {
  for (;;) {
    if (open.length === 0) return true;
    const last = open.length - 1;
    if (open[last] === INDEFINITE) return false;
    if (--open[last] > 0) return false;
    open.pop();
  }
}
