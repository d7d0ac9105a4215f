/**
 * Child process of spec/actors/discoro/failures.spec.ts: a discoro client that schedules a
 * computation at the node given as argv[2], starts a job that never ends, prints
 * `running <computation id> <server pid>` and waits to be killed. Usage: node clientProcess.js host:port secret
 */
import { Computation } from '../../../actors/discoro/client/Computation.js';

const [node, secret] = process.argv.slice(2);
const c = new Computation({ components: [], nodes: [node!], secret, pulseInterval: 100, zombiePeriod: 1000 });
await c.schedule({ timeout: 15_000 });
const job = await c.run(async (coro: { sleep(ms: number): Promise<unknown> }) => { for (;;) await coro.sleep(1000); });
if (job === false) process.exit(3);
process.stdout.write(`running ${c.id} ${c.servers().find((s) => s.location === job.server)!.pid}\n`);
