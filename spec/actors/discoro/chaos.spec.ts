import { expect } from 'chai';
import type { Computation } from '../../../actors/discoro/client/Computation.js';
import { isAlive } from '../../helpers.js';
import { discoroFixture, statusLog, WORK } from './discoroFixture.js';

/** Servers killed (by pid, SIGKILL), one every KILL_EVERY_MS, while batches of BATCH jobs run. */
const KILLS = 10;
const KILL_EVERY_MS = 300;
const BATCH = 2000;

describe('discoro under repeated faults: a random server SIGKILLed again and again', function () {
  this.timeout(180_000);
  const fx = discoroFixture();
  after(() => fx.cleanup());

  it(`${KILLS} kills ${KILL_EVERY_MS} ms apart while batches of ${BATCH} jobs run with retries: every value once, no failure, no hang; then the node serves a new computation`, async () => {
    const node = await fx.node();
    const work = fx.component('work.mjs', WORK);
    const c: Computation = fx.computation({ components: [work], nodes: [node.location] });
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    await log.until((s) => s.kind === 'node-initialized');
    const killed = new Set<number>();
    const killer = setInterval(() => {
      const alive = c.servers().filter((s) => isAlive(s.pid) && !killed.has(s.pid));
      const victim = alive[Math.floor(Math.random() * alive.length)];
      if (victim === undefined || killed.size >= KILLS) return;
      killed.add(victim.pid);
      fx.kill(victim.pid);
    }, KILL_EVERY_MS);
    let jobs = 0;
    try {
      const args = Array.from({ length: BATCH }, (_, k) => k);
      while (killed.size < KILLS) {
        const values = await c.runResults<number>('square', args, { retries: 10, timeout: 60_000 });
        expect(values, 'a batch hung').to.not.equal(false);
        expect(values).to.deep.equal(args.map((k) => k * k));
        jobs += BATCH;
      }
    } finally {
      clearInterval(killer);
    }
    await c.close();
    const count = (kind: string): number => log.seen.filter((s) => s.kind === kind).length;
    expect([count('job-failed'), count('job-terminated')]).to.deep.equal([0, 0]);
    expect(count('job-finished')).to.equal(jobs, 'each job\'s value arrived once');
    // Every attempt ended once: those that started (job-created) and those lost before they did.
    const ends = new Map<unknown, number>();
    for (const s of log.seen) if (s.kind === 'job-finished' || s.kind === 'job-abandoned') ends.set(s.info, (ends.get(s.info) ?? 0) + 1);
    expect([...ends.values()].every((n) => n === 1)).to.equal(true);
    const lostBeforeStart = log.seen.filter((s) => s.kind === 'job-abandoned' && s.info.job.id === 0).length;
    expect(count('job-created') + lostBeforeStart).to.equal(count('job-finished') + count('job-abandoned'));
    expect(count('server-disconnected')).to.be.at.least(KILLS);
    expect(count('job-abandoned'), 'the kills hit running jobs, which ran again').to.be.above(0);

    const after = fx.computation({ components: [work], nodes: [node.location] });
    await after.schedule({ timeout: 15_000 });
    expect(await after.runResults('square', [1, 2, 3])).to.deep.equal([1, 4, 9]);
    await after.close();
  });
});
