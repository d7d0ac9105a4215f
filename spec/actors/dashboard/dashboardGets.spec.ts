/**
 * The dashboard's GET answers over real HTTP: the probes /healthz and /readyz (status codes a
 * Kubernetes probe reads, any Host header), /metrics with the process's metrics beside the
 * scheduler's and the cluster's, /api/process, /api/failed-jobs and /api/nodes, HEAD.
 */
import { expect } from 'chai';
import { DashboardForbiddenError, DashboardMethodError } from '../../../actors/dashboard/dashboardErrors.js';
import { serveDashboard, type DashboardHandle } from '../../../actors/dashboard/serveDashboard.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { schedulerFixture } from '../../fixtures/index.js';
import { oneNodeCluster as cluster } from './fixtures/FakeCluster.js';
import { http, post } from './fixtures/http.js';
import { parsePrometheus } from './fixtures/prometheus.js';

describe('dashboardGets: probes, metrics and the JSON endpoints', () => {
  const fx = schedulerFixture();
  const open: DashboardHandle[] = [];
  const serve = async (options: Parameters<typeof serveDashboard>[1] = {}): Promise<DashboardHandle> => {
    const d = await serveDashboard(fx.sched, options);
    open.push(d);
    return d;
  };
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
  });

  describe('/healthz and /readyz', () => {
    it('answer 200 while the scheduler runs; without a readiness check, ready means running', async () => {
      const d = await serve();
      const alive = await http(`${d.url}healthz`);
      expect([alive.status, alive.json().status, alive.json().pid]).to.deep.equal([200, 'alive', process.pid]);
      expect(alive.json().uptimeMs).to.be.a('number');
      expect((await http(`${d.url}readyz`)).json()).to.deep.equal({ status: 'ready', reason: 'running' });
    });

    it('/readyz follows the readiness check: 503 with its reason when not ready, 503 when the check throws', async () => {
      let state: unknown = { ready: false, reason: 'outside service window, next start 08:00' };
      const d = await serve({ readiness: () => {
        if (state instanceof Error) throw state;
        return state as { ready: boolean; reason: string };
      } });
      let r = await http(`${d.url}readyz`);
      expect([r.status, r.json()]).to.deep.equal([503, { status: 'not ready', reason: 'outside service window, next start 08:00' }]);
      state = { ready: true, reason: 'serving' };
      r = await http(`${d.url}readyz`);
      expect([r.status, r.json()]).to.deep.equal([200, { status: 'ready', reason: 'serving' }]);
      state = new Error('broken check');
      r = await http(`${d.url}readyz`);
      expect([r.status, r.json()]).to.deep.equal([503, { status: 'not ready', reason: 'the readiness check failed: broken check' }]);
      expect((await http(`${d.url}healthz`)).status).to.equal(200); // alive all along
    });

    it('answer any Host header (a probe names the pod\'s address), which other paths refuse; HEAD works, POST does not', async () => {
      const d = await serve({ allowedHosts: ['dash.internal'] });
      for (const path of ['healthz', 'readyz']) {
        expect((await http(`${d.url}${path}`, { headers: { host: `10.1.2.3:${d.port}` } })).status, path).to.equal(200);
        const head = await http(`${d.url}${path}`, { method: 'HEAD' });
        expect([head.status, head.body], path).to.deep.equal([200, '']);
        const p = await post(`${d.url}${path}`);
        expect([p.status, p.json().error], path).to.deep.equal([405, DashboardMethodError.CODE]);
      }
      const other = await http(`${d.url}api/info`, { headers: { host: `10.1.2.3:${d.port}` } });
      expect([other.status, other.json().error]).to.deep.equal([403, DashboardForbiddenError.CODE]);
    });

    it('a dashboard whose scheduler stops answers no more', async () => {
      const sched = new Scheduler();
      const d = await serveDashboard(sched);
      expect((await http(`${d.url}healthz`, { headers: { connection: 'close' } })).status).to.equal(200);
      await sched.terminate();
      expect(await http(`${d.url}healthz`).then(() => 'answered', (e: NodeJS.ErrnoException) => e.code)).to.equal('ECONNREFUSED');
    });
  });

  it('/metrics adds the process: CPU, RSS, heap, event-loop delay, GC by kind, active resources, open file descriptors', async () => {
    const d = await serve({ cluster: cluster() });
    const families = parsePrometheus((await http(`${d.url}metrics`)).body);
    for (const name of ['process_cpu_user_seconds_total', 'process_cpu_system_seconds_total']) expect(families.get(name)?.type, name).to.equal('counter');
    for (const name of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes', 'nodejs_external_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_lag_mean_seconds', 'nodejs_eventloop_lag_max_seconds', 'nodejs_active_resources_total', 'process_open_fds']) {
      expect(families.get(name)?.type, name).to.equal('gauge');
    }
    expect(families.get('process_resident_memory_bytes')!.samples[0]!.value).to.be.greaterThan(10 * 1024 * 1024);
    expect(families.get('nodejs_gc_runs_total')?.type).to.equal('counter');
    const handles = families.get('nodejs_active_resources')!.samples;
    expect(handles.some((s) => s.labels.type === 'TCPServerWrap'), JSON.stringify(handles)).to.equal(true); // the dashboard's own server
    // The scheduler's and the cluster's families are still there.
    expect(families.has('asyncoro_coroutines_alive')).to.equal(true);
    expect(families.has('asyncoro_cluster_jobs_total')).to.equal(true);
  });

  it('/api/process is the process sample; the dashboard\'s own coroutine shows in /api/snapshot', async () => {
    const d = await serve();
    const p = (await http(`${d.url}api/process`)).json();
    expect(p.pid).to.equal(process.pid);
    expect(p.rss).to.be.greaterThan(0);
    expect(p.loopDelay).to.have.keys('mean', 'p50', 'p99', 'max', 'windowMs');
    const snap = (await http(`${d.url}api/snapshot`)).json();
    expect(snap.coroutines.find((c: { name: string }) => c.name === 'dashboard')).to.deep.include({ daemon: true });
  });

  it('/api/failed-jobs lists what the source keeps, oldest first, bounded by it', async () => {
    const c = cluster();
    const d = await serve({ cluster: c });
    expect((await http(`${d.url}api/failed-jobs`)).json()).to.deep.equal({ jobs: [] });
    for (let k = 0; k < 7; k++) c.failJob(c.startJob('render', [k], '127.0.0.1:9707').id, new RangeError(`bad frame ${k}`));
    const jobs = (await http(`${d.url}api/failed-jobs`)).json().jobs as Array<Record<string, any>>;
    expect(jobs.map((j) => j.error.message)).to.deep.equal(['bad frame 2', 'bad frame 3', 'bad frame 4', 'bad frame 5', 'bad frame 6']);
    expect(jobs[0]).to.deep.include({ fn: 'render', argsPreview: '[2]', computation: 'c-1', computationName: 'render', server: '127.0.0.1:9707' });
    expect(jobs[0]!.error.name).to.equal('RangeError');
    expect(jobs[0]!.error.stack).to.include('RangeError: bad frame 2');
  });

  it('/api/nodes lists every node the source knows, counting the running jobs where the source has no counts', async () => {
    const c = cluster();
    c.startJob('render', [1], '127.0.0.1:9707');
    c.addPeerNode({ location: '127.0.0.1:9806', name: 'node-2', state: 'serving', enabled: true, cpus: 4, cpuLoad: 3, freeMemory: 1, totalMemory: 2, freeDisk: 3, lastPulse: Date.now(), dashboard: 'http://127.0.0.1:9900/', computations: 1, jobs: { running: 2, done: 5, failed: 1 } });
    const d = await serve({ cluster: c });
    const { nodes } = (await http(`${d.url}api/nodes`)).json() as { nodes: Array<Record<string, any>> };
    expect(nodes.map((n) => [n.name, n.self ?? false, n.jobs])).to.deep.equal([
      ['node-1', true, { running: 1, done: -1, failed: -1 }],
      ['node-2', false, { running: 2, done: 5, failed: 1 }],
    ]);
    expect(nodes[1]!.dashboard).to.equal('http://127.0.0.1:9900/');
  });

  it('serves the cluster page and its script under the same policy', async () => {
    const d = await serve({ cluster: cluster() });
    const page = await http(`${d.url}cluster`);
    expect(page.status).to.equal(200);
    expect(page.body).to.include('<script src="/cluster.js" defer></script>').and.not.match(/<script>|<style>| style=| on[a-z]+=/);
    const script = await http(`${d.url}cluster.js`);
    expect([script.status, script.headers['content-type']]).to.deep.equal([200, 'text/javascript; charset=utf-8']);
    expect(String(page.headers['content-security-policy'])).to.include("default-src 'none'");
  });
});
