// The console's script, inlined into the page: hash routes (#/ cluster, #/files/GROUP, #/file/ID, #/upload)
// drawn from the JSON API with DOM calls (text is never parsed as HTML), charts as inline SVG.
// Plain ES2017 without template literals, so it can live in this TypeScript string unescaped.
export const CONSOLE_JS = String.raw`
'use strict';
var main = document.getElementById('main');
var COLORS = ['#2b6cb0', '#d53f8c', '#38a169', '#dd6b20', '#805ad5', '#319795', '#b7791f', '#e53e3e'];
var timer = null;

function h(tag, attrs) {
  var el = document.createElement(tag);
  if (attrs) for (var k in attrs) {
    if (k === 'text') el.textContent = attrs[k];
    else if (k === 'cls') el.className = attrs[k];
    else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), attrs[k]);
    else el.setAttribute(k, attrs[k]);
  }
  for (var i = 2; i < arguments.length; i++) {
    var c = arguments[i];
    if (c === null || c === undefined) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return el;
}
function svg(tag, attrs) {
  var el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (var k in attrs) el.setAttribute(k, attrs[k]);
  return el;
}
function api(path, opts) {
  return fetch(path, opts).then(function (r) {
    return r.text().then(function (t) {
      var body; try { body = JSON.parse(t); } catch (e) { body = { error: t.trim() || r.statusText }; }
      if (!r.ok) throw new Error(body.error || r.statusText);
      return body;
    });
  });
}
function bytes(n) {
  if (n === null || n === undefined) return '-';
  var u = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'], i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i || (n < 10 && n % 1) ? n.toFixed(1) : String(Math.round(n))) + ' ' + u[i];
}
function mb(n) { return bytes(n * 1024 * 1024); }
function when(t) { return t ? new Date(t * 1000).toISOString().replace('T', ' ').replace('.000Z', ' UTC') : '-'; }
function badge(text, cls) { return h('span', { cls: 'badge ' + (cls || text) }, text); }
function card(title) {
  var s = h('section', { cls: 'card' }, title ? h('h2', { text: title }) : null);
  for (var i = 1; i < arguments.length; i++) if (arguments[i]) s.appendChild(arguments[i]);
  return s;
}
function table(head, rows) {
  var t = h('table', null, h('thead', null, h('tr', null)));
  head.forEach(function (c) { t.firstChild.firstChild.appendChild(h('th', { text: c })); });
  var body = h('tbody');
  rows.forEach(function (r) {
    var tr = h('tr');
    r.forEach(function (c) { tr.appendChild(c instanceof Node ? h('td', null, c) : h('td', { cls: typeof c === 'number' ? 'num' : '', text: String(c) })); });
    body.appendChild(tr);
  });
  t.appendChild(body);
  return t;
}
function error(msg) { return h('p', { cls: 'err', role: 'alert' }, msg); }
function space(total, free) {
  var used = Math.max(0, total - free), pct = total > 0 ? Math.round(used * 100 / total) : 0;
  return h('div', null, h('div', { cls: 'bar', title: pct + '%' }, h('i', { style: 'width:' + pct + '%' })),
    h('span', { cls: 'mute', text: mb(used) + ' / ' + mb(total) }));
}
function show(el) { main.textContent = ''; main.appendChild(el); }

function lineChart(title, series, pick, fmt) {
  var W = 560, H = 160, L = 58, B = 18;
  var now = Math.floor(Date.now() / 1000), first = now - 60, max = 0;
  series.forEach(function (s) { s.points.forEach(function (p) { var v = pick(p); if (v !== null && v > max) max = v; if (p.t < first) first = p.t; }); });
  // The last hour, or less while the tracker has not been up that long.
  var from = Math.max(now - 3600, first), span = Math.max(1, now - from);
  if (max <= 0) max = 1;
  var g = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': title });
  for (var i = 0; i <= 2; i++) {
    var y = 6 + (H - B - 6) * i / 2;
    g.appendChild(svg('line', { x1: L, x2: W, y1: y, y2: y, stroke: '#e2e6ea' }));
    var lab = svg('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#6b7480' });
    lab.textContent = fmt(max * (2 - i) / 2);
    g.appendChild(lab);
  }
  function ago(sec) { return sec >= 120 ? '-' + Math.round(sec / 60) + ' min' : '-' + Math.round(sec) + ' s'; }
  [ago(span), ago(span / 2), 'now'].forEach(function (t, i) {
    var x = svg('text', { x: L + (W - L) * i / 2, y: H - 4, 'text-anchor': i === 0 ? 'start' : i === 2 ? 'end' : 'middle', 'font-size': 10, fill: '#6b7480' });
    x.textContent = t;
    g.appendChild(x);
  });
  series.forEach(function (s, n) {
    var pts = s.points.filter(function (p) { return p.t >= from && pick(p) !== null; }).map(function (p) {
      return (L + (W - L) * (p.t - from) / span).toFixed(1) + ',' + (6 + (H - B - 6) * (1 - pick(p) / max)).toFixed(1);
    });
    if (pts.length === 1) pts.push(pts[0]);
    if (pts.length) g.appendChild(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: COLORS[n % COLORS.length], 'stroke-width': 1.6 }));
  });
  var legend = h('div', { cls: 'legend' });
  series.forEach(function (s, n) { legend.appendChild(h('span', null, h('b', { style: 'background:' + COLORS[n % COLORS.length] }), s.key)); });
  return h('div', { cls: 'chart' }, h('h3', { text: title }), g, legend);
}

function clusterView() {
  Promise.all([api('/api/cluster'), api('/api/charts')]).then(function (r) {
    var c = r[0], charts = r[1], page = h('div');
    document.getElementById('who').textContent = 'tracker ' + c.self.address + (c.self.isLeader ? ' (leader)' : '');
    var trackers = c.trackers.length ? c.trackers : [{ address: c.self.address, isLeader: c.self.isLeader, isActive: true, version: '', upTime: c.self.upTime }];
    page.appendChild(card('Trackers', table(['address', 'role', 'state', 'version', 'up since'], trackers.map(function (t) {
      return [h('span', { cls: 'mono', text: t.address }), t.isLeader ? badge('leader', 'leader') : badge('follower', 'plain'),
        t.isActive ? badge('ACTIVE') : badge('OFFLINE'), t.version || '-', when(t.upTime)];
    }))));
    if (!c.groups.length) page.appendChild(card('Groups', h('p', { cls: 'mute', text: 'No storage has joined yet.' })));
    c.groups.forEach(function (g) {
      var rows = g.storages.map(function (s) {
        return [h('span', { cls: 'mono', text: s.id }), h('span', { cls: 'mono', text: s.ip + ':' + s.port }), badge(s.status),
          space(s.totalMb, s.freeMb), s.uploads, s.downloads, bytes(s.bytesIn), bytes(s.bytesOut),
          s.lagSeconds === null ? 'not reported yet' : s.lagSeconds + ' s', when(s.lastHeartBeatTime)];
      });
      page.appendChild(card('Group ' + g.name,
        h('p', { cls: 'mute' }, 'space ', mb(g.freeMb) + ' free of ' + mb(g.totalMb) + ', ' + mb(g.reservedMb) + ' reserved · ',
          h('a', { href: '#/files/' + encodeURIComponent(g.name), text: 'browse files' })),
        table(['storage', 'address', 'state', 'space used', 'uploads', 'downloads', 'bytes in', 'bytes out', 'replication lag', 'last beat'], rows)));
    });
    var series = Object.keys(charts.storages).sort().map(function (k) { return { key: k, points: charts.storages[k] }; });
    var grid = h('div', { cls: 'grid' },
      lineChart('Operations / s', series, function (p) { return p.opsPerSec; }, function (v) { return v.toFixed(v < 10 ? 1 : 0); }),
      lineChart('Bytes / s (in + out + replication)', series, function (p) { return p.bytesInPerSec + p.bytesOutPerSec + p.syncBytesPerSec; }, function (v) { return bytes(v); }),
      lineChart('Replication lag (s)', series, function (p) { return p.lag; }, function (v) { return v.toFixed(0); }));
    page.appendChild(card('Last hour (a sample every ' + charts.intervalSec + ' s)', grid));
    show(page);
  }).catch(function (e) { show(error('Cannot read the cluster: ' + e.message)); });
  timer = setTimeout(function () { if (route().name === 'cluster') clusterView(); }, 5000);
}

function filesView(group) {
  var prefix = h('input', { placeholder: 'prefix, e.g. M00/00', name: 'prefix' });
  var since = h('input', { type: 'datetime-local', name: 'since', title: 'created at or after' });
  var list = h('div');
  var pages = [''];
  function load(after) {
    var q = '?limit=50' + (after ? '&after=' + encodeURIComponent(after) : '') + (prefix.value ? '&prefix=' + encodeURIComponent(prefix.value) : '') +
      (since.value ? '&since=' + Math.floor(new Date(since.value).getTime() / 1000) : '');
    list.textContent = 'Loading…';
    api('/api/groups/' + encodeURIComponent(group) + '/files' + q).then(function (r) {
      list.textContent = '';
      if (!r.files.length) { list.appendChild(h('p', { cls: 'mute', text: 'No files.' })); return; }
      list.appendChild(table(['file ID', 'original name', 'size', 'created', 'CRC-32'], r.files.map(function (f) {
        return [h('a', { cls: 'mono', href: '#/file/' + encodeURIComponent(f.fileId), text: f.fileId }), f.filename || '-', bytes(f.size), when(f.time), f.crc32 || '-'];
      })));
      var nav = h('p');
      if (pages.length > 1) nav.appendChild(h('button', { cls: 'plain', text: 'Previous', onclick: function () { pages.pop(); load(pages[pages.length - 1]); } }));
      if (r.next) nav.appendChild(h('button', { cls: 'plain', text: 'Next page', onclick: function () { pages.push(r.next); load(r.next); } }));
      list.appendChild(nav);
    }).catch(function (e) { list.textContent = ''; list.appendChild(error(e.message)); });
  }
  var form = h('form', { cls: 'row', onsubmit: function (ev) { ev.preventDefault(); pages = ['']; load(''); } }, prefix, since, h('button', { text: 'Filter' }));
  show(card('Files of ' + group, form, list));
  load('');
}

function fileView(id) {
  var input = h('input', { cls: 'id', name: 'id', placeholder: 'group1/M00/00/00/…', value: id || '' });
  var out = h('div');
  var form = h('form', { cls: 'row', onsubmit: function (ev) { ev.preventDefault(); location.hash = '#/file/' + encodeURIComponent(input.value.trim()); } },
    input, h('button', { text: 'Show' }));
  show(card('File', form, out));
  if (!id) return;
  out.textContent = 'Loading…';
  api('/api/file?id=' + encodeURIComponent(id)).then(function (f) {
    out.textContent = '';
    var facts = h('dl', { cls: 'facts' });
    [['group', f.group], ['store path', f.storePath], ['kind', f.kind], ['size', f.size === null ? '-' : bytes(f.size) + ' (' + f.size + ' bytes)'],
      ['created', when(f.created)], ['CRC-32', f.crc32 || '-'], ['uploaded to', f.source]].forEach(function (p) {
      facts.appendChild(h('dt', { text: p[0] })); facts.appendChild(h('dd', { text: String(p[1]) }));
    });
    out.appendChild(facts);
    out.appendChild(h('p', null, h('a', { id: 'download', href: f.url, text: 'Download' }),
      h('span', { cls: 'mute', text: '  ' + f.url })));
    out.appendChild(h('h3', { text: 'Replicas' }));
    out.appendChild(table(['storage', 'address', 'state', 'holds the file'], f.replicas.map(function (r) {
      return [h('span', { cls: 'mono', text: r.id }), r.address, badge(r.status), r.present === null ? badge('unknown: ' + (r.error || ''), 'plain') : r.present ? badge('yes') : badge('no')];
    })));
    out.appendChild(h('h3', { text: 'Metadata' }));
    var keys = f.metadata ? Object.keys(f.metadata).sort() : [];
    out.appendChild(keys.length ? table(['key', 'value'], keys.map(function (k) { return [k, f.metadata[k]]; })) : h('p', { cls: 'mute', text: 'none' }));
    if (/\.(jpe?g|png|gif|webp|bmp|svg)$/i.test(f.name)) out.appendChild(h('div', { cls: 'preview' }, h('h3', { text: 'Preview' }), h('img', { src: f.url, alt: f.fileId })));
  }).catch(function (e) { out.textContent = ''; out.appendChild(error(e.message)); });
}

function uploadView() {
  var file = h('input', { type: 'file', name: 'file' });
  var group = h('select', { name: 'group' }, h('option', { value: '', text: 'any group' }));
  var secret = h('input', { type: 'password', name: 'secret', placeholder: 'http.upload.secret of the storages' });
  var keep = h('input', { type: 'checkbox', name: 'keep', checked: 'checked' });
  var out = h('div');
  api('/api/cluster').then(function (c) { c.groups.forEach(function (g) { group.appendChild(h('option', { value: g.name, text: g.name })); }); }).catch(function () {});
  var form = h('form', { cls: 'row', onsubmit: function (ev) {
    ev.preventDefault();
    if (!file.files.length) { out.textContent = ''; out.appendChild(error('Choose a file first.')); return; }
    var body = new FormData();
    body.append('file', file.files[0]);
    out.textContent = 'Uploading…';
    api('/api/upload?' + (group.value ? 'group=' + encodeURIComponent(group.value) + '&' : '') + (keep.checked ? '' : 'keep_name=0'),
      { method: 'POST', body: body, headers: { Authorization: 'Bearer ' + secret.value } }).then(function (r) {
      out.textContent = '';
      out.appendChild(h('p', null, 'Stored as ', h('a', { cls: 'mono', href: '#/file/' + encodeURIComponent(r.fileId), text: r.fileId })));
    }).catch(function (e) { out.textContent = ''; out.appendChild(error('Upload failed: ' + e.message)); });
  } }, file, group, secret, h('label', null, keep, ' keep the file name'), h('button', { text: 'Upload' }));
  show(card('Upload', h('p', { cls: 'mute', text: 'Needs HTTP upload on the storages (http.upload.secret); the secret is sent to them, not kept here.' }), form, out));
}

function route() {
  var m = /^#\/(files|file|upload)(?:\/(.*))?$/.exec(location.hash);
  if (!m) return { name: 'cluster' };
  return { name: m[1], arg: m[2] ? decodeURIComponent(m[2]) : '' };
}
function render() {
  if (timer) clearTimeout(timer);
  var r = route();
  Array.prototype.forEach.call(document.querySelectorAll('header nav a'), function (a) { a.className = a.getAttribute('data-route') === r.name ? 'on' : ''; });
  if (r.name === 'files') return r.arg ? filesView(r.arg) : clusterView();
  if (r.name === 'file') return fileView(r.arg);
  if (r.name === 'upload') return uploadView();
  clusterView();
}
window.addEventListener('hashchange', render);
render();
`;
