/**
 * Port of pycos's dispycos_kbd_int.py: jobs that are told they are about to be terminated, and
 * send a final result within their grace period. A job on each server looks for the best of
 * random values and sends each improvement to the client. When no improvement came for a while,
 * the client throws `Interrupt` into each job (RemoteCoro.throw, as pycos threw
 * KeyboardInterrupt), gives them a grace period to send their final best, then closes the
 * computation with `terminate: true`, which ends whatever is still running.
 *
 * Run: `DISCORO_SECRET=s node dist/examples/dispycos_kbd_int.js host:port` (SCALE=0.1 shortens it).
 */
import { Computation, type Coro, type JobCoro } from '../index.js';
import { isMain, scale } from './util.js';

/** What the client throws into the jobs. */
class Interrupt extends Error {
  override name = 'Interrupt';
}

type Update = [where: string, best: number, final: boolean];

/** The job (shipped as its source, so self-contained): improvements of a seeded random search. */
async function computeProc(coro: { sleep(ms: number): Promise<unknown>; location?: unknown }, client: { send(m: unknown): boolean }, stepMs: number, seed: number): Promise<number> {
  let s = seed >>> 0;
  const random = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const where = String(coro.location);
  let best = 0;
  try {
    for (;;) {
      const v = random();
      if (v > best) client.send([where, (best = v), false]);
      await coro.sleep(stepMs); // the interrupt arrives here
    }
  } catch (err) {
    if ((err as Error).name !== 'Interrupt') throw err;
  }
  // About to be terminated: a last few tries closer to 1, then the final result, within the grace period.
  for (let k = 0; k < 5; k++) {
    best = Math.max(best, best + (1 - best) * random());
    await coro.sleep(stepMs / 10);
  }
  client.send([where, best, true]);
  return best;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const computation = new Computation({ name: 'kbd_int', components: [computeProc], nodes: argv[0] !== undefined ? [argv[0]] : undefined, secret: process.env.DISCORO_SECRET });
  const step = scale(3000);
  const quiet = 4 * step; // no improvement for this long: stop
  const grace = scale(5000);
  const jobs: JobCoro[] = [];
  const results = computation.scheduler.spawn(async (coro: Coro<Update, void>) => {
    let best = 0;
    // The first update comes at once (anything beats 0); from then on, a quiet spell ends the search.
    for (let m: Update | undefined = await coro.receive(); m !== undefined; m = await coro.receive({ timeout: quiet })) {
      if (m[1] > best) console.log(`update from ${m[0]}: ${(best = m[1]).toFixed(6)}`);
    }
    console.log(`stopping computations; current best value is ${best.toFixed(6)}`);
    for (const job of jobs) await job.throw(new Interrupt(`terminated in ${grace} ms`));
    const deadline = performance.now() + grace;
    for (let finals = 0; finals < jobs.length; ) {
      const m = await coro.receive({ timeout: Math.max(0, deadline - performance.now()) });
      if (m === undefined) break; // the rest are terminated by close()
      if (m[2]) console.log(`final from ${m[0]}: ${m[1].toFixed(6)} (${++finals} of ${jobs.length})`);
    }
  });
  const statuses = computation.status();
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');
  for await (const s of statuses) {
    if (s.kind === 'server-initialized') {
      const job = await computation.runAsyncAt(s.server.location, 'computeProc', results, step, 1000 + s.server.index);
      if (job !== false) jobs.push(job);
    }
    if (s.kind === 'node-initialized') break;
  }
  await results.finish();
  await computation.close({ terminate: true });
  console.log('computation closed');
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
