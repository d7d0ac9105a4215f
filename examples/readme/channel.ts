// Channels broadcast to every subscriber; deliver can wait for n of them.
import { Channel, spawn, type Coro } from '../../index.js';

const prices = new Channel<number | null>('prices');
prices.register(); // Channel.locate('prices') finds it (also from other nodes)

const watcher = (label: string) =>
  spawn(async (coro: Coro<number | null>) => {
    await prices.subscribe(coro);
    const seen: number[] = [];
    for (let p = await coro.receive(); p !== null; p = await coro.receive()) seen.push(p);
    return `${label} saw ${seen.join(', ')}`;
  });
const a = watcher('a');
const b = watcher('b');

const reached = await prices.deliver(100, { n: 2, timeout: 1000 }); // waits for both subscribers
prices.send(101);
prices.send(null);
console.log(`first price reached ${reached} subscribers`);
console.log(await a.value());
console.log(await b.value());
// prints: first price reached 2 subscribers / a saw 100, 101 / b saw 100, 101
