/**
 * The files of the dashboard's pages, by URL path: the main page and the cluster page, each with
 * one script (its parts in one strict-mode function, so that nothing leaks into the page's
 * globals), the stylesheet and the icon. Everything ships inside the package: nothing comes from a CDN and the page works offline.
 * @example
 * ```ts
 * const page = PAGE_ASSETS.get('/');
 * log(page?.contentType); // text/html; charset=utf-8
 * ```
 * @module
 */
import { CLUSTER_HTML } from './clusterPageHtml.js';
import { FAVICON_SVG, PAGE_HTML } from './pageHtml.js';
import { PAGE_CSS } from './pageStyle.js';
import { SCRIPT_CLUSTER } from './scriptCluster.js';
import { SCRIPT_CORE } from './scriptCore.js';
import { SCRIPT_VIEWS } from './scriptViews.js';

/**
 * One file of the page.
 * @example
 * ```ts
 * const a: PageAsset = { contentType: 'text/plain; charset=utf-8', body: 'hello' };
 * ```
 */
export interface PageAsset {
  contentType: string;
  body: string;
}

/**
 * The page's files by path.
 * @example
 * ```ts
 * log([...PAGE_ASSETS.keys()]); // ['/', '/index.html', '/dashboard.js', '/cluster', '/cluster.js', '/dashboard.css', '/favicon.svg']
 * ```
 */
export const PAGE_ASSETS: ReadonlyMap<string, PageAsset> = new Map([
  ['/', { contentType: 'text/html; charset=utf-8', body: PAGE_HTML }],
  ['/index.html', { contentType: 'text/html; charset=utf-8', body: PAGE_HTML }],
  ['/dashboard.js', { contentType: 'text/javascript; charset=utf-8', body: `(function () {\n'use strict';\n${SCRIPT_CORE}\n${SCRIPT_VIEWS}\n})();\n` }],
  ['/cluster', { contentType: 'text/html; charset=utf-8', body: CLUSTER_HTML }],
  ['/cluster.js', { contentType: 'text/javascript; charset=utf-8', body: `(function () {\n'use strict';\n${SCRIPT_CORE}\n${SCRIPT_CLUSTER}\n})();\n` }],
  ['/dashboard.css', { contentType: 'text/css; charset=utf-8', body: PAGE_CSS }],
  ['/favicon.svg', { contentType: 'image/svg+xml', body: FAVICON_SVG }],
]);
