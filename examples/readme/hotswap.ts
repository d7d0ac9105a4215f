// Hot swap: replace a running function, keeping its identity and its queued messages.
import { spawn, type Coro } from '../../index.js';

const service = spawn(async (coro: Coro<string, string>) => {
  coro.hotSwappable(true);
  for (;;) await coro.receive({ filter: (m) => m === 'never' }); // leaves 'kept' queued
});
service.send('kept');
service.hotSwap(async (coro: Coro<string, string>) => `v2 got ${await coro.receive()}`);
console.log(await service.value());
// prints: v2 got kept
