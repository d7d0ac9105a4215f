/**
 * The dashboard's scheduler view as a person sees it, in a real browser: the system's Chromium
 * driven by playwright-core, against a dashboard served by a child process
 * (fixtures/dashboardMain.ts: a scheduler with coroutines in every state, a lock and a channel;
 * it also serves a fake cluster, for the README's screenshot). The cluster view is driven against
 * a real discoronode by spec/bin/discoronode.browser.spec.ts.
 * Without a chromium (`which chromium`) the spec says why and is skipped, unless CI=true, where
 * it fails: CI installs it (.ci/run).
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Dialog, Locator, Page } from 'playwright-core';
import { until } from '../../helpers.js';
import { eventually, findChromium, jobCount, launchChromium, tableRows } from './fixtures/browser.js';
import { DashboardProcess } from './fixtures/DashboardProcess.js';

const TOKEN = 'browser-spec-token-0123456789';

/**
 * The bit of the DOM the functions run in the page use: the specs compile without the DOM library,
 * and a page function given as text would be an eval, which the dashboard's policy forbids.
 */
declare const document: { getElementById(id: string): { textContent: string | null } | null; querySelector(selector: string): unknown };


const count = jobCount;
const rows = tableRows;

describe('serveDashboard in a real browser', function () {
  this.timeout(60_000);
  const executable = findChromium();
  let proc: DashboardProcess | undefined;
  let chrome: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let page: Page;
  let tmp: string | undefined;
  let failed = false;
  const errors: string[] = [];
  const dialogs: string[] = [];
  const requests: Array<{ url: string; method: string; authorization: string | undefined }> = [];

  before(async function () {
    if (executable === undefined) {
      if (process.env.CI === 'true') throw new Error('CI=true but no chromium on the PATH (`which chromium` found none): .ci/run installs it with apt-get install -y chromium');
      console.log('      (skipped: no chromium on the PATH; `apt-get install -y chromium` to run the browser spec)');
      this.skip();
    }
    tmp = mkdtempSync(path.join(tmpdir(), 'asyncoro-dashboard-browser-'));
    proc = await DashboardProcess.start(TOKEN, 15_000, 'debug');
    chrome = await launchChromium(executable);
    page = await chrome.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), authorization: r.headers().authorization }));
    await page.goto(proc.url);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });

  after(async () => {
    await chrome?.close();
    await proc?.kill();
    // A failed run keeps its screenshots for a look.
    if (tmp !== undefined && !failed) rmSync(tmp, { recursive: true, force: true });
    else if (tmp !== undefined) console.log(`      (screenshots kept in ${tmp})`);
  });

  it('shows the scheduler: a row per coroutine, live, sortable by mailbox depth', async () => {
    await eventually(() => page.locator('#connection').textContent(), (t) => t === 'live', 10_000, 'the live indicator');
    const coroutines = rows(page, 'Coroutines');
    await eventually(() => coroutines.count(), (n) => n >= 7, 10_000, 'coroutine rows');
    expect(await coroutines.filter({ hasText: 'lock-waiter' }).textContent()).to.include('waiting').and.include('Lock');
    await page.getByRole('button', { name: 'Mailbox' }).click();
    const names = async (): Promise<string[]> => coroutines.locator('th').allTextContents();
    expect((await names()).slice(0, 2)).to.deep.equal(['inbox', 'busy']); // 7 and 3 messages queued
    expect(await page.locator('#coroutines thead th', { hasText: 'Mailbox' }).getAttribute('aria-sort')).to.equal('descending');
    await page.getByRole('button', { name: 'Mailbox' }).click();
    expect((await names()).slice(-2)).to.deep.equal(['busy', 'inbox']);
    await page.getByRole('button', { name: 'Age' }).click();
    expect(await page.locator('#coroutines thead th', { hasText: 'Age' }).getAttribute('aria-sort')).to.equal('descending');
    expect(await rows(page, 'Channels').textContent()).to.include('news');
    expect(await rows(page, 'Locks held').textContent()).to.include('lock-holder');
  });

  it('terminates a coroutine with the token, after the person confirms; without a token it asks for one; a dismissed dialog does nothing', async () => {
    const onDialog = (answer: 'accept' | 'dismiss') => (d: Dialog): void => {
      dialogs.push(d.message());
      void (answer === 'accept' ? d.accept() : d.dismiss());
    };
    const victim = rows(page, 'Coroutines').filter({ hasText: 'victim' });
    // No token typed in yet: the page asks for it and sends nothing.
    await victim.getByRole('button', { name: 'Terminate' }).click();
    expect(await page.getByRole('alert').textContent()).to.include('Enter the token first');
    const field = page.getByLabel('Token');
    expect(await field.getAttribute('type')).to.equal('password');
    await field.fill(TOKEN);
    // Dismissed: nothing happens.
    page.once('dialog', onDialog('dismiss'));
    await rows(page, 'Coroutines').filter({ hasText: 'busy' }).getByRole('button', { name: 'Terminate' }).click();
    await until(() => dialogs.length === 1, 5000, 'the confirm dialog');
    expect(dialogs[0]).to.match(/^Terminate coroutine \d+ \(busy\)\?$/);
    // Accepted: the coroutine ends, the page says so and the row goes.
    page.once('dialog', onDialog('accept'));
    await victim.getByRole('button', { name: 'Terminate' }).click();
    await eventually(() => page.getByRole('alert').textContent(), (t) => /^Coroutine \d+ \(victim\) terminated\.$/.test(t ?? ''), 5000, 'the confirmation');
    await eventually(() => victim.count(), (n) => n === 0, 5000, 'the victim row gone');
    const after = await proc!.command('state');
    expect(after.coroutines).not.to.include('victim');
    expect(after.coroutines).to.include('busy');
    expect(after.actions).to.deep.equal([]);
    // The page holds the token in the field only: it is not in the document.
    expect(await page.content()).not.to.include(TOKEN);
    // Enter in the field submits nothing: the page stays where it is, with no query string.
    await field.press('Enter');
    expect(page.url()).to.equal(proc!.url);
    // The token travelled in the Authorization header of the action, never in a URL.
    expect(requests.some((r) => r.url.includes(TOKEN) || r.url.includes('?'))).to.equal(false);
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.authorization)).to.deep.equal([`Bearer ${TOKEN}`]);
    // The dashboard's log (at debug) has the audit line at warn, and never the token.
    await until(() => proc!.stderr.some((l) => l.includes('"audit":"dashboard"')), 5000, 'the audit line');
    const audit = JSON.parse(proc!.stderr.find((l) => l.includes('"audit":"dashboard"'))!) as Record<string, unknown>;
    expect(audit).to.deep.include({ level: 40, msg: 'dashboard action', action: 'terminate', outcome: 'done' });
    expect(audit.target).to.match(/^coroutine \d+$/);
    expect(audit.remote).to.match(/127\.0\.0\.1$/);
    expect(proc!.stderr.join('\n')).to.not.include(TOKEN);
  });

  it('shows each worker thread and the coroutines on it', async () => {
    await eventually(() => page.locator('#threads').isHidden(), (hidden) => !hidden, 10_000, 'the threads section');
    const threadRows = rows(page, 'Worker threads');
    await eventually(() => threadRows.count(), (n) => n === 2, 10_000, 'two thread rows');
    expect(await threadRows.first().textContent()).to.match(/thread-1\.[0-9a-f]{8}up/);
    const onThreads = rows(page, 'Coroutines on the threads');
    await eventually(() => onThreads.allTextContents(), (t) => t.some((r) => r.includes('thread-counter')) && t.some((r) => r.includes('thread-service')), 10_000, 'the coroutines of both threads');
    expect(await onThreads.filter({ hasText: 'thread-service' }).textContent()).to.match(/^thread-2\./);
  });

  it('terminates a coroutine on a thread with the token, after the person confirms: it goes from the threads view', async () => {
    const onThreads = rows(page, 'Coroutines on the threads');
    const victim = onThreads.filter({ hasText: 'thread-counter' });
    await eventually(() => victim.count(), (n) => n === 1, 10_000, 'the thread-counter row');
    await page.getByLabel('Token').fill(TOKEN);
    page.once('dialog', (d: Dialog) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await victim.getByRole('button', { name: 'Terminate' }).click();
    await until(() => dialogs.some((d) => d.includes('thread-counter')), 5000, 'the confirm dialog');
    expect(dialogs.at(-1)).to.match(/^Terminate coroutine \d+ \(thread-counter\) on thread-1\.[0-9a-f]{8}\?$/);
    await eventually(() => page.getByRole('alert').textContent(), (t) => /^Terminated coroutine \d+ \(thread-counter\) on thread-1\.[0-9a-f]{8}\.$/.test(t ?? ''), 5000, 'the confirmation');
    await eventually(() => victim.count(), (n) => n === 0, 10_000, 'the thread-counter row gone');
    expect(await onThreads.filter({ hasText: 'thread-service' }).count()).to.equal(1);
    await until(() => proc!.stderr.some((l) => l.includes('"audit":"dashboard"') && l.includes('thread-coroutine')), 5000, 'the audit line');
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.url).at(-1)).to.match(/\/api\/thread-coroutines\/1%3A[0-9a-f]+%3A\d+\/terminate$/);
  });

  it('logs no console error, and a screenshot is saved', async () => {
    const file = path.join(tmp!, 'dashboard.png');
    await page.screenshot({ path: file, fullPage: true });
    const png = readFileSync(file);
    expect(png.subarray(0, 8).toString('hex')).to.equal('89504e470d0a1a0a');
    expect(png.length).to.be.greaterThan(10_000);
    expect(errors).to.deep.equal([]);
  });
});
