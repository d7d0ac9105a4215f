/**
 * The cluster page (`/cluster`): every node the dashboard's cluster source knows (a discoronode:
 * itself and the nodes it has met; a client: its computation's nodes) with its state, load,
 * computations and jobs, each linking to that node's own dashboard, live over its own event
 * stream (`/events/cluster`). Static markup, its script by URL, nothing inline.
 * @example
 * ```ts
 * log(CLUSTER_HTML.includes('/cluster.js')); // true
 * ```
 * @module
 */

/**
 * The cluster page's HTML.
 * @example
 * ```ts
 * const bytes = Buffer.byteLength(CLUSTER_HTML);
 * ```
 */
export const CLUSTER_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>cluster</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard.css">
<script src="/cluster.js" defer></script>
</head>
<body>
<header class="top">
  <h1 id="title">cluster</h1>
  <nav aria-label="Views">
    <a href="/" id="nav-home">This node's dashboard</a>
  </nav>
  <span id="connection" class="connection" role="status">connecting…</span>
</header>
<main>
<section id="cluster-nodes" aria-labelledby="nodes-title">
  <h2 id="nodes-title">Cluster</h2>
  <dl id="totals" class="counters" aria-label="Cluster totals">
    <div><dt>Nodes</dt><dd id="total-nodes">0</dd></div>
    <div><dt>Serving</dt><dd id="total-serving">0</dd></div>
    <div><dt>CPUs</dt><dd id="total-cpus">0</dd></div>
    <div><dt>Computations</dt><dd id="total-computations">0</dd></div>
    <div><dt>Running jobs</dt><dd id="total-running">0</dd></div>
  </dl>
  <table id="nodes" class="grid">
    <caption>Nodes</caption>
    <thead><tr><th scope="col">Node</th><th scope="col">Location</th><th scope="col">State</th><th scope="col" class="num">CPUs</th><th scope="col" class="num">CPU load</th><th scope="col" class="num">Free memory</th><th scope="col" class="num">Computations</th><th scope="col" class="num">Running</th><th scope="col" class="num">Done</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Last heard</th></tr></thead>
    <tbody></tbody>
  </table>
  <p class="empty" data-for="nodes" hidden>No node is known.</p>
</section>
</main>
</body>
</html>
`;
