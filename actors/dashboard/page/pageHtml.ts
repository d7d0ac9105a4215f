/**
 * The dashboard's main page: static markup (no data: the script fills it in from the event
 * stream), its stylesheet and script by URL, nothing inline, so that the Content-Security-Policy
 * can forbid inline code. With a cluster its jobs come first (counts, nodes, servers,
 * computations by name, running and failed jobs), then this process's coroutines; a panel with
 * nothing to show is hidden. The token field is a password field the person fills in; the page
 * never receives the token. Its fields have no names and the form posts (and the policy forbids
 * any form action): the token can never end up in a URL, only in the Authorization header.
 * @example
 * ```ts
 * log(PAGE_HTML.includes('<title>asyncoro dashboard</title>')); // true
 * ```
 * @module
 */

/**
 * The page's HTML.
 * @example
 * ```ts
 * const bytes = Buffer.byteLength(PAGE_HTML);
 * ```
 */
export const PAGE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>asyncoro dashboard</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
</head>
<body>
<header class="top">
  <h1 id="title">asyncoro <span class="sub">dashboard</span></h1>
  <nav aria-label="Views">
    <a href="#cluster" id="nav-cluster" hidden>Jobs</a>
    <a href="#scheduler">Coroutines</a>
    <a href="/cluster" id="nav-nodes" hidden>Cluster</a>
    <a href="#threads" id="nav-threads" hidden>Threads</a>
  </nav>
  <span id="process" class="process" aria-label="This process"></span>
  <span id="connection" class="connection" role="status">connecting…</span>
  <form id="token-form" class="token" method="post" autocomplete="off">
    <input type="text" value="dashboard" autocomplete="username" hidden>
    <label>Token <input type="password" id="token" autocomplete="off" placeholder="needed for actions" size="22"></label>
  </form>
</header>
<div id="message" class="message" role="alert" hidden></div>
<main>
<section id="cluster" aria-labelledby="cluster-title" hidden>
  <h2 id="cluster-title">Nodes and jobs</h2>
  <div class="summary">
    <dl id="job-counts" class="counters" aria-label="Jobs">
      <div><dt>Submitted</dt><dd id="jobs-submitted">0</dd></div>
      <div><dt>Running</dt><dd id="jobs-running">0</dd></div>
      <div><dt>Done</dt><dd id="jobs-done">0</dd></div>
      <div><dt>Failed</dt><dd id="jobs-failed">0</dd></div>
    </dl>
    <figure class="spark">
      <svg id="sparkline" viewBox="0 0 240 48" width="240" height="48" role="img" aria-label="Jobs per second"><polyline points=""></polyline></svg>
      <figcaption id="rate-caption">jobs per second</figcaption>
    </figure>
  </div>
  <table id="nodes" class="grid">
    <caption>Nodes</caption>
    <thead><tr><th scope="col">Node</th><th scope="col">Location</th><th scope="col">State</th><th scope="col" class="num">CPU load</th><th scope="col" class="num">Free memory</th><th scope="col" class="num">Free disk</th><th scope="col" class="num">Last pulse</th><th scope="col" class="num">Running</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
    <tbody></tbody>
  </table>
  <p class="empty" data-for="nodes" hidden>No nodes.</p>
  <div class="panel" data-panel="servers" hidden>
    <table id="servers" class="grid">
      <caption>Servers</caption>
      <thead><tr><th scope="col">Server</th><th scope="col">Node</th><th scope="col" class="num">PID</th><th scope="col">State</th><th scope="col" class="num">Running</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
  <div class="panel" data-panel="computations" hidden>
    <table id="computations" class="grid">
      <caption>Computations</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Client</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
  <div class="table-head">
    <label class="toggle"><input type="checkbox" id="show-args" checked> Show arguments</label>
  </div>
  <div class="panel" data-panel="jobs" hidden>
    <table id="jobs" class="grid">
      <caption>Running jobs, by server</caption>
      <thead><tr><th scope="col">Job</th><th scope="col">Function</th><th scope="col" class="args">Arguments</th><th scope="col">Started</th><th scope="col" class="num">Duration</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
  <p class="empty" data-for="jobs" hidden>No job is running.</p>
  <div class="panel" data-panel="failed" hidden>
    <table id="failed" class="grid">
      <caption>Failed jobs, latest first</caption>
      <thead><tr><th scope="col">Ended</th><th scope="col">Computation</th><th scope="col">Function</th><th scope="col" class="args">Arguments</th><th scope="col">Error</th><th scope="col">Job</th><th scope="col" class="num">Ran</th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
