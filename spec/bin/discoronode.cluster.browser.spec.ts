/**
 * The cluster page in a real browser (the system's Chromium through playwright-core) against two
 * real discoronode processes, the second seeded with the first: one page lists both nodes with
 * their state, load and jobs, links to each node's own dashboard and follows them live (a job
 * started on the other node, that node going away). A client's `clusterSource()` gets the same
 * page for its computation's nodes. Without a chromium the spec says why and is skipped, unless
 * CI=true, where it fails.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { Computation } from '../../actors/discoro/client/Computation.js';
import { serveDashboard, type DashboardHandle } from '../../actors/dashboard/serveDashboard.js';
import { eventually, findChromium, launchChromium, tableRows } from '../actors/dashboard/fixtures/browser.js';
import { discoroFixture, WORK, type NodeProcess } from '../actors/discoro/discoroFixture.js';

describe('the cluster page in a real browser, against two discoronode processes', function () {
  this.timeout(90_000);
  const executable = findChromium();
  const fx = discoroFixture();
  let a: NodeProcess;
  let b: NodeProcess;
  let urlA: string;
  let urlB: string;
  let computation: Computation;
  let clientDash: DashboardHandle | undefined;
  let chrome: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let page: Page;
  const errors: string[] = [];
  const dashboardOf = async (p: NodeProcess): Promise<string> => /^dashboard at (\S+)/.exec(await p.line(/^dashboard at /))![1]!;
  const row = (name: string) => tableRows(page, 'Nodes').filter({ hasText: name });

  before(async function () {
    if (executable === undefined) {
      if (process.env.CI === 'true') throw new Error('CI=true but no chromium on the PATH (`which chromium` found none): .ci/run installs it with apt-get install -y chromium');
      console.log('      (skipped: no chromium on the PATH; `apt-get install -y chromium` to run the browser spec)');
      this.skip();
    }
    a = await fx.node();
    b = await fx.node(['--peer', a.location]);
    [urlA, urlB] = [await dashboardOf(a), await dashboardOf(b)];
    computation = fx.computation({ components: [fx.component('work.mjs', WORK)], nodes: [b.location], name: 'on node 2' });
    computation.clusterSource(); // before schedule(): it sees the nodes as they are discovered
    expect(await computation.schedule({ timeout: 15_000 })).to.equal(true);
    chrome = await launchChromium(executable!);
    page = await chrome.browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
  });

  after(async () => {
    await clientDash?.close();
    await chrome?.close();
    await fx.cleanup(); // the computation closed, the nodes and their servers killed by pid
  });

  it("lists every node a node knows, itself first, with state, CPUs, load and jobs, each linking to that node's dashboard", async () => {
    await page.goto(`${urlA}cluster`);
    await eventually(() => page.locator('#connection').textContent(), (t) => t === 'live', 10_000, 'the live indicator');
    await eventually(() => tableRows(page, 'Nodes').count(), (n) => n === 2, 10_000, 'two node rows');
    expect(await page.title()).to.equal(`cluster · discoronode ${a.name}`);
    const [self, other] = [row(a.name), row(b.name)];
    expect(await self.getAttribute('class')).to.include('self');
    expect(await self.textContent()).to.include(a.location).and.include('serving');
    expect(await other.textContent()).to.include(b.location).and.include('serving');
    await eventually(() => other.textContent(), (t) => /\d+\.\d %/.test(t ?? ''), 10_000, "node 2's load");
    expect(await self.getByRole('link', { name: a.name }).getAttribute('href')).to.equal(urlA);
    expect(await other.getByRole('link', { name: b.name }).getAttribute('href')).to.equal(urlB);
    expect(await page.locator('#total-nodes').textContent()).to.equal('2');
    expect(await page.locator('#total-cpus').textContent()).to.equal('4');
  });

  it('follows the other node live: a job started there shows in its running count', async () => {
    const running = (): Promise<string> => row(b.name).locator('td').nth(6).textContent().then((t) => t ?? '');
    expect(await running()).to.equal('0');
    const job = await computation.runAsync('forever');
    if (job === false) throw new Error('no server');
    await eventually(running, (t) => t === '1', 10_000, "node 2's running job");
    await eventually(() => page.locator('#total-running').textContent(), (t) => t === '1', 5000, 'the total');
    expect(await row(b.name).locator('td').nth(5).textContent()).to.equal('1'); // one computation there
    await job.terminate();
  });

  it("the link opens the other node's own dashboard, with its computation", async () => {
    await row(b.name).getByRole('link', { name: b.name }).click();
    await page.waitForURL(urlB);
    await eventually(() => tableRows(page, 'Computations').textContent(), (t) => (t ?? '').includes('on node 2'), 10_000, "node 2's computation");
    expect(await page.title()).to.equal(`discoronode ${b.name}`);
    // Its own Cluster link leads back to a cluster page, from its side.
    await page.getByRole('link', { name: 'Cluster' }).click();
    await eventually(() => tableRows(page, 'Nodes').count(), (n) => n === 2, 10_000, 'two node rows seen from node 2');
    expect(await tableRows(page, 'Nodes').first().textContent()).to.include(b.name);
  });

  it("a client's clusterSource() gets the page too: its computation's nodes, linking to their dashboards", async () => {
    clientDash = await serveDashboard(computation.scheduler, { cluster: computation.clusterSource() });
    await page.goto(`${clientDash.url}cluster`);
    await eventually(() => tableRows(page, 'Nodes').count(), (n) => n === 1, 10_000, "the computation's node");
    expect(await row(b.name).getByRole('link', { name: b.name }).getAttribute('href')).to.equal(urlB);
  });

  it('a node that goes away shows disconnected on the page, live', async () => {
    await page.goto(`${urlA}cluster`);
    await eventually(() => tableRows(page, 'Nodes').count(), (n) => n === 2, 10_000, 'two node rows');
    await computation.close({ terminate: true, timeout: 5000 });
    process.kill(b.pid, 'SIGINT');
    expect(await b.exited(15_000)).to.equal(0);
    await eventually(() => row(b.name).textContent(), (t) => (t ?? '').includes('disconnected'), 15_000, 'node 2 disconnected');
    expect(errors).to.deep.equal([]);
  });
});
