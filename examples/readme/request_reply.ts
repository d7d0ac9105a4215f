// Request/reply: ask() sends a request carrying a private reply address and awaits the answer.
import { ask, spawn, spawnWith, type Address, type Coro, type CoroFinishedError } from '../../index.js';

type Request = { x: number; replyTo: Address<number> };

const squarer = spawnWith({ daemon: true, name: 'squarer' }, async (coro: Coro<Request>) => {
  for await (const { x, replyTo } of coro.messages()) replyTo.send(x * x);
});

console.log(await ask(squarer, (replyTo) => ({ x: 12, replyTo }), { timeout: 1000 }));

// A union of requests: each ask's reply is typed by the variant its builder returns.
type Store = { get: string; replyTo: Address<string | undefined> } | { put: string; value: string; replyTo: Address<boolean> };
const store = spawnWith({ daemon: true, name: 'store' }, async (coro: Coro<Store>) => {
  const map = new Map<string, string>();
  for await (const m of coro.messages()) {
    if ('put' in m) m.replyTo.send(!map.has(m.put) && map.set(m.put, m.value) !== undefined);
    else m.replyTo.send(map.get(m.get));
  }
});
const added: boolean = await ask(store, (replyTo) => ({ put: 'a', value: 'one', replyTo }), { timeout: 1000 });
const value: string | undefined = await ask(store, (replyTo) => ({ get: 'a', replyTo }), { timeout: 1000 });
console.log(added, value);

// A target that ends before it replies fails the ask at once, whatever the timeout.
const fragile = spawnWith({ name: 'fragile' }, async (coro: Coro<Request>) => {
  await coro.receive();
  return 'gave up';
});
const ended = (await ask(fragile, (replyTo) => ({ x: 1, replyTo }), { timeout: 60_000 }).catch((e: unknown) => e)) as CoroFinishedError;
console.log(ended.code, ended.reason);

// By hand, with selective receive: a coroutine taking more than replies is still an Address<number>.
const client = spawn(async (coro: Coro<number | string>) => {
  coro.send('noise that stays queued');
  squarer.send({ x: 7, replyTo: coro });
  const reply = await coro.receive({ filter: (m) => typeof m === 'number', timeout: 1000 });
  return [reply, coro.poll()];
});
console.log(await client.value());
// prints: 144 / true one / ERR_CORO_FINISHED finished / [ 49, 'noise that stays queued' ]
