/**
 * Batching small frames: the messages a peer connection writes in one turn leave as frames of
 * their own only when they are large; runs of small ones share one frame, a CBOR array whose
 * first item is `BATCH` and whose other items are the messages, byte for byte as they were
 * encoded (CBOR items are self-delimiting, so no re-encoding is needed). The receiver decodes
 * one frame instead of hundreds, which is most of what a small remote message costs it.
 * A batch stays under `MAX_BATCH_BYTES`, far inside both the frame limit and the decode budget.
 * @module
 */
import { FRAME_HEADER_BYTES } from '../io/FrameDecoder.js';

/** The message kind of a batch frame (`[BATCH, message, message, ...]`). */
export const BATCH = 4;
/** Largest batch payload, in bytes. */
export const MAX_BATCH_BYTES = 16 * 1024;
/** Messages larger than this travel in frames of their own. */
export const MAX_BATCHED_MESSAGE = 1024;

/** Bytes of the CBOR header of an array of `n` items. */
function arrayHeaderBytes(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

function writeArrayHeader(target: Buffer, offset: number, n: number): number {
  if (n < 24) target[offset++] = 0x80 + n;
  else if (n < 0x100) {
    target[offset++] = 0x98;
    target[offset++] = n;
  } else if (n < 0x10000) {
    target[offset++] = 0x99;
    target.writeUInt16BE(n, offset);
    offset += 2;
  } else {
    target[offset++] = 0x9a;
    target.writeUInt32BE(n, offset);
    offset += 4;
  }
  return offset;
}

/**
 * The bytes to write for `messages` (encoded messages, in order): each large one framed alone,
 * each run of small ones framed as one batch (a run of one is framed alone). Returns the bytes
 * and the number of frames in them. `allocate` makes the buffer (`Buffer.allocUnsafeSlow` for one
 * that owns its memory, which a MessagePort can transfer).
 * @example
 * ```ts
 * const { bytes, frames } = packFrames([codec.encode([0, 0, 'send', body]), codec.encode([2])]);
 * socket.write(bytes); // one frame: [BATCH, [0, 0, 'send', body], [2]]
 * ```
 */
export function packFrames(messages: readonly Buffer[], allocate: (size: number) => Buffer = Buffer.allocUnsafe): { bytes: Buffer; frames: number } {
  // Runs as [first index, count, payload bytes]; a count of 1 is a plain frame.
  const runs: number[] = [];
  let total = 0;
  for (let k = 0; k < messages.length; ) {
    let count = 1, bytes = messages[k]!.length;
    if (bytes <= MAX_BATCHED_MESSAGE) {
      while (k + count < messages.length) {
        const next = messages[k + count]!.length;
        if (next > MAX_BATCHED_MESSAGE || bytes + next > MAX_BATCH_BYTES) break;
        bytes += next;
        count++;
      }
    }
    if (count > 1) bytes += arrayHeaderBytes(count + 1) + 1;
    runs.push(k, count, bytes);
    total += FRAME_HEADER_BYTES + bytes;
    k += count;
  }
  const out = allocate(total);
  let offset = 0;
  for (let r = 0; r < runs.length; r += 3) {
    const first = runs[r]!, count = runs[r + 1]!, bytes = runs[r + 2]!;
    out.writeUInt32BE(bytes, offset);
    offset += FRAME_HEADER_BYTES;
    if (count > 1) {
      offset = writeArrayHeader(out, offset, count + 1);
      out[offset++] = BATCH;
    }
    for (let k = first; k < first + count; k++) offset += messages[k]!.copy(out, offset);
  }
  return { bytes: out, frames: runs.length / 3 };
}
