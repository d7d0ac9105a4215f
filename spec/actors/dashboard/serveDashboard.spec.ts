/**
 * serveDashboard over real HTTP on an ephemeral port: the page and its headers, the event stream
 * to several clients, the JSON endpoints, /metrics, the actions and their guards, and the
 * secure defaults. The browser's view of the page is serveDashboard.browser.spec.ts.
 */
import { expect } from 'chai';
import { createServer } from 'node:net';
import { DashboardActionError, DashboardBadRequestError, DashboardForbiddenError, DashboardMethodError, DashboardNotFoundError, DashboardUnauthorizedError, InsecureDashboardError } from '../../../actors/dashboard/dashboardErrors.js';
import { serveDashboard, type DashboardHandle } from '../../../actors/dashboard/serveDashboard.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { ListenError } from '../../../transports/io/ioErrors.js';
import { schedulerFixture } from '../../fixtures/index.js';
import { captureLogger, expectError, until } from '../../helpers.js';
import { FakeCluster } from './fixtures/FakeCluster.js';
import { http, post } from './fixtures/http.js';
import { parsePrometheus } from './fixtures/prometheus.js';
import { SseClient } from './fixtures/sseClient.js';

const TOKEN = 'spec-token-0123456789abcdef';

/** A cluster of one node with two servers, one computation and one job running. */
function smallCluster(): FakeCluster {
  const c = new FakeCluster();
  c.addNode('node-1', '127.0.0.1:9706');
  c.addServer('127.0.0.1:9706', '127.0.0.1:9707', 1001);
  c.addServer('127.0.0.1:9706', '127.0.0.1:9708', 1002);
  c.addComputation('c-1', 'render');
  c.startJob('render', [1, { quality: 'high' }], '127.0.0.1:9707');
  return c;
}

