// Two nodes (here two schedulers in one process; normally two processes or hosts).
import { Coro, Network, Scheduler, type RemoteCoro } from '../../index.js';

const secret = 'a shared secret';
const nodeA = new Scheduler();
const nodeB = new Scheduler();
const netA = await Network.start(nodeA, { secret, discover: false });
const netB = await Network.start(nodeB, { secret, discover: false, seeds: [netA.location] });

nodeA.spawnWith({ name: 'doubler', daemon: true }, async (coro: Coro<{ n: number; reply: RemoteCoro }>) => {
  coro.register();
  for (;;) {
    const { n, reply } = await coro.receive();
    reply.send(n * 2); // `reply` arrived as a reference to a coroutine on the other node
  }
});

const client = nodeB.spawn(async (me: Coro<number>) => {
  const doubler = await Coro.locate('doubler', { scheduler: nodeB, location: netA.location, timeout: 2000 });
  doubler?.send({ n: 21, reply: me });
  return me.receive({ timeout: 2000 });
});
console.log(await client.value());
await netB.stop();
await netA.stop();
await nodeA.terminate();
await nodeB.terminate();
// prints: 42
