/**
 * The cluster page's script (after SCRIPT_CORE in /cluster.js): the nodes table (each node's name
 * links to its own dashboard when it serves one), the totals, ages moving on between updates, and
 * the event stream `/events/cluster`.
 * @example
 * ```ts
 * log(SCRIPT_CLUSTER.includes('/events/cluster')); // true
 * ```
 * @module
 */

/**
 * The cluster page's views and start-up.
 * @example
 * ```ts
 * const bytes = Buffer.byteLength(SCRIPT_CLUSTER);
 * ```
 */
export const SCRIPT_CLUSTER = String.raw`
function count(v) { return v === null || v === undefined || v < 0 ? '–' : String(v); }

var NODE_COLUMNS = [
  { link: function (n) { return { text: n.name, href: n.dashboard }; }, header: true },
  { text: function (n) { return n.location; } },
  { text: function (n) { return n.state + (n.enabled === false && n.state !== 'disabled' ? ' (disabled)' : ''); }, cls: function (n) { return 'state-' + n.state.replace(/ /g, '-'); } },
  { text: function (n) { return String(n.cpus); }, cls: 'num' },
  { text: function (n) { return fmtPercent(n.cpuLoad); }, cls: 'num' },
  { text: function (n) { return fmtBytes(n.freeMemory) + (n.totalMemory ? ' of ' + fmtBytes(n.totalMemory) : ''); }, cls: 'num' },
  { text: function (n) { return count(n.computations); }, cls: 'num' },
  { text: function (n) { return count(n.jobs && n.jobs.running); }, cls: 'num' },
  { text: function (n) { return count(n.jobs && n.jobs.done); }, cls: 'num' },
  { text: function (n) { return count(n.jobs && n.jobs.failed); }, cls: 'num' },
  { text: function (n) { return n.lastPulse === null ? '–' : fmtMs(Date.now() + state.clusterSkew - n.lastPulse) + ' ago'; }, cls: 'num' },
];

view.nodes = function () {
  var data = state.nodes;
  if (data === null) return;
  var nodes = data.nodes;
  syncRows('nodes', nodes, function (n) { return n.location; }, function () { return NODE_COLUMNS; });
  Array.prototype.forEach.call($('nodes').tBodies[0].rows, function (tr) { tr.classList.toggle('self', tr.item.self === true); });
  var sum = function (f) { return nodes.reduce(function (a, n) { var v = f(n); return a + (typeof v === 'number' && v > 0 ? v : 0); }, 0); };
  $('total-nodes').textContent = String(nodes.length);
  $('total-serving').textContent = String(nodes.filter(function (n) { return n.state === 'serving' || n.state === 'initialized'; }).length);
  $('total-cpus').textContent = String(sum(function (n) { return n.cpus; }));
  $('total-computations').textContent = String(sum(function (n) { return n.computations; }));
  $('total-running').textContent = String(sum(function (n) { return n.jobs && n.jobs.running; }));
};

function start() {
  var status = $('connection');
  var source = new EventSource('/events/cluster');
  source.onopen = function () { status.textContent = 'live'; status.className = 'connection live'; };
  source.onerror = function () { status.textContent = 'reconnecting…'; status.className = 'connection down'; };
  source.addEventListener('info', function (e) {
    state.info = JSON.parse(e.data);
    document.title = 'cluster · ' + state.info.title;
    $('title').textContent = 'cluster · ' + state.info.title;
  });
  source.addEventListener('nodes', function (e) {
    state.nodes = JSON.parse(e.data);
    state.clusterSkew = state.nodes.at - Date.now();
    view.nodes();
  });
  setInterval(function () { view.nodes(); }, 1000);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
`;
