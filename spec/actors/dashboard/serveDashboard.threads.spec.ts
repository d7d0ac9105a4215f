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
import { expectError } from '../../helpers.js';
import { http } from './fixtures/http.js';
import { SseClient } from './fixtures/sseClient.js';

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

  it('without threads /api/threads is 404; a threads option without snapshot() is InvalidArgumentError', async () => {
    const dash = await serve({});
    const r = await http(`${dash.url}api/threads`);
    expect(r.status).to.equal(404);
    expect(r.json().error).to.equal(DashboardNotFoundError.CODE);
    await expectError(() => serveDashboard(fx.sched, { threads: {} as never }), InvalidArgumentError);
  });
});
