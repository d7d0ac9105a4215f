/**
 * The raw side of `bench/threads.ts`'s baselines: a bare worker on a MessagePort, no runtime.
 * `{ count: n }` counts the messages in the batches (arrays) that follow and posts n once it has
 * them all; `{ echo: true }` answers every `{ id, n }` with `{ id, n: n * 2 }`; it says
 * 'ready' as soon as it runs (the start figure's baseline). Batches that are CBOR buffers
 * (transferred) are decoded first. `{ count: n, mailbox: true }` hands each message to an async
 * consumer through a hand-rolled promise mailbox (bench/baselineMailbox.ts), which counts them:
 * the work a coroutine receiving them does, without the runtime. `{ count: n, wire: true }`
 * decodes them as a link of the runtime does: CBOR batches with the project's Codec, cloned ones
 * with its CloneWire (bench/threadsWire.ts).
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { Decoder } from 'cbor-x';
import { BaselineMailbox } from './baselineMailbox.js';
import { RECEIVER, SENDER, wires } from './threadsWire.js';
import { Scheduler } from '../index.js';

const decoder = new Decoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
let mode: 'count' | 'echo' = 'echo';
let target = 0, count = 0;
let box: BaselineMailbox<unknown> | undefined;
let wire: ReturnType<typeof wires> | undefined;

async function consume(mailbox: BaselineMailbox<unknown>, n: number): Promise<void> {
  let got = 0;
  while (got < n) if ((await mailbox.receive()) !== undefined) got++;
  parentPort!.postMessage(got);
}

parentPort!.on('message', (m: any) => {
  if (mode === 'count' && (Array.isArray(m) || m instanceof ArrayBuffer)) {
    let batch = Array.isArray(m) ? m : ((wire?.codec ?? decoder).decode(new Uint8Array(m)) as unknown[]);
    if (wire !== undefined && Array.isArray(m)) batch = batch.map((item) => wire!.clone.in(item));
    if (box !== undefined) for (const item of batch) box.send(item);
    else {
      for (const item of batch) if (item !== undefined) count++;
      if (count >= target) {
        parentPort!.postMessage(count);
        count = 0;
      }
    }
  } else if (m?.count !== undefined) {
    [mode, target, count] = ['count', m.count, 0];
    box = m.mailbox === true ? new BaselineMailbox<unknown>() : undefined;
    wire = m.wire === true ? (wire ?? wires(RECEIVER, SENDER, new Scheduler())) : undefined;
    if (box !== undefined) void consume(box, m.count);
  } else if (m?.echo === true) mode = 'echo';
  else if (mode === 'echo') parentPort!.postMessage({ id: m.id, n: m.n * 2 });
});
parentPort!.postMessage('ready');
