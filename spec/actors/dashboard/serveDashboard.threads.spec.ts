/**
 * The dashboard of a process with worker threads: each thread's coroutines, as JSON and on the
 * event stream (real threads, real HTTP). The page renders them in serveDashboard.browser.spec.ts.
 */
import { expect } from 'chai';
import { DashboardNotFoundError } from '../../../actors/dashboard/dashboardErrors.js';
import { serveDashboard, type DashboardHandle } from '../../../actors/dashboard/serveDashboard.js';
import { spawnOnWith } from '../../../actors/threads/spawnOn.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { THREAD_WORKERS, threadsFixture } from '../../fixtures/index.js';
import { Threads } from '../../../actors/threads/Threads.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { captureLogger, expectError } from '../../helpers.js';
import { http, post } from './fixtures/http.js';
import { SseClient } from './fixtures/sseClient.js';

const TOKEN = 'threads-spec-token-0123456789';

describe('serveDashboard with worker threads (real threads, HTTP)', function () {
  this.timeout(30_000);
  const fx = threadsFixture();
  const open: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  async function serve(options: Parameters<typeof serveDashboard>[1]): Promise<DashboardHandle> {
    const d = await serveDashboard(fx.sched, options);
    open.push(d);
    return d;
  }

  it('/api/threads gives every thread with its scheduler\'s snapshot; /api/info says so', async () => {
    const threads = await fx.start();
    await spawnOnWith(threads, { thread: 1, name: 'first-worker' }, THREAD_WORKERS, 'counter');
    await spawnOnWith(threads, { thread: 2, name: 'second-worker' }, THREAD_WORKERS, 'counter');
    const dash = await serve({ threads });
    expect((await http(`${dash.url}api/info`)).json()).to.deep.include({ threads: true });
    const data = (await http(`${dash.url}api/threads`)).json() as Array<{ index: number; name: string; state: string; snapshot: { coroutines: Array<{ name: string }> } }>;
    expect(data.map((t) => [t.index, t.state, t.snapshot.coroutines.map((c) => c.name)])).to.deep.equal([[1, 'up', ['first-worker']], [2, 'up', ['second-worker']]]);
  });

  it('the event stream sends the threads at once, then again when a thread\'s coroutines change', async () => {
    const threads = await fx.start({ count: 1 });
    const dash = await serve({ threads, refreshMs: 50 });
    const events = await SseClient.open(`${dash.url}events`);
    try {
      await events.next('threads', (d: Array<{ snapshot: { coroutines: unknown[] } | null }>) => d.length === 1 && d[0]!.snapshot?.coroutines.length === 0, 0, 10_000);
      await spawnOnWith(threads, { name: 'newcomer' }, THREAD_WORKERS, 'counter');
      const { data } = await events.next('threads', (d: Array<{ snapshot: { coroutines: Array<{ name: string }> } | null }>) => d[0]?.snapshot?.coroutines.some((c) => c.name === 'newcomer') === true, 0, 10_000);
      expect(data[0].name).to.equal(threads.list()[0]!.name);
    } finally {
      events.close();
    }
  });

  it('POST /api/thread-coroutines/<thread>:<incarnation>:<id>/terminate (with the token) terminates a coroutine on a thread; 401 without the token, 403 with a wrong one or on a dashboard without one; one that ended, of a lost thread or unknown is 404', async () => {
    const { logger, lines } = captureLogger('warn');
    const sched = new Scheduler({ logger });
    const threads = await Threads.start({ count: 2, scheduler: sched });
    try {
      const victim = await spawnOnWith(threads, { thread: 2, name: 'victim' }, THREAD_WORKERS, 'counter');
      const d = await serveDashboard(sched, { threads, token: TOKEN });
      open.push(d);
      const [, second] = await threads.snapshot({ timeout: 5000 });
      const listed = second!.snapshot!.coroutines.find((c) => c.name === 'victim')!;
      const url = (id: string): string => `${d.url}api/thread-coroutines/${encodeURIComponent(id)}/terminate`;
      const target = `2:${second!.incarnation}:${listed.id}`;
      expect((await post(url(target))).status).to.equal(401);
      expect((await post(url(target), 'a-wrong-token-but-long-enough')).status).to.equal(403);
      const readOnly = await serveDashboard(sched, { threads });
      open.push(readOnly);
      expect((await post(`${readOnly.url}api/thread-coroutines/${encodeURIComponent(target)}/terminate`, TOKEN)).status).to.equal(403);
      expect((await post(url(`2:${'0'.repeat(32)}:${listed.id}`), TOKEN)).status).to.equal(404); // an earlier thread in that place
      expect((await post(url(`1:${threads.list()[0]!.incarnation}:${listed.id}`), TOKEN)).status).to.equal(404); // that id is not on thread 1
      for (const bad of ['3:ab:1', 'x', `2:${second!.incarnation}:0`, '0:ab:1']) expect((await post(url(bad), TOKEN)).status, bad).to.equal(404);
      expect((await threads.snapshot({ timeout: 5000 }))[1]!.snapshot!.coroutines.map((c) => c.name)).to.include('victim');
      const r = await post(url(target), TOKEN);
      expect([r.status, r.json()]).to.deep.equal([200, { ok: true, action: `terminate thread-coroutine ${target}` }]);
      expect(await victim.finish({ timeout: 5000 }).then(() => 'finished', (err: Error) => err.name)).to.equal('CoroTerminatedError');
      expect((await post(url(target), TOKEN)).status).to.equal(404);
      const audit = lines.filter((l) => l.audit === 'dashboard' && l.outcome === 'done');
      expect(audit.map((l) => l.target)).to.deep.equal([`thread-coroutine ${target}`]);
    } finally {
      await threads.stop();
      await sched.terminate();
    }
  });

  it('a threads source without terminateOn: the action is 404', async () => {
    const dash = await serve({ threads: { snapshot: async () => [] }, token: TOKEN });
    expect((await post(`${dash.url}api/thread-coroutines/${encodeURIComponent('1:ab:1')}/terminate`, TOKEN)).status).to.equal(404);
  });

  it('without threads /api/threads is 404; a threads option without snapshot() is InvalidArgumentError', async () => {
    const dash = await serve({});
    const r = await http(`${dash.url}api/threads`);
    expect(r.status).to.equal(404);
    expect(r.json().error).to.equal(DashboardNotFoundError.CODE);
    await expectError(() => serveDashboard(fx.sched, { threads: {} as never }), InvalidArgumentError);
  });
});
