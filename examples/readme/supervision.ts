// Supervision as data: restart a failed child, give up past a restart intensity.
import { Supervisor, SupervisorGaveUpError, spawn, type Coro } from '../../index.js';

let starts = 0;
const counter = async (coro: Coro<string>) => {
  starts++;
  for (;;) if ((await coro.receive()) === 'crash') throw new Error('crashed');
};

const sup = Supervisor.start([{ id: 'counter', start: counter }], { strategy: 'one-for-one', maxRestarts: 2, withinMs: 5000 });
const crash = () =>
  spawn(async (coro) => {
    const child = sup.child('counter');
    child?.send('crash');
    while (sup.child('counter') === child && sup.coro.isAlive) await coro.sleep(1); // until restarted or given up
  }).finish();
await crash();
await crash();
console.log(`restarts: ${sup.restarts}, starts: ${starts}`);
await crash();
console.log(await sup.finish().catch((e) => (SupervisorGaveUpError.is(e) ? 'gave up' : e)));
// prints: restarts: 2, starts: 3 / gave up