</section>
<section id="scheduler" aria-labelledby="scheduler-title">
  <h2 id="scheduler-title">Coroutines of this process</h2>
  <dl id="counters" class="counters" aria-label="Message counters"></dl>
  <table id="coroutines" class="grid">
    <caption>Coroutines</caption>
    <thead><tr>
      <th scope="col" aria-sort="ascending"><button type="button" class="sort" data-sort="id">Id</button></th>
      <th scope="col">Name</th>
      <th scope="col">State</th>
      <th scope="col">Waiting on</th>
      <th scope="col" class="num"><button type="button" class="sort" data-sort="mailbox">Mailbox</button></th>
      <th scope="col" class="num">Dropped</th>
      <th scope="col" class="num">Monitors</th>
      <th scope="col">Registered</th>
      <th scope="col">Holds</th>
      <th scope="col" class="num"><button type="button" class="sort" data-sort="age">Age</button></th>
      <th scope="col"><span class="visually-hidden">Action</span></th>
    </tr></thead>
    <tbody></tbody>
  </table>
  <p class="empty" data-for="coroutines" hidden>No coroutines.</p>
  <div class="columns">
    <div class="panel" data-panel="peers" hidden>
      <table id="peers" class="grid">
        <caption>Peers</caption>
        <thead><tr><th scope="col">Location</th><th scope="col">Name</th><th scope="col">State</th><th scope="col" class="num">Last heard</th><th scope="col" class="num">Round trip</th><th scope="col" class="num">In</th><th scope="col" class="num">Out</th><th scope="col" class="num">Reconnects</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
    <div class="panel" data-panel="channels" hidden>
      <table id="channels" class="grid">
        <caption>Channels</caption>
        <thead><tr><th scope="col">Name</th><th scope="col" class="num">Subscribers</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
    <div class="panel" data-panel="locks" hidden>
      <table id="locks" class="grid">
        <caption>Locks held</caption>
        <thead><tr><th scope="col">Resource</th><th scope="col">Holder</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
  </div>
</section>
<section id="threads" aria-labelledby="threads-title" hidden>
  <h2 id="threads-title">Threads</h2>
  <table id="thread-list" class="grid">
    <caption>Worker threads</caption>
    <thead><tr><th scope="col">Thread</th><th scope="col">State</th><th scope="col">Location</th><th scope="col" class="num">Placed</th><th scope="col" class="num">Started</th><th scope="col" class="num">Coroutines</th><th scope="col" class="num">Sent</th><th scope="col" class="num">Received</th></tr></thead>
    <tbody></tbody>
  </table>
  <p class="empty" data-for="thread-list" hidden>No threads.</p>
  <table id="thread-coroutines" class="grid">
    <caption>Coroutines on the threads</caption>
    <thead><tr><th scope="col">Thread</th><th scope="col" class="num">Id</th><th scope="col">Name</th><th scope="col">State</th><th scope="col">Waiting on</th><th scope="col" class="num">Mailbox</th><th scope="col">Registered</th><th scope="col" class="num">Age</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
    <tbody></tbody>
  </table>
  <p class="empty" data-for="thread-coroutines" hidden>No coroutines on the threads.</p>
</section>
</main>
</body>
</html>
`;

/**
 * The page's icon (an SVG, so that browsers do not ask for a missing favicon.ico).
 * @example
 * ```ts
 * log(FAVICON_SVG.startsWith('<svg')); // true
 * ```
 */
export const FAVICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#2f6fde"/><path d="M4 8h8M8 4v8" stroke="#fff" stroke-width="2"/></svg>';
