/**
 * Takes the README's picture of the dashboard: serves the browser spec's dashboard (a scheduler
 * with coroutines and a fake cluster of 1 node and 2 servers with jobs running) from a child
 * process, opens it in the system's Chromium, waits until the sparkline has ten seconds of
 * history, and saves the page to docs/dashboard.png (or the path given as the first argument).
 *
 *   npx tsc -p . && node dist/spec/actors/dashboard/screenshot.js [out.png]
 * @module
 */
import path from 'node:path';
import { ROOT } from '../../sourceText.js';
import { findChromium, launchChromium } from './fixtures/browser.js';
import { DashboardProcess } from './fixtures/DashboardProcess.js';

const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'docs', 'dashboard.png'));
const executable = findChromium();
if (executable === undefined) {
  console.error('no chromium on the PATH: apt-get install -y chromium');
  process.exit(1);
}
const proc = await DashboardProcess.start('screenshot-token-0123456789abcdef');
const chrome = await launchChromium(executable);
try {
  const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(proc.url);
  await page.waitForFunction(() => (document.querySelector('#sparkline polyline')?.getAttribute('points') ?? '').split(' ').length >= 10, undefined, { timeout: 30_000 });
  await page.screenshot({ path: out, fullPage: true });
  console.log(`saved ${out}`);
} finally {
  await chrome.close();
  await proc.kill();
}

/** The DOM the page function uses (the specs compile without the DOM library). */
declare const document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
