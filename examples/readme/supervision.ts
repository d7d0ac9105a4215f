// Supervision as data: children started in order, added and removed while it runs, restarted
// after a crash, and a supervisor that gives up past its restart intensity.
import { ask, Supervisor, SupervisorGaveUpError, type Address, type Coro } from '../../index.js';

type Request = { x: number; replyTo: Address<number> } | 'crash';
const squarer = async (coro: Coro<Request>) => {
  for (;;) {
    const msg = await coro.receive();
    if (msg === 'crash') throw new Error('squarer crashed');
    msg.replyTo.send(msg.x * msg.x);
  }
};

const sup = await Supervisor.start([{ id: 'a', start: squarer }], { maxRestarts: 1, withinMs: 5000 });
const b = await sup.startChild({ id: 'b', start: squarer, restart: 'transient' }); // added while it runs
console.log(await ask(b, (replyTo) => ({ x: 7, replyTo }), { timeout: 1000 }));
await sup.deleteChild('b'); // stopped and forgotten

const a = sup.child<Request>('a')!; // typed: what the child receives
a.send('crash');
await a.finish().catch(() => undefined); // restarted (1 restart within 5 s is allowed)
console.log(sup.restarts, await ask(sup.child<Request>('a')!, (replyTo) => ({ x: 3, replyTo }), { timeout: 1000 }));
sup.child<Request>('a')!.send('crash'); // a second restart within 5 s is one too many
console.log(await sup.finish().catch((e) => (SupervisorGaveUpError.is(e) ? 'gave up' : e)));
// prints: 49 / 1 9 / gave up
