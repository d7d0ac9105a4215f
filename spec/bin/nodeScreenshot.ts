/**
 * Takes the README's picture of the dashboard: a real discoronode with 2 servers, a computation
 * in this process keeping both busy with jobs (one async job waiting, one failed), opened in the
 * system's Chromium; it waits until the jobs-per-second sparkline has ten seconds of history and
 * saves the page to docs/dashboard.png (or the path given as the first argument).
 *
 *   npx tsc -p . && node dist/spec/bin/nodeScreenshot.js [out.png]
 * @module
 */
import path from 'node:path';
import { ROOT } from '../sourceText.js';
import { findChromium, launchChromium } from '../actors/dashboard/fixtures/browser.js';
import { discoroFixture, WORK } from '../actors/discoro/discoroFixture.js';

const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'docs', 'dashboard.png'));
const executable = findChromium();
if (executable === undefined) {
  console.error('no chromium on the PATH: apt-get install -y chromium');
  process.exit(1);
}
const fx = discoroFixture();
let running = true;
const loops: Array<Promise<void>> = [];
try {
  const node = await fx.node(['--dashboard-token', 'screenshot-token-0123456789abcdef']);
  const url = /dashboard at (\S+)/.exec(await node.line(/dashboard at/))![1]!;
  const work = fx.component('work.mjs', WORK);
  const computation = fx.computation({ name: 'render frames', components: [work], nodes: [node.location] });
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no server within 30 s');
  const loop = async (k: number): Promise<void> => {
    // Bounded: at most 2,000 jobs per loop, far more than the ten seconds the picture waits for.
    for (let i = 0; i < 2000 && running; i++) await computation.runResult('compute', i, 200 + 100 * k).catch(() => undefined);
  };
  loops.push(loop(0), loop(1));
  await computation.runAsync('forever');
  await computation.runResult('fail', 'frame 7 is corrupt').catch(() => undefined); // one in the failed-job history
  const chrome = await launchChromium(executable);
  try {
    const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(url);
    await page.waitForFunction(() => (document.querySelector('#sparkline polyline')?.getAttribute('points') ?? '').split(' ').length >= 10, undefined, { timeout: 60_000 });
    await page.screenshot({ path: out, fullPage: true });
    console.log(`saved ${out}`);
  } finally {
    await chrome.close();
  }
} finally {
  running = false;
  await Promise.all(loops);
  await fx.cleanup();
}

/** The DOM the page function uses (the specs compile without the DOM library). */
declare const document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