describe('serveDashboard (HTTP)', () => {
  const fx = schedulerFixture();
  const open: Array<{ close(): unknown }> = [];
  let dash: DashboardHandle;
  let cluster: FakeCluster;

  async function serve(options: Parameters<typeof serveDashboard>[1] = {}): Promise<DashboardHandle> {
    const d = await serveDashboard(fx.sched, options);
    open.push(d);
    return d;
  }

  beforeEach(async () => {
    cluster = smallCluster();
    dash = await serve({ token: TOKEN, cluster });
  });

  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  describe('the page', () => {
    it('is served with a restrictive Content-Security-Policy and never contains the token', async () => {
      const page = await http(dash.url);
      expect(page.status).to.equal(200);
      expect(page.headers['content-type']).to.match(/^text\/html/);
      const csp = String(page.headers['content-security-policy']);
      expect(csp).to.include("default-src 'none'").and.include("script-src 'self'").and.include("frame-ancestors 'none'").and.not.include('unsafe');
      expect(page.headers['x-content-type-options']).to.equal('nosniff');
      expect(page.body).to.include('<title>asyncoro dashboard</title>').and.not.include(TOKEN);
      expect(page.body).not.to.match(/<script>|<style>| style=| on[a-z]+=/); // nothing inline: the policy would block it
      expect(page.body).not.to.match(/(?:src|href)="(?:https?:)?\/\//); // nothing from another host
    });

    it('serves its script, stylesheet and icon from the package (no CDN), all under the same policy', async () => {
      for (const [path, type] of [['dashboard.js', /^text\/javascript/], ['dashboard.css', /^text\/css/], ['favicon.svg', /^image\/svg\+xml/]] as const) {
        const r = await http(dash.url + path);
        expect(r.status, path).to.equal(200);
        expect(r.headers['content-type'], path).to.match(type);
        expect(r.headers['content-security-policy'], path).to.be.a('string');
        // The icon's only URL is its SVG namespace, which is a name, not a fetch.
        expect(r.body.replace('http://www.w3.org/2000/svg', ''), path).not.to.match(/https?:\/\//);
        expect(r.body, path).not.to.include(TOKEN);
      }
    });

    it('answers an unknown path with 404 and a typed JSON error', async () => {
      const r = await http(`${dash.url}nope`);
      expect(r.status).to.equal(404);
      expect(r.json().error).to.equal(DashboardNotFoundError.CODE);
    });
  });

  describe('the event stream', () => {
    it('sends info, the scheduler and the cluster to each new client, then an update after a state change to two concurrent clients', async () => {
      const a = await SseClient.open(`${dash.url}events`);
      const b = await SseClient.open(`${dash.url}events`);
      open.push(a, b);
      expect(a.status).to.equal(200);
      expect(a.res.headers['content-type']).to.match(/^text\/event-stream/);
      for (const c of [a, b]) {
        expect((await c.next('info')).data).to.deep.equal({ title: 'asyncoro dashboard', cluster: true, threads: false, actions: true, refreshMs: 250, failedJobs: true, clusterNodes: true });
        await c.next('scheduler');
        expect((await c.next('cluster')).data.counts).to.deep.include({ submitted: 1, running: 1 });
      }
      await until(() => dash.clients === 2, 5000, 'two clients');
      // A scheduler change: a new coroutine, seen by both.
      fx.sched.spawnWith({ name: 'newcomer' }, async (coro) => void (await coro.receive()));
      const hasNewcomer = (s: any): boolean => s.coroutines.some((c: any) => c.name === 'newcomer');
      await Promise.all([a.next('scheduler', hasNewcomer), b.next('scheduler', hasNewcomer)]);
      // A cluster change: the job finishes, seen by both.
      cluster.endJob('j-1', 'done');
      const doneOne = (d: any): boolean => d.counts.done === 1 && d.counts.running === 0;
      await Promise.all([a.next('cluster', doneOne), b.next('cluster', doneOne)]);
    });

    it('drops a client that closes, and keeps serving the others', async () => {
      const a = await SseClient.open(`${dash.url}events`);
      const b = await SseClient.open(`${dash.url}events`);
      open.push(a, b);
      await until(() => dash.clients === 2, 5000, 'two clients');
      a.close();
      await until(() => dash.clients === 1, 5000, 'the closed client dropped');
      const from = b.events.length;
      cluster.endJob('j-1', 'failed');
      await b.next('cluster', (d) => d.counts.failed === 1, from);
    });

    it('sends the jobs-per-second history every second', async () => {
      const a = await SseClient.open(`${dash.url}events`);
      open.push(a);
      cluster.endJob('j-1', 'done');
      const { data } = await a.next('rate', (d) => d.jobsPerSecond.includes(1), 0, 5000);
      expect(data.jobsPerSecond.every((n: unknown) => Number.isInteger(n))).to.equal(true);
    });

    it('ends every stream when the dashboard closes, and stops listening to the cluster', async () => {
      const a = await SseClient.open(`${dash.url}events`);
      await a.next('info');
      expect(cluster.subscribers).to.equal(1);
      await dash.close();
      await until(() => a.closed, 5000, 'the stream ended');
      expect(cluster.subscribers).to.equal(0);
      expect(dash.clients).to.equal(0);
    });
  });

  describe('JSON endpoints', () => {
    it('/api/snapshot is scheduler.snapshot()', async () => {
      fx.sched.spawnWith({ name: 'listed' }, async (coro) => void (await coro.receive()));
      const snap = (await http(`${dash.url}api/snapshot`)).json();
      expect(snap.coroutines.map((c: any) => c.name)).to.include('listed');
      expect(snap).to.have.keys('at', 'coroutines', 'locks', 'channels', 'peers', 'counters');
    });

    it('/api/cluster gives nodes, servers, computations, jobs with an argument preview, counts and the rate', async () => {
      const data = (await http(`${dash.url}api/cluster`)).json();
      expect(data.nodes.map((n: any) => n.name)).to.deep.equal(['node-1']);
      expect(data.servers.map((s: any) => s.location)).to.deep.equal(['127.0.0.1:9707', '127.0.0.1:9708']);
      expect(data.computations).to.deep.equal([{ id: 'c-1', name: 'render', state: 'scheduled' }]);
      expect(data.jobs[0]).to.include({ id: 'j-1', fn: 'render', argsPreview: '[1,{"quality":"high"}]', state: 'running' });
      expect(data.jobs[0]).not.to.have.property('args');
      expect(data.counts).to.deep.equal({ submitted: 1, running: 1, done: 0, failed: 0 });
      expect(data.jobsPerSecond).to.be.an('array');
    });

    it('/api/info says what the page offers; /api/cluster is 404 without a cluster', async () => {
      expect((await http(`${dash.url}api/info`)).json()).to.deep.equal({ title: 'asyncoro dashboard', cluster: true, threads: false, actions: true, refreshMs: 250, failedJobs: true, clusterNodes: true });
      const bare = await serve({ title: 'my service' });
      expect((await http(`${bare.url}api/info`)).json()).to.deep.equal({ title: 'my service', cluster: false, threads: false, actions: false, refreshMs: 250, failedJobs: false, clusterNodes: false });
      for (const path of ['api/cluster', 'api/failed-jobs', 'api/nodes', 'events/cluster']) {
        const r = await http(`${bare.url}${path}`);
        expect([r.status, r.json().error], path).to.deep.equal([404, DashboardNotFoundError.CODE]);
      }
    });
  });

  it('/metrics parses as Prometheus text, with the scheduler metrics and the jobs by state', async () => {
    cluster.endJob('j-1', 'done');
    cluster.startJob('render', [2], '127.0.0.1:9708');
    const r = await http(`${dash.url}metrics`);
    expect(r.status).to.equal(200);
    expect(r.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(r.body);
    expect(families.get('asyncoro_coroutines_alive')?.type).to.equal('gauge');
    expect(families.get('asyncoro_messages_sent_total')?.type).to.equal('counter');
    const jobs = families.get('asyncoro_cluster_jobs_total')!;
    expect(jobs.samples.map((s) => [s.labels.state, s.value])).to.deep.equal([['submitted', 2], ['done', 1], ['failed', 0]]);
    expect(families.get('asyncoro_cluster_jobs_running')!.samples[0]!.value).to.equal(1);
    expect(families.get('asyncoro_cluster_servers')!.samples).to.deep.equal([{ name: 'asyncoro_cluster_servers', labels: { state: 'initialized' }, value: 2 }]);
  });

  describe('the token only in a header; an audit line for every action', () => {
    it('a token in the query string is refused with 400, even the right one, and nothing is done; no query string or token is logged, at any level', async () => {
      const { logger, raw } = captureLogger('debug');
      const sched = new Scheduler({ logger });
      try {
        const d = await serveDashboard(sched, { token: TOKEN });
        open.push(d);
        const victim = sched.spawnWith({ name: 'victim' }, async (coro) => void (await coro.receive()));
        const path = `${d.url}api/coroutines/${victim.id}/terminate`;
        for (const url of [`${path}?token=${TOKEN}`, `${path}?access_token=${TOKEN}`, `${d.url}api/info?token=${TOKEN}`, `${d.url}events?auth=${TOKEN}`]) {
          const r = await post(url, url.includes('terminate') ? TOKEN : undefined);
          expect([r.status, r.json().error], url).to.deep.equal([400, DashboardBadRequestError.CODE]);
        }
        expect(victim.isAlive).to.equal(true);
        await post(`${path}?note=hello-query`, 'a-wrong-token-but-long-enough');
        await post(`${path}?note=second-query`);
        const log = raw.join('');
        expect(log).to.include('dashboard request refused');
        for (const leak of [TOKEN, 'a-wrong-token-but-long-enough', 'hello-query', 'second-query', '?token', '?note']) expect(log, leak).to.not.include(leak);
      } finally {
        await sched.terminate();
      }
    });

    it('every action carried out is an audit line at warn: action, target, peer address, time, and no token; so is one that failed', async () => {
      const { logger, lines, raw } = captureLogger('warn');
      const sched = new Scheduler({ logger });
      try {
        const c = smallCluster();
        const d = await serveDashboard(sched, { token: TOKEN, cluster: c });
        open.push(d);
        const victim = sched.spawnWith({ name: 'victim' }, async (coro) => void (await coro.receive()));
        const before = Date.now();
        expect((await post(`${d.url}api/coroutines/${victim.id}/terminate`, TOKEN)).status).to.equal(200);
        expect((await post(`${d.url}api/jobs/j-1/terminate`, TOKEN)).status).to.equal(200);
        expect((await post(`${d.url}api/jobs/nope/terminate`, TOKEN)).status).to.equal(404);
        expect((await post(`${d.url}api/jobs/j-1/terminate`, 'a-wrong-token-but-long-enough')).status).to.equal(403);
        const audit = lines.filter((l) => l.audit === 'dashboard');
        expect(audit.map((l) => [l.level, l.msg, l.action, l.target, l.outcome])).to.deep.equal([
          [40, 'dashboard action', 'terminate', `coroutine ${victim.id}`, 'done'],
          [40, 'dashboard action', 'terminate', 'job j-1', 'done'],
          [40, 'dashboard action failed', 'terminate', 'job nope', DashboardNotFoundError.CODE],
        ]);
        for (const l of audit) {
          expect(l.remote).to.match(/127\.0\.0\.1$/);
          expect(Date.parse(l.at)).to.be.within(before - 1000, Date.now() + 1000);
        }
        expect(raw.join('')).to.not.include(TOKEN).and.not.include('a-wrong-token');
      } finally {
        await sched.terminate();
      }
    });
  });

  describe('actions', () => {
    it('terminate a coroutine: POST with the token; 405 for GET, 401 without a token, 403 with a wrong one', async () => {
      const victim = fx.sched.spawnWith({ name: 'victim' }, async (coro) => void (await coro.receive()));
      const url = `${dash.url}api/coroutines/${victim.id}/terminate`;
      const get = await http(url);
      expect([get.status, get.headers.allow, get.json().error]).to.deep.equal([405, 'POST', DashboardMethodError.CODE]);
      const none = await post(url);
      expect([none.status, none.json().error]).to.deep.equal([401, DashboardUnauthorizedError.CODE]);
      expect(none.headers['www-authenticate']).to.match(/^Bearer/);
      const wrong = await post(url, 'not-the-token-but-long-enough');
      expect([wrong.status, wrong.json().error]).to.deep.equal([403, DashboardForbiddenError.CODE]);
      expect(victim.isAlive).to.equal(true);
      const ok = await post(url, TOKEN);
      expect([ok.status, ok.json()]).to.deep.equal([200, { ok: true, action: `terminate coroutine ${victim.id}` }]);
      await victim.finish().catch(() => undefined);
      expect(victim.isAlive).to.equal(false);
      const again = await post(url, TOKEN);
      expect([again.status, again.json().error]).to.deep.equal([404, DashboardNotFoundError.CODE]);
    });

    it('terminate a job, close a computation, disable and enable a node and a server through the cluster source', async () => {
      const loc = encodeURIComponent('127.0.0.1:9706');
      const srv = encodeURIComponent('127.0.0.1:9708');
      for (const path of ['jobs/j-1/terminate', 'computations/c-1/close', `nodes/${loc}/disable`, `nodes/${loc}/enable`, `servers/${srv}/disable`, `servers/${srv}/enable`]) {
        const r = await post(`${dash.url}api/${path}`, TOKEN);
        expect(r.status, path).to.equal(200);
      }
      expect(cluster.actions).to.deep.equal(['terminateJob j-1', 'closeComputation c-1', 'disableNode 127.0.0.1:9706', 'enableNode 127.0.0.1:9706', 'disableServer 127.0.0.1:9708', 'enableServer 127.0.0.1:9708']);
      expect(cluster.counts()).to.deep.include({ running: 0, failed: 1 });
      const gone = await post(`${dash.url}api/jobs/j-1/terminate`, TOKEN);
      expect([gone.status, gone.json().error]).to.deep.equal([404, DashboardNotFoundError.CODE]);
      expect((await post(`${dash.url}api/nodes/nowhere/disable`, TOKEN)).status).to.equal(404);
    });

    it('a cluster source that fails answers 500 with a typed error; a cluster action without a cluster is 404', async () => {
      cluster.failActions = true;
      const r = await post(`${dash.url}api/jobs/j-1/terminate`, TOKEN);
      expect([r.status, r.json().error]).to.deep.equal([500, DashboardActionError.CODE]);
      expect(r.json().message).to.include('the cluster refused to terminateJob j-1');
      const bare = await serve({ token: TOKEN });
      expect((await post(`${bare.url}api/jobs/j-1/terminate`, TOKEN)).status).to.equal(404);
    });

    it('are refused (403) from another origin, and when the dashboard has no token', async () => {
      const victim = fx.sched.spawnWith({ name: 'victim' }, async (coro) => void (await coro.receive()));
      const cross = await post(`${dash.url}api/coroutines/${victim.id}/terminate`, TOKEN, { origin: 'http://evil.example' });
      expect([cross.status, cross.json().error]).to.deep.equal([403, DashboardForbiddenError.CODE]);
      const own = new URL(dash.url).origin;
      const bare = await serve();
      const noToken = await post(`${bare.url}api/coroutines/${victim.id}/terminate`, TOKEN, { origin: new URL(bare.url).origin });
      expect([noToken.status, noToken.json().error]).to.deep.equal([403, DashboardForbiddenError.CODE]);
      expect(victim.isAlive).to.equal(true);
      expect((await post(`${dash.url}api/coroutines/${victim.id}/terminate`, TOKEN, { origin: own })).status).to.equal(200);
    });

    it('pages and data take GET only (405 with Allow), and an unknown action is 404', async () => {
      for (const path of ['', 'api/snapshot', 'metrics', 'events']) {
        const r = await post(dash.url + path, TOKEN);
        expect([r.status, r.headers.allow], path).to.deep.equal([405, 'GET, HEAD']);
      }
      expect((await post(`${dash.url}api/coroutines/1/explode`, TOKEN)).status).to.equal(404);
      expect((await post(`${dash.url}api/coroutines/abc/terminate`, TOKEN)).status).to.equal(404);
    });
  });

  describe('secure by default', () => {
    it('listens on 127.0.0.1 unless told otherwise', () => {
      expect(new URL(dash.url).hostname).to.equal('127.0.0.1');
    });

    it('refuses to listen beyond loopback without a token (InsecureDashboardError), and does with one', async () => {
      await expectError(() => serveDashboard(fx.sched, { host: '0.0.0.0' }), InsecureDashboardError);
      const wide = await serve({ host: '0.0.0.0', token: TOKEN });
      expect((await http(`http://127.0.0.1:${wide.port}/api/info`)).status).to.equal(200);
    });

    it('answers only the host names it serves (a DNS-rebinding page gets 403)', async () => {
      const r = await http(`${dash.url}api/snapshot`, { headers: { host: `attacker.example:${dash.port}` } });
      expect([r.status, r.json().error]).to.deep.equal([403, DashboardForbiddenError.CODE]);
      expect((await http(`${dash.url}api/info`, { headers: { host: `localhost:${dash.port}` } })).status).to.equal(200);
      const named = await serve({ allowedHosts: ['dash.internal'] });
      expect((await http(`${named.url}api/info`, { headers: { host: `dash.internal:${named.port}` } })).status).to.equal(200);
    });

    it('rejects bad options with InvalidArgumentError, never echoing the token', async () => {
      const bad: unknown[] = [{ port: -1 }, { port: 1.5 }, { host: '' }, { token: 'short' }, { token: 'has spaces in it, long enough' }, { token: 42 }, { refreshMs: 0 }, { cluster: { nodes: () => [] } }, { allowedHosts: [''] }, { readiness: 'yes' }, { title: '' }, { title: 'x'.repeat(121) }, 'x'];
      for (const options of bad) {
        const err = await expectError(() => serveDashboard(fx.sched, options as never), InvalidArgumentError);
        expect(err.message).not.to.include('has spaces');
      }
      await expectError(() => serveDashboard({} as Scheduler), InvalidArgumentError);
    });

    it('a port in use is a ListenError', async () => {
      const err = await expectError(() => serveDashboard(fx.sched, { port: dash.port }), ListenError);
      expect(err.message).to.include(String(dash.port));
    });
  });

  it('closes with the scheduler, and with `await using`', async () => {
    const sched = new Scheduler();
    const d = await serveDashboard(sched);
    await sched.terminate();
    const refused = await http(`${d.url}api/info`).then(() => 'answered', (err: NodeJS.ErrnoException) => err.code);
    expect(refused).to.equal('ECONNREFUSED');
    let port = 0;
    {
      await using scoped = await serveDashboard(fx.sched);
      port = scoped.port;
    }
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    expect(free).to.equal(true);
  });
});
