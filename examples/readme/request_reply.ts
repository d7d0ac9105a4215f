// Request/reply with selective receive: take only the reply to our request.
import { spawnWith, spawn, type Coro } from '../../index.js';

type Request = { id: number; x: number; replyTo: Coro<Reply> };
type Reply = { id: number; y: number };

const squarer = spawnWith({ daemon: true, name: 'squarer' }, async (coro: Coro<Request>) => {
  for await (const { id, x, replyTo } of coro.messages()) replyTo.send({ id, y: x * x });
});

const client = spawn(async (coro: Coro<Reply | string>) => {
  coro.send('noise that stays queued');
  squarer.send({ id: 7, x: 12, replyTo: coro as Coro<Reply> });
  const reply = await coro.receive({ filter: (m) => typeof m === 'object' && m.id === 7, timeout: 1000 });
  return [reply, coro.poll()];
});
console.log(await client.value());
// prints: [ { id: 7, y: 144 }, 'noise that stays queued' ]
