/**
 * The web console: one HTML page and its script, served from the package (no CDN). The page shows
 * the topology picture (GET /console/topology.svg, laid out on the server) and polls
 * GET /console/cluster.json every second for throughput, lag, task states (of every worker of the
 * application, with a total), dead letters and queries.
 */

export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kstream console</title>
<style>
  body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #0f172a; background: #f8fafc; }
  header { background: #0f172a; color: #f8fafc; padding: 10px 18px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  #state { padding: 2px 8px; border-radius: 4px; background: #64748b; font-size: 13px; }
  #state.RUNNING { background: #16a34a; } #state.REBALANCING { background: #d97706; } #state.ERROR, #state.PENDING_ERROR { background: #dc2626; }
  main { display: grid; grid-template-columns: minmax(420px, 1fr) minmax(420px, 1fr); gap: 14px; padding: 14px; }
  section { background: white; border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 14px; overflow: auto; }
  section h2 { font-size: 14px; margin: 0 0 8px; color: #334155; }
  #topology-section { grid-row: span 3; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; }
  th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #f1f5f9; vertical-align: top; }
  .bar { width: 120px; height: 10px; background: #e2e8f0; border-radius: 5px; overflow: hidden; display: inline-block; }
  .bar > div { height: 100%; background: #7c3aed; }
  pre { white-space: pre-wrap; font-size: 12px; background: #f1f5f9; padding: 6px; border-radius: 4px; margin: 4px 0; }
  .chart { width: 100%; height: 150px; }
  .legend { font-size: 11px; color: #475569; }
  .muted { color: #94a3b8; font-size: 12px; }
</style>
</head>
<body>
<header><h1>kstream</h1><span id="app"></span><span id="state">…</span><span id="summary" class="legend"></span></header>
<main>
  <section id="topology-section"><h2>Topology</h2><div id="topology" class="muted">loading…</div></section>
  <section><h2>Throughput (records/s)</h2><svg id="throughput-chart" class="chart" viewBox="0 0 600 150" preserveAspectRatio="none"></svg><div id="throughput-legend" class="legend"></div></section>
  <section><h2>Lag (records)</h2><svg id="lag-chart" class="chart" viewBox="0 0 600 150" preserveAspectRatio="none"></svg><div id="lag-legend" class="legend"></div></section>
  <section><h2>Workers</h2><table id="workers"><thead><tr><th>worker</th><th>state</th><th>records/s</th><th>processed</th><th>lag</th><th>tasks</th></tr></thead><tbody></tbody><tfoot></tfoot></table></section>
  <section><h2>Tasks</h2><table id="tasks"><thead><tr><th>task</th><th>worker</th><th>state</th><th>records/s</th><th>processed</th><th>lag</th><th>restore</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Dead letters</h2><table id="dead-letters"><thead><tr><th>offset</th><th>error</th><th>record</th></tr></thead><tbody></tbody></table></section>
  <section id="queries-section"><h2>Queries</h2><div id="queries" class="muted">none (not a SQL application)</div></section>
</main>
<script src="/console/app.js"></script>
</body>
</html>
`;

export const CONSOLE_SCRIPT = String.raw`'use strict';
(function () {
  var HISTORY = 60;
  var COLORS = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f'];
  var series = { throughput: {}, lag: {} };
  var ticks = 0;

  function el(id) { return document.getElementById(id); }
  function esc(s) { return String(s == null ? '' : s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }
  function fmt(n) { return n >= 100 ? Math.round(n).toLocaleString('en') : (Math.round(n * 10) / 10).toString(); }

  function push(kind, name, value) {
    var s = series[kind][name] || (series[kind][name] = []);
    s.push(value);
    if (s.length > HISTORY) s.shift();
  }

  function draw(kind, svgId, legendId) {
    var names = Object.keys(series[kind]);
    var max = 1;
    names.forEach(function (n) { series[kind][n].forEach(function (v) { if (v > max) max = v; }); });
    var out = '';
    var legend = '';
    names.forEach(function (n, i) {
      var pts = series[kind][n];
      var color = COLORS[i % COLORS.length];
      var coords = pts.map(function (v, j) { return (600 * (j + HISTORY - pts.length) / (HISTORY - 1)).toFixed(1) + ',' + (145 - 140 * v / max).toFixed(1); }).join(' ');
      out += '<polyline data-series="' + esc(n) + '" fill="none" stroke="' + color + '" stroke-width="' + (n === 'total' ? 2.5 : n.indexOf('worker ') === 0 ? 1.8 : 1) + '" points="' + coords + '"/>';
      legend += '<span style="color:' + color + '">&#9632; ' + esc(n) + ' ' + fmt(pts[pts.length - 1] || 0) + '</span> &nbsp; ';
    });
    out += '<text x="4" y="12" font-size="11" fill="#64748b">max ' + fmt(max) + '</text>';
    el(svgId).innerHTML = out;
    el(svgId).setAttribute('data-samples', String(ticks));
    el(legendId).innerHTML = legend;
  }

  function render(st) {
    ticks++;
    el('app').textContent = st.applicationId;
    el('state').textContent = st.state;
    el('state').className = st.state;
    var total = st.total;
    el('summary').textContent = st.workers.length + ' worker(s) - ' + fmt(total.processRate) + ' records/s, ' + total.processTotal + ' processed, lag ' + total.lag + ', ' + total.deadLetters + ' dead letters; this one: ' + st.worker.threadId + ', commit ' + fmt(st.worker.commitLatencyAvg) + ' ms';
    push('throughput', 'total', total.processRate);
    push('lag', 'total', total.lag);
    var tasks = [];
    st.workers.forEach(function (w) {
      if (st.workers.length > 1) { push('throughput', 'worker ' + w.host, w.processRate); push('lag', 'worker ' + w.host, w.lag); }
      w.tasks.forEach(function (t) { tasks.push({ t: t, host: w.host }); });
    });
    tasks.sort(function (a, b) { return a.t.id.localeCompare(b.t.id, 'en', { numeric: true }); });
    tasks.forEach(function (x) { push('throughput', x.t.id, x.t.processRate); push('lag', x.t.id, x.t.lag); });
    draw('throughput', 'throughput-chart', 'throughput-legend');
    draw('lag', 'lag-chart', 'lag-legend');
    el('workers').tBodies[0].innerHTML = st.workers.map(function (w) {
      return '<tr data-worker="' + esc(w.host) + '"><td>' + esc(w.host) + (w.self ? ' <span class="muted">(this one)</span>' : '') + '</td><td>' + esc(w.state) + (w.error ? ' <span class="muted">' + esc(w.error) + '</span>' : '') + '</td><td>' + fmt(w.processRate) + '</td><td>' + w.processTotal + '</td><td>' + w.lag + '</td><td>' + w.tasks.map(function (t) { return esc(t.id); }).join(' ') + '</td></tr>';
    }).join('');
    el('workers').tFoot.innerHTML = '<tr><th>total</th><th></th><th>' + fmt(total.processRate) + '</th><th>' + total.processTotal + '</th><th>' + total.lag + '</th><th>' + tasks.length + '</th></tr>';
    el('tasks').tBodies[0].innerHTML = tasks.map(function (x) {
      var t = x.t;
      var bar = '<span class="bar" title="' + Math.round(100 * t.restoreProgress) + '%"><div style="width:' + (100 * t.restoreProgress).toFixed(0) + '%"></div></span>';
      return '<tr data-task="' + esc(t.id) + '" data-worker="' + esc(x.host) + '"><td>' + esc(t.id) + '</td><td>' + esc(x.host) + '</td><td>' + esc(t.phase) + '</td><td>' + fmt(t.processRate) + '</td><td>' + t.processTotal + '</td><td>' + t.lag + '</td><td>' + (t.phase === 'RESTORING' ? bar + ' ' + t.restoreRemaining + ' left' : 'done') + '</td></tr>';
    }).join('');
    el('dead-letters').tBodies[0].innerHTML = st.deadLetters.map(function (d) {
      var h = d.headers;
      var err = (h['__streams.errors.exception'] || '') + ': ' + (h['__streams.errors.message'] || '');
      var where = (h['__streams.errors.topic'] || '?') + '-' + (h['__streams.errors.partition'] || '?') + '@' + (h['__streams.errors.offset'] || '?');
      return '<tr class="dead-letter"><td>' + d.offset + '</td><td>' + esc(err) + '<br><span class="muted">' + esc(where) + '</span></td><td><pre>' + esc(d.value) + '</pre></td></tr>';
    }).join('');
    if (st.queries.length > 0) {
      el('queries').className = '';
      el('queries').innerHTML = st.queries.map(function (q) { return '<div class="query"><b>' + esc(q.id) + '</b><pre>' + esc(q.sql) + '</pre></div>'; }).join('');
    }
  }

  function poll() {
    fetch('/console/cluster.json', { cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(render)
      .catch(function (e) { el('state').textContent = 'unreachable'; el('state').className = 'ERROR'; })
      .finally(function () { setTimeout(poll, 1000); });
  }

  fetch('/console/topology.svg').then(function (r) { return r.text(); }).then(function (svg) { el('topology').className = ''; el('topology').innerHTML = svg; });
  poll();
})();
`;
