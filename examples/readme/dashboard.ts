// A live web page of a scheduler; its data as JSON too. Actions need the token.
import { Scheduler, serveDashboard } from '../../index.js';

const sched = new Scheduler();
sched.spawnWith({ name: 'worker' }, async (coro) => void (await coro.receive()));
const dash = await serveDashboard(sched, { token: 'a-long-random-secret-token' }); // 127.0.0.1, a free port
const snap = (await (await fetch(`${dash.url}api/snapshot`)).json()) as { coroutines: Array<{ name: string }> };
console.log(snap.coroutines.map((c) => c.name).join(', '));
const res = await fetch(`${dash.url}api/coroutines/1/terminate`, { method: 'POST' });
console.log(res.status); // no token sent: refused
await sched.terminate(); // closes the dashboard too
// prints: worker, dashboard / 401
