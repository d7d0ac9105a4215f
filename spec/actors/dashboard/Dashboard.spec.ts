/**
 * The dashboard's coroutine over real HTTP: it shows in the scheduler it serves, merges a burst
 * of cluster changes into one event, streams the failed jobs (the history first, then only the new
 * ones) and the cluster page's nodes, keeps answering while an action waits, and ends its streams
 * and its server when it closes or is terminated.
 */
import { expect } from 'chai';
import { serveDashboard, type DashboardHandle } from '../../../actors/dashboard/serveDashboard.js';
import { schedulerFixture } from '../../fixtures/index.js';
import { until } from '../../helpers.js';
import { FakeCluster, oneNodeCluster as cluster } from './fixtures/FakeCluster.js';
import { http, post } from './fixtures/http.js';
import { SseClient } from './fixtures/sseClient.js';

const TOKEN = 'spec-token-0123456789abcdef';

describe('Dashboard (its coroutine)', () => {
  const fx = schedulerFixture();
  const open: Array<{ close(): unknown }> = [];
  let c: FakeCluster;
  let dash: DashboardHandle;
  beforeEach(async () => {
    c = cluster();
    dash = await serveDashboard(fx.sched, { cluster: c, token: TOKEN });
    open.push(dash);
  });
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  it('is a daemon coroutine named dashboard, waiting on its mailbox', () => {
    const me = fx.sched.snapshot().coroutines.find((x) => x.name === 'dashboard');
    expect(me).to.deep.include({ daemon: true });
  });

  it('merges a burst of cluster changes into one cluster event', async () => {
    const a = await SseClient.open(`${dash.url}events`);
    open.push(a);
    await a.next('cluster');
    const from = a.events.length;
    for (let k = 0; k < 50; k++) c.startJob('render', [k], '127.0.0.1:9707');
    await a.next('cluster', (d) => d.counts.running === 50, from);
    expect(a.events.slice(from).filter((e) => e.event === 'cluster')).to.have.length(1);
  });

  it('streams the failed jobs: the history first, then the new failures only, with the oldest the source still keeps', async () => {
    c.failJob(c.startJob('render', [0], '127.0.0.1:9707').id, new Error('before'));
    await until(() => c.subscribers === 1, 5000, 'the dashboard subscribed');
    const a = await SseClient.open(`${dash.url}events`);
    open.push(a);
    const first = (await a.next('failed-jobs')).data;
    expect([first.all, first.jobs.map((j: { error: { message: string } }) => j.error.message)]).to.deep.equal([true, ['before']]);
    c.failJob(c.startJob('render', [1], '127.0.0.1:9707').id, new Error('one'));
    await a.next('failed-jobs', (d) => d.jobs.some((j: { seq: number }) => j.seq === 2));
    // A burst of six: the source keeps five, so the first of them is gone before the event goes out.
    for (let k = 0; k < 6; k++) c.failJob(c.startJob('render', [k], '127.0.0.1:9707').id, new TypeError(`again ${k}`));
    const burst = (await a.next('failed-jobs', (d) => d.jobs.some((j: { seq: number }) => j.seq === 8))).data;
    expect(burst.all).to.equal(undefined);
    expect(burst.jobs.map((j: { seq: number }) => j.seq)).to.deep.equal([4, 5, 6, 7, 8]);
    expect(burst.oldest).to.equal(4);
    expect(burst.jobs[0].error).to.deep.include({ name: 'TypeError', message: 'again 1' });
  });

  it('streams the cluster page\'s nodes: all of them at once, then again when they change', async () => {
    const a = await SseClient.open(`${dash.url}events/cluster`);
    open.push(a);
    expect((await a.next('info')).data.clusterNodes).to.equal(true);
    expect((await a.next('nodes')).data.nodes.map((n: { name: string }) => n.name)).to.deep.equal(['node-1']);
    c.addPeerNode({ location: '127.0.0.1:9806', name: 'node-2', state: 'serving', enabled: true, cpus: 2, cpuLoad: null, freeMemory: null, totalMemory: null, freeDisk: null, lastPulse: null });
    await a.next('nodes', (d) => d.nodes.length === 2);
    await until(() => dash.clients === 1, 5000, 'one stream');
  });

  it('keeps answering while an action waits for the cluster', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    c.closeComputation = async () => {
      await held;
      return true;
    };
    const acting = post(`${dash.url}api/computations/c-1/close`, TOKEN);
    for (let k = 0; k < 3; k++) expect((await http(`${dash.url}api/info`)).status).to.equal(200);
    release();
    expect((await acting).status).to.equal(200);
  });

  it('ends its streams and closes its server when its coroutine is terminated', async () => {
    const a = await SseClient.open(`${dash.url}events`);
    await a.next('info');
    fx.sched.snapshot(); // the coroutine exists: terminate it as an operator would from the page
    const coro = fx.sched.coro(fx.sched.snapshot().coroutines.find((x) => x.name === 'dashboard')!.id)!;
    coro.terminate();
    await until(() => a.closed, 5000, 'the stream ended');
    expect(await http(`${dash.url}api/info`, { headers: { connection: 'close' } }).then(() => 'answered', (e: NodeJS.ErrnoException) => e.code)).to.be.oneOf(['ECONNREFUSED', 'ECONNRESET']);
    await dash.close(); // nothing left to close: resolves
  });
});
