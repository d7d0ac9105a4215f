/**
 * Child process of IpcPort.spec.ts: answers its parent over IPC through `IpcPort.parent()`.
 * `{ echo: x }` → `{ echoed: x }`; `{ burst: n }` → n messages `{ n: k }`; `{ close: true }` →
 * closes the channel; the channel closing ends the process.
 */
import { IpcPort } from '../../../transports/io/IpcPort.js';
import { Scheduler } from '../../../runtime/Scheduler.js';

type In = { echo?: unknown; burst?: number; close?: true };
const sched = new Scheduler();
const port = IpcPort.parent<In, unknown>(sched);
port.send({ ready: process.pid });
sched.spawn(async () => {
  for (;;) {
    let m: In;
    try {
      m = await port.recv();
    } catch {
      return; // the parent is gone
    }
    if (m.echo !== undefined) port.send({ echoed: m.echo });
    if (m.burst !== undefined) for (let k = 0; k < m.burst; k++) port.send({ n: k });
    if (m.close === true) {
      await port.sent({ closing: true });
      port.close();
      return;
    }
  }
});
