/**
 * The crossing figure with a reference in each message (`{ n, replyTo }`, the typical request),
 * through the two wires the project has: its CBOR Codec (as a TCP peer link encodes and decodes)
 * and CloneWire over structured clone (as a thread link does), the same batching for both. Used by
 * bench/threads.ts; the receiving side runs in bench/threadsRaw.ts (`{ count, wire: true }`).
 * @module
 */
import { Location, Scheduler, type Coro } from '../index.js';
import { CloneWire, Codec, CORO_LAYER, type WireContext } from '../extend.js';

/** The two ends' identities: the sender (whose coroutine is the reply address) and the receiver. */
export const SENDER = { incarnation: 'a'.repeat(32), host: 'bench-owner.t' };
export const RECEIVER = { incarnation: 'b'.repeat(32), host: 'bench-thread.t' };

/** The codec and clone wire of one end. */
export function wires(self: typeof SENDER, other: typeof SENDER, scheduler: Scheduler): { codec: Codec; clone: CloneWire } {
  const context: WireContext = { incarnation: self.incarnation, location: new Location(self.host, 0), scheduler };
  const codec = new Codec(context, CORO_LAYER.references);
  return { codec, clone: new CloneWire(codec, { incarnation: other.incarnation, location: new Location(other.host, 0) }) };
}

/** A sender's side: the messages `{ n, replyTo }` (replyTo a coroutine of the sender) of one batch, encoded each way. */
export function senderSide(): { batch(from: number, count: number, encoding: 'clone' | 'cbor'): { value: unknown; transfer: ArrayBuffer[] }; stop(): Promise<void> } {
  const sched = new Scheduler();
  const { codec, clone } = wires(SENDER, RECEIVER, sched);
  const replyTo: Coro<never> = sched.spawnWith({ name: 'client', daemon: true }, (c: Coro<never>) => c.suspend());
  return {
    batch(from, count, encoding) {
      if (encoding === 'clone') {
        const items: unknown[] = [];
        for (let i = from; i < from + count; i++) items.push(clone.out({ n: i, replyTo }));
        return { value: items, transfer: [] };
      }
      const parts: Buffer[] = [];
      let total = 0;
      for (let i = from; i < from + count; i++) total += parts[parts.push(codec.encode({ n: i, replyTo })) - 1]!.length;
      const out = Buffer.allocUnsafeSlow(total + 5);
      out[0] = 0x9a; // a CBOR array of the parts, which are items already (as frameBatch.ts does)
      out.writeUInt32BE(parts.length, 1);
      let at = 5;
      for (const p of parts) at += p.copy(out, at);
      return { value: out.buffer, transfer: [out.buffer as ArrayBuffer] };
    },
    stop: () => sched.terminate(),
  };
}
