/**
 * The second half of the main page's script: the scheduler view (coroutines sortable by id,
 * mailbox depth and age; counters, peers, channels, locks), the cluster view (job counts, the
 * jobs-per-second sparkline, nodes, servers, computations by name, running jobs by server, failed
 * jobs with their errors and stacks), this process's memory and event-loop delay in the header,
 * the event stream, a clock that moves ages and durations on between updates, and the start-up.
 * @example
 * ```ts
 * log(SCRIPT_VIEWS.includes('view.cluster')); // true
 * ```
 * @module
 */

/**
 * The views and the start-up (needs SCRIPT_CORE before it).
 * @example
 * ```ts
 * const script = SCRIPT_VIEWS.trim();
 * ```
 */
export const SCRIPT_VIEWS = String.raw`
var COUNTERS = [['live', 'Alive'], ['spawned', 'Spawned'], ['daemons', 'Daemons'], ['sent', 'Sent'], ['received', 'Received'],
  ['dropped', 'Dropped'], ['rejected', 'Rejected'], ['deadLetters', 'Dead letters'], ['mailboxHighWater', 'Mailbox high water']];

function age(c) { return c.ageMs + (Date.now() - state.schedAt); }
function clusterNow() { return Date.now() + state.clusterSkew; }
function text(fn) { return { text: fn }; }
function num(fn) { return { text: fn, cls: 'num' }; }

view.counters = function () {
  var dl = $('counters');
  var counters = state.sched.counters;
  if (dl.children.length === 0) {
    COUNTERS.forEach(function (pair) {
      var div = document.createElement('div');
      var dt = document.createElement('dt');
      var dd = document.createElement('dd');
      dt.textContent = pair[1];
      dd.id = 'counter-' + pair[0];
      div.appendChild(dt);
      div.appendChild(dd);
      dl.appendChild(div);
    });
  }
  COUNTERS.forEach(function (pair) { $('counter-' + pair[0]).textContent = String(counters[pair[0]]); });
};

var CORO_COLUMNS = [
  num(function (c) { return String(c.id); }),
  { text: function (c) { return c.name; }, header: true },
  { text: function (c) { return c.state + (c.daemon ? ' (daemon)' : ''); }, cls: function (c) { return 'state-' + c.state; } },
  text(function (c) { return c.waitingOn || ''; }),
  num(function (c) { return String(c.mailbox); }),
  num(function (c) { return String(c.dropped); }),
  num(function (c) { return String(c.monitors); }),
  text(function (c) { return c.registered.join(', '); }),
  text(function (c) { return c.holds.join(', '); }),
  num(function (c) { return fmtMs(age(c)); }),
  { action: function (c) {
    return { label: 'Terminate', question: 'Terminate coroutine ' + c.id + ' (' + c.name + ')?', path: '/api/coroutines/' + c.id + '/terminate', done: 'Coroutine ' + c.id + ' (' + c.name + ') terminated.' };
  } },
];

function sortedCoroutines() {
  var key = state.sort.key;
  var dir = state.sort.dir;
  var pick = key === 'mailbox' ? function (c) { return c.mailbox; } : key === 'age' ? function (c) { return c.ageMs; } : function (c) { return c.id; };
  return state.sched.coroutines.slice().sort(function (a, b) { return dir * (pick(a) - pick(b)) || a.id - b.id; });
}

view.scheduler = function () {
  if (state.sched === null) return;
  view.counters();
  syncRows('coroutines', sortedCoroutines(), function (c) { return String(c.id); }, function () { return CORO_COLUMNS; });
  syncRows('peers', state.sched.peers, function (p) { return p.location; }, function () {
    return [{ text: function (p) { return p.location; }, header: true }, text(function (p) { return p.name; }), text(function (p) { return p.state; }),
      num(function (p) { return fmtMs(p.lastHeardMs); }), num(function (p) { return fmtMs(p.roundTripMs); }),
      num(function (p) { return fmtBytes(p.bytesIn); }), num(function (p) { return fmtBytes(p.bytesOut); }), num(function (p) { return String(p.reconnects); })];
  });
  syncRows('channels', state.sched.channels, function (c) { return c.name; }, function () {
    return [{ text: function (c) { return c.name; }, header: true }, num(function (c) { return String(c.subscribers); })];
  });
  syncRows('locks', state.sched.locks, function (l) { return l.resource + '\u0000' + l.holder; }, function () {
    return [{ text: function (l) { return l.resource; }, header: true }, text(function (l) { return l.holder; })];
  });
};

function threadCoroutines() {
  var rows = [];
  (state.threads || []).forEach(function (t) {
    ((t.snapshot && t.snapshot.coroutines) || []).forEach(function (c) { rows.push({ thread: t, coro: c }); });
  });
  return rows;
}

view.threads = function () {
  if (!state.threads) return;
  syncRows('thread-list', state.threads, function (t) { return String(t.index); }, function () {
    return [{ text: function (t) { return t.name; }, header: true }, { text: function (t) { return t.state; }, cls: function (t) { return 'state-' + t.state; } },
      text(function (t) { return t.location; }), num(function (t) { return String(t.placed); }), num(function (t) { return String(t.starts); }),
      num(function (t) { return t.snapshot ? String(t.snapshot.coroutines.length) : '–'; }),
      num(function (t) { return t.snapshot ? String(t.snapshot.counters.sent) : '–'; }), num(function (t) { return t.snapshot ? String(t.snapshot.counters.received) : '–'; })];
  });
  syncRows('thread-coroutines', threadCoroutines(), function (r) { return r.thread.incarnation + ':' + r.coro.id; }, function () {
    return [{ text: function (r) { return r.thread.name; }, header: true }, num(function (r) { return String(r.coro.id); }), text(function (r) { return r.coro.name; }),
      { text: function (r) { return r.coro.state + (r.coro.daemon ? ' (daemon)' : ''); }, cls: function (r) { return 'state-' + r.coro.state; } },
      text(function (r) { return r.coro.waitingOn || ''; }), num(function (r) { return String(r.coro.mailbox); }), text(function (r) { return r.coro.registered.join(', '); }),
      num(function (r) { return fmtMs(r.coro.ageMs + (Date.now() - state.threadsAt)); }),
      { action: function (r) {
        var what = 'coroutine ' + r.coro.id + ' (' + r.coro.name + ') on ' + r.thread.name;
        return { label: 'Terminate', question: 'Terminate ' + what + '?', path: '/api/thread-coroutines/' + encodeURIComponent(r.thread.index + ':' + r.thread.incarnation + ':' + r.coro.id) + '/terminate', done: 'Terminated ' + what + '.' };
      } }];
  });
};

function sortBy(key) {
  var defaultDir = key === 'id' ? 1 : -1;
  state.sort = state.sort.key === key ? { key: key, dir: -state.sort.dir } : { key: key, dir: defaultDir };
  Array.prototype.forEach.call(document.querySelectorAll('#coroutines thead th'), function (th) {
    var button = th.querySelector('button.sort');
    if (button === null) return;
    if (button.dataset.sort === key) th.setAttribute('aria-sort', state.sort.dir > 0 ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
  });
  view.scheduler();
}

function running(jobs, field, location) {
  return String(jobs.filter(function (j) { return j.state === 'running' && j[field] === location; }).length);
}

function toggleAction(kind, item, label) {
  var verb = item.enabled ? 'disable' : 'enable';
  return { label: item.enabled ? 'Disable' : 'Enable', question: (item.enabled ? 'Disable ' : 'Enable ') + kind + ' ' + label + '?',
    path: '/api/' + kind + 's/' + encodeURIComponent(item.location) + '/' + verb, done: kind.charAt(0).toUpperCase() + kind.slice(1) + ' ' + label + ' ' + verb + 'd.' };
}

function stateCell(fn) { return { text: function (x) { return fn(x) + (x.enabled === false ? ' (disabled)' : ''); }, cls: function (x) { return x.enabled === false ? 'disabled' : 'state-' + fn(x); } }; }

var JOB_COLUMNS = [
  { text: function (j) { return j.id; }, header: true },
  text(function (j) { return j.fn || '(anonymous)'; }),
  { text: function (j) { return j.argsPreview; }, cls: 'args' },
  text(function (j) { return fmtTime(j.startTime); }),
  num(function (j) { return fmtMs((j.endTime === null ? clusterNow() : j.endTime) - j.startTime); }),
  { action: function (j) {
    return j.state !== 'running' ? null : { label: 'Terminate', question: 'Terminate job ' + j.id + ' (' + (j.fn || 'anonymous') + ')?', path: '/api/jobs/' + encodeURIComponent(j.id) + '/terminate', done: 'Job ' + j.id + ' terminated.' };
  } },
];

function jobRows(data) {
  var rows = [];
  data.servers.forEach(function (s) {
    var jobs = data.jobs.filter(function (j) { return j.state === 'running' && j.server === s.location; });
    if (jobs.length === 0) return;
    rows.push({ group: s, count: jobs.length });
    jobs.sort(function (a, b) { return a.startTime - b.startTime; }).forEach(function (j) { rows.push(j); });
  });
  return rows;
}

var GROUP_LAYOUT = [{ text: function (g) { return 'Server ' + g.group.location + ' on ' + g.group.node + ': ' + g.count + ' running'; }, header: true, span: JOB_COLUMNS.length }];

view.cluster = function () {
  var data = state.cluster;
  if (data === null) return;
  ['submitted', 'running', 'done', 'failed'].forEach(function (k) { $('jobs-' + k).textContent = String(data.counts[k]); });
  view.sparkline();
  syncRows('nodes', data.nodes, function (n) { return n.location; }, function () {
    return [{ text: function (n) { return n.name; }, header: true }, text(function (n) { return n.location; }), stateCell(function (n) { return n.state; }),
      num(function (n) { return fmtPercent(n.cpuLoad); }),
      num(function (n) { return fmtBytes(n.freeMemory) + (n.totalMemory ? ' of ' + fmtBytes(n.totalMemory) : ''); }),
      num(function (n) { return fmtBytes(n.freeDisk); }),
      num(function (n) { return n.lastPulse === null ? '–' : fmtMs(clusterNow() - n.lastPulse) + ' ago'; }),
      num(function (n) { return running(data.jobs, 'node', n.location); }),
      { action: function (n) { return toggleAction('node', n, n.name); } }];
  });
  syncRows('servers', data.servers, function (s) { return s.location; }, function () {
    return [{ text: function (s) { return s.location; }, header: true }, text(function (s) { return s.node; }), num(function (s) { return String(s.pid); }),
      stateCell(function (s) { return s.state; }), num(function (s) { return running(data.jobs, 'server', s.location); }),
      { action: function (s) { return toggleAction('server', s, s.location); } }];
  });
  syncRows('computations', data.computations, function (c) { return c.id; }, function () {
    return [{ text: function (c) { return c.name; }, header: true }, text(function (c) { return c.id; }), text(function (c) { return c.client || ''; }), text(function (c) { return c.state; }),
      { action: function (c) { return c.state === 'closed' ? null : { label: 'Close', question: 'Close computation ' + c.id + ' (' + c.name + ')?', path: '/api/computations/' + encodeURIComponent(c.id) + '/close', done: 'Computation ' + c.id + ' closed.' }; } }];
  });
  syncRows('jobs', jobRows(data), function (r) { return r.group ? 'server ' + r.group.location : 'job ' + r.id; }, function (r) { return r.group ? GROUP_LAYOUT : JOB_COLUMNS; });
  view.argsToggle();
};

var FAILED_COLUMNS = [
  { text: function (f) { return fmtTime(f.endTime); }, header: true },
  text(function (f) { return f.computationName; }),
  text(function (f) { return f.fn || '(anonymous)'; }),
  { text: function (f) { return f.argsPreview; }, cls: 'args' },
  { details: function (f) { return { summary: f.error.name + (f.error.code ? ' [' + f.error.code + ']' : '') + ': ' + f.error.message, body: f.error.stack || '(no stack)' }; }, cls: 'error' },
  text(function (f) { return f.id; }),
  num(function (f) { return fmtMs(f.endTime - f.startTime); }),
];

view.failed = function () {
  syncRows('failed', state.failed.slice().reverse(), function (f) { return String(f.seq); }, function () { return FAILED_COLUMNS; });
  view.argsToggle();
};

// The arguments toggle shows only while a table has arguments to hide.
view.argsToggle = function () {
  var any = (state.cluster !== null && state.cluster.jobs.some(function (j) { return j.state === 'running'; })) || state.failed.length > 0;
  document.querySelector('.table-head').hidden = !any;
};

view.process = function () {
  var p = state.process;
  if (p === null) return;
  $('process').textContent = 'pid ' + p.pid + ' · RSS ' + fmtBytes(p.rss) + ' · heap ' + fmtBytes(p.heapUsed) + ' of ' + fmtBytes(p.heapTotal) +
    ' · event loop p99 ' + p.loopDelay.p99.toFixed(1) + ' ms · up ' + fmtMs(p.uptimeMs);
};

view.sparkline = function () {
  var values = state.cluster.jobsPerSecond;
  var line = document.querySelector('#sparkline polyline');
  var peak = Math.max.apply(null, [0].concat(values));
  var max = Math.max(1, peak);
  var step = values.length > 1 ? 240 / (values.length - 1) : 0;
  line.setAttribute('points', values.map(function (v, k) { return (k * step).toFixed(1) + ',' + (46 - (v / max) * 44).toFixed(1); }).join(' '));
  var last = values.length > 0 ? values[values.length - 1] : 0;
  $('rate-caption').textContent = 'jobs per second: ' + last + ' now, ' + peak + ' peak (last ' + values.length + ' s)';
};

function connect() {
  var status = $('connection');
  var source = new EventSource('/events');
  source.onopen = function () { status.textContent = 'live'; status.className = 'connection live'; };
  source.onerror = function () { status.textContent = 'reconnecting…'; status.className = 'connection down'; };
  source.addEventListener('info', function (e) {
    state.info = JSON.parse(e.data);
    document.title = state.info.title;
    $('title').textContent = state.info.title;
    $('cluster').hidden = !state.info.cluster;
    $('nav-cluster').hidden = !state.info.cluster;
    $('nav-nodes').hidden = !state.info.clusterNodes;
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
  source.addEventListener('failed-jobs', function (e) {
    var d = JSON.parse(e.data);
    // The first event of a stream is the whole history; later ones are the new failures only.
    var last = state.failed.length > 0 ? state.failed[state.failed.length - 1].seq : 0;
    state.failed = d.all ? d.jobs : state.failed.concat(d.jobs.filter(function (f) { return f.seq > last; }));
    if (d.oldest !== undefined) state.failed = state.failed.filter(function (f) { return f.seq >= d.oldest; });
    view.failed();
  });
  source.addEventListener('process', function (e) {
    state.process = JSON.parse(e.data);
    view.process();
  });
}

function start() {
  Array.prototype.forEach.call(document.querySelectorAll('button.sort'), function (button) {
    button.addEventListener('click', function () { sortBy(button.dataset.sort); });
  });
  $('show-args').addEventListener('change', function (e) {
    $('jobs').classList.toggle('hide-args', !e.target.checked);
    $('failed').classList.toggle('hide-args', !e.target.checked);
  });
  $('token-form').addEventListener('submit', function (e) { e.preventDefault(); });
  // Ages and durations move on between updates; the data itself only comes from the stream.
  setInterval(function () { view.scheduler(); view.threads(); view.cluster(); }, 1000);
  view.argsToggle();
  connect();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
`;
