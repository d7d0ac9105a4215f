// Request/reply: ask() sends a request carrying a private reply address and awaits the answer.
import { ask, spawn, spawnWith, type Address, type Coro } from '../../index.js';

type Request = { x: number; replyTo: Address<number> };

const squarer = spawnWith({ daemon: true, name: 'squarer' }, async (coro: Coro<Request>) => {
  for await (const { x, replyTo } of coro.messages()) replyTo.send(x * x);
});

console.log(await ask(squarer, (replyTo) => ({ x: 12, replyTo }), { timeout: 1000 }));

// By hand, with selective receive: a coroutine taking more than replies is still an Address<number>.
const client = spawn(async (coro: Coro<number | string>) => {
  coro.send('noise that stays queued');
  squarer.send({ x: 7, replyTo: coro });
  const reply = await coro.receive({ filter: (m) => typeof m === 'number', timeout: 1000 });
  return [reply, coro.poll()];
});
console.log(await client.value());
// prints: 144 / [ 49, 'noise that stays queued' ]
