/**
 * What both pages' scripts share (browser JavaScript, first in /dashboard.js and /cluster.js):
 * formatting, a keyed table renderer that updates rows in place (a button under the pointer
 * stays the same element while the data changes) and hides a panel with nothing to show, and the
 * actions (confirmed, with the typed-in token as a Bearer header; the answer shown beside the
 * button that was pressed). Written without template literals so that it can live in one.
 * @example
 * ```ts
 * log(SCRIPT_CORE.includes('syncRows')); // true
 * ```
 * @module
 */

/**
 * Helpers, the table renderer and the actions; defines `view` and `state`, used by the views.
 * @example
 * ```ts
 * const bytes = Buffer.byteLength(SCRIPT_CORE);
 * ```
 */
export const SCRIPT_CORE = String.raw`
var state = { info: null, sched: null, schedAt: 0, threads: null, threadsAt: 0, cluster: null, clusterSkew: 0, failed: [], process: null, nodes: null, sort: { key: 'id', dir: 1 } };
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

// The answer to an action appears beside what was pressed (anchor), where the person looks;
// without one, under the header. It goes after a while, or at the next message.
var messageTimer = 0;
function showMessage(text, kind, anchor) {
  var box = $('message');
  box.textContent = text;
  box.className = 'message ' + kind;
  // An element where it is now, or (if it went, e.g. with its row) where it was when pressed.
  var rect = !anchor ? null : anchor.nodeType === 1 ? (anchor.isConnected ? anchor.getBoundingClientRect() : anchor.pressedAt || null) : anchor;
  if (rect !== null && rect.width > 0) {
    box.classList.add('floating');
    box.style.top = Math.min(rect.bottom + 6, window.innerHeight - 60) + 'px';
    box.style.left = Math.max(8, Math.min(rect.right - 360, window.innerWidth - 400)) + 'px';
  } else {
    box.style.top = '';
    box.style.left = '';
  }
  box.hidden = false;
  window.clearTimeout(messageTimer);
  messageTimer = window.setTimeout(function () { box.hidden = true; }, kind === 'ok' ? 6000 : 12000);
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
  // A panel with nothing to show is not shown at all.
  var panel = table.closest('.panel');
  if (panel) panel.hidden = items.length === 0;
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
  if (col.details) { fillDetails(cell, col.details(item)); return; }
  if (col.link) { fillLink(cell, col.link(item)); return; }
  var text = col.text(item);
  if (cell.textContent !== text) cell.textContent = text;
}

// A summary that opens on the rest: { summary, body } (an error and its stack).
function fillDetails(cell, d) {
  var details = cell.firstElementChild;
  if (!details) {
    details = document.createElement('details');
    details.appendChild(document.createElement('summary'));
    details.appendChild(document.createElement('pre'));
    cell.appendChild(details);
  }
  if (details.firstChild.textContent !== d.summary) details.firstChild.textContent = d.summary;
  if (details.lastChild.textContent !== d.body) details.lastChild.textContent = d.body;
}

// A link when there is an http(s) address, else the text alone: { text, href }.
function fillLink(cell, l) {
  var href = typeof l.href === 'string' && /^https?:\/\//.test(l.href) ? l.href : null;
  var a = cell.firstElementChild;
  if (href === null) { if (a || cell.textContent !== l.text) cell.textContent = l.text; return; }
  if (!a) { cell.textContent = ''; a = document.createElement('a'); a.rel = 'noopener noreferrer'; cell.appendChild(a); }
  if (a.getAttribute('href') !== href) a.setAttribute('href', href);
  if (a.textContent !== l.text) a.textContent = l.text;
}

function fillAction(cell, spec, tr) {
  var button = cell.firstElementChild;
  if (!spec) { if (button) cell.textContent = ''; return; }
  if (!button) {
    button = document.createElement('button');
    button.type = 'button';
    button.className = 'act';
    button.addEventListener('click', function () { if (button.spec) act(button.spec, button); });
    cell.appendChild(button);
  }
  button.spec = spec;
  if (button.textContent !== spec.label) button.textContent = spec.label;
  var enabled = state.info !== null && state.info.actions;
  button.disabled = !enabled;
  button.title = enabled ? spec.question : 'this dashboard has no token: actions are disabled';
}

// spec: { label, question, path, done }: asks, then POSTs with the token the person typed in; the
// answer shows beside the button.
function act(spec, button) {
  var token = $('token').value.trim();
  if (token === '') { showMessage('Enter the token first: actions need it.', 'error', button); $('token').focus(); return; }
  if (!window.confirm(spec.question)) return;
  button.pressedAt = button.getBoundingClientRect();
  var row = button.closest('tr');
  if (row) row.classList.add('pending');
  fetch(spec.path, { method: 'POST', headers: { authorization: 'Bearer ' + token }, cache: 'no-store', credentials: 'omit' })
    .then(function (res) {
      return res.json().then(function (body) {
        if (res.ok) showMessage(spec.done, 'ok', button);
        else showMessage('Refused (' + res.status + ' ' + body.error + '): ' + body.message, 'error', button);
      });
    })
    .catch(function (err) { showMessage('The dashboard did not answer: ' + err.message, 'error', button); })
    .then(function () { if (row) row.classList.remove('pending'); });
}
`;
