/**
 * The first half of the page's script (browser JavaScript, served in /dashboard.js): formatting,
 * a keyed table renderer that updates rows in place (a button under the pointer stays the same
 * element while the data changes), the actions (confirmed, with the typed-in token as a Bearer
 * header) and the event stream. Written without template literals so that it can live in one.
 * @example
 * ```ts
 * log(SCRIPT_CORE.includes('EventSource')); // true
 * ```
 * @module
 */

/**
 * Helpers, actions and the connection; defines `view` and `state`, used by SCRIPT_VIEWS.
 * @example
 * ```ts
 * const bytes = Buffer.byteLength(SCRIPT_CORE);
 * ```
 */
export const SCRIPT_CORE = String.raw`
var state = { info: null, sched: null, schedAt: 0, threads: null, threadsAt: 0, cluster: null, clusterSkew: 0, sort: { key: 'id', dir: 1 } };
var view = {};

function $(id) { return document.getElementById(id); }

function fmtBytes(n) {
  if (n === null || n === undefined) return '–';
  var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  var k = 0;
  while (n >= 1024 && k < units.length - 1) { n = n / 1024; k++; }
  return (k === 0 ? String(n) : n.toFixed(n < 10 ? 1 : 0)) + ' ' + units[k];
}

function fmtMs(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return Math.max(0, Math.round(ms)) + ' ms';
  var s = ms / 1000;
  if (s < 60) return s.toFixed(1) + ' s';
  var m = Math.floor(s / 60);
  if (m < 60) return m + ' min ' + Math.floor(s % 60) + ' s';
  return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
}

function fmtTime(epochMs) {
  if (epochMs === null || epochMs === undefined) return '–';
  return new Date(epochMs).toLocaleTimeString();
}

function fmtPercent(p) { return p === null || p === undefined ? '–' : p.toFixed(1) + ' %'; }

function showMessage(text, kind) {
  var box = $('message');
  box.textContent = text;
  box.className = 'message ' + kind;
  box.hidden = false;
}

// Rows keyed by item: existing rows are updated in place, new ones created, gone ones removed.
// A column is { text: fn(item) -> string, cls?: string | fn, header?: true } or { action: fn(item) -> spec | null }.
function syncRows(tableId, items, keyOf, layoutOf) {
  var table = $(tableId);
  var body = table.tBodies[0];
  var old = new Map();
  Array.prototype.forEach.call(body.rows, function (tr) { old.set(tr.dataset.key, tr); });
  items.forEach(function (item, i) {
    var key = keyOf(item);
    var columns = layoutOf(item);
    var tr = old.get(key);
    if (tr === undefined) tr = newRow(key, columns);
    old.delete(key);
    tr.item = item;
    columns.forEach(function (col, k) { fillCell(tr.cells[k], col, item, tr); });
    if (body.rows[i] !== tr) body.insertBefore(tr, body.rows[i] || null);
  });
  old.forEach(function (tr) { tr.remove(); });
  var empty = document.querySelector('p.empty[data-for="' + tableId + '"]');
  if (empty) empty.hidden = items.length > 0;
}

function newRow(key, columns) {
  var tr = document.createElement('tr');
  tr.dataset.key = key;
  columns.forEach(function (col) {
    var cell = document.createElement(col.header ? 'th' : 'td');
    if (col.header) cell.scope = col.span ? 'colgroup' : 'row';
    if (col.span) { cell.colSpan = col.span; tr.className = 'group'; }
    tr.appendChild(cell);
  });
  return tr;
}

function fillCell(cell, col, item, tr) {
  var cls = typeof col.cls === 'function' ? col.cls(item) : (col.cls || '');
  if (cell.className !== cls) cell.className = cls;
  if (col.action) { fillAction(cell, col.action(item), tr); return; }
  var text = col.text(item);
  if (cell.textContent !== text) cell.textContent = text;
}

function fillAction(cell, spec, tr) {
  var button = cell.firstElementChild;
  if (!spec) { if (button) cell.textContent = ''; return; }
  if (!button) {
    button = document.createElement('button');
    button.type = 'button';
    button.className = 'act';
    button.addEventListener('click', function () { if (button.spec) act(button.spec, tr.item); });
    cell.appendChild(button);
  }
  button.spec = spec;
  if (button.textContent !== spec.label) button.textContent = spec.label;
  var enabled = state.info !== null && state.info.actions;
  button.disabled = !enabled;
  button.title = enabled ? spec.question : 'this dashboard has no token: actions are disabled';
}

// spec: { label, question, path, done }: asks, then POSTs with the token the person typed in.
function act(spec) {
  var token = $('token').value.trim();
  if (token === '') { showMessage('Enter the token first: actions need it.', 'error'); $('token').focus(); return; }
  if (!window.confirm(spec.question)) return;
  fetch(spec.path, { method: 'POST', headers: { authorization: 'Bearer ' + token }, cache: 'no-store', credentials: 'omit' })
    .then(function (res) {
      return res.json().then(function (body) {
        if (res.ok) showMessage(spec.done, 'ok');
        else showMessage('Refused (' + res.status + ' ' + body.error + '): ' + body.message, 'error');
      });
    })
    .catch(function (err) { showMessage('The dashboard did not answer: ' + err.message, 'error'); });
}

function connect() {
  var status = $('connection');
  var source = new EventSource('/events');
  source.onopen = function () { status.textContent = 'live'; status.className = 'connection live'; };
  source.onerror = function () { status.textContent = 'reconnecting…'; status.className = 'connection down'; };
  source.addEventListener('info', function (e) {
    state.info = JSON.parse(e.data);
    $('cluster').hidden = !state.info.cluster;
    $('nav-cluster').hidden = !state.info.cluster;
    $('threads').hidden = !state.info.threads;
    $('nav-threads').hidden = !state.info.threads;
    $('token-form').hidden = !state.info.actions;
  });
  source.addEventListener('scheduler', function (e) {
    state.sched = JSON.parse(e.data);
    state.schedAt = Date.now();
    view.scheduler();
  });
  source.addEventListener('threads', function (e) {
    state.threads = JSON.parse(e.data);
    state.threadsAt = Date.now();
    view.threads();
  });
  source.addEventListener('cluster', function (e) {
    state.cluster = JSON.parse(e.data);
    state.clusterSkew = state.cluster.at - Date.now();
    view.cluster();
  });
  source.addEventListener('rate', function (e) {
    if (state.cluster === null) return;
    state.cluster.jobsPerSecond = JSON.parse(e.data).jobsPerSecond;
    view.sparkline();
  });
}
`;
