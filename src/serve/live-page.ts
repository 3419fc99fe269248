// The live panel, as the browser gets it: a script that opens the event stream and draws the run's
// state on every snapshot (counts, ETA, jobs running now with their time, jobs just finished,
// training curves growing epoch by epoch), its style, and a page of its own for a run folder that
// has no report yet. Plain JavaScript for any browser; no library, nothing fetched from elsewhere.
import { escapeHtml } from '../report/html';

export const LIVE_CSS = `
#probelab-live{font:13px/1.4 system-ui,sans-serif;background:#fff;color:#222;border:1px solid #bbb;border-radius:6px;box-shadow:0 2px 10px rgba(0,0,0,.15);padding:8px 12px;z-index:1000}
#probelab-live.float{position:fixed;right:12px;bottom:12px;width:420px;max-height:80vh;overflow:auto}
#probelab-live.page{max-width:1000px;margin:16px auto}
#probelab-live.folded>:not(header){display:none}
#probelab-live header{display:flex;gap:8px;align-items:baseline}
#probelab-live header strong{font-size:14px}
#probelab-live header button{margin-left:auto;border:1px solid #bbb;background:#f4f4f4;border-radius:4px;cursor:pointer}
#probelab-live .state{padding:0 6px;border-radius:3px;background:#eee}
#probelab-live .state.live{background:#d7f2d7;color:#145214}
#probelab-live table{border-collapse:collapse;width:100%;margin:4px 0}
#probelab-live td{padding:1px 6px 1px 0;vertical-align:top}
#probelab-live td.time{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
#probelab-live .muted{color:#666}
#probelab-live .failed{color:#a00}
#probelab-live h4{margin:8px 0 2px;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#555}
#probelab-live .charts{display:flex;flex-wrap:wrap;gap:8px}
#probelab-live svg text{font-size:10px;fill:#444}
#probelab-live .legend span{display:inline-block;margin-right:10px;white-space:nowrap}
#probelab-live .legend i{display:inline-block;width:14px;height:3px;margin-right:4px;vertical-align:middle}
`;

export const LIVE_SCRIPT = `(function () {
  'use strict';
  var COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
  var onPage = document.body.getAttribute('data-live') === 'page';
  var panel = document.createElement('section');
  panel.id = 'probelab-live';
  panel.className = onPage ? 'page' : 'float';
  panel.setAttribute('aria-live', 'polite');
  panel.innerHTML = '<header><strong>probelab live</strong><span class="state" data-part="state">connecting…</span>' +
    (onPage ? '' : '<button type="button" data-part="fold" title="fold or unfold">–</button>') + '</header>' +
    '<p data-part="counts"></p><p data-part="eta"></p><div data-part="running"></div>' +
    '<div data-part="curves"></div><div data-part="recent"></div><p class="muted" data-part="note"></p>';
  document.body.insertBefore(panel, document.body.firstChild);
  function part(name) { return panel.querySelector('[data-part="' + name + '"]'); }
  var fold = part('fold');
  if (fold) fold.onclick = function () { panel.classList.toggle('folded'); fold.textContent = panel.classList.contains('folded') ? '+' : '–'; };
  function esc(text) { return String(text).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }
  function duration(seconds) {
    var s = Math.max(0, Math.round(seconds));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }
  var state = null;
  var pagesSeen = null;

  function chart(curves, metric, title) {
    var W = onPage ? 460 : 390, H = onPage ? 200 : 130, L = 42, R = 8, T = 16, B = 22;
    var series = [];
    curves.forEach(function (curve, i) {
      var pts = curve.points.filter(function (p) { return typeof p[metric] === 'number'; });
      if (pts.length) series.push({ curve: curve, color: COLORS[i % COLORS.length], pts: pts });
    });
    if (!series.length) return '';
    var maxEpoch = 1, lo = Infinity, hi = -Infinity;
    series.forEach(function (s) {
      maxEpoch = Math.max(maxEpoch, s.curve.epochs || 0, s.pts[s.pts.length - 1].epoch);
      s.pts.forEach(function (p) { lo = Math.min(lo, p[metric]); hi = Math.max(hi, p[metric]); });
    });
    if (hi === lo) { hi += 0.5; lo -= 0.5; }
    function x(e) { return L + (maxEpoch <= 1 ? 0 : ((e - 1) / (maxEpoch - 1)) * (W - L - R)); }
    function y(v) { return T + (1 - (v - lo) / (hi - lo)) * (H - T - B); }
    var out = '<svg width="' + W + '" height="' + H + '" role="img" aria-label="' + esc(title) + ' per epoch">' +
      '<text x="' + L + '" y="11">' + esc(title) + '</text>' +
      '<line x1="' + L + '" y1="' + (H - B) + '" x2="' + (W - R) + '" y2="' + (H - B) + '" stroke="#999"/>' +
      '<line x1="' + L + '" y1="' + T + '" x2="' + L + '" y2="' + (H - B) + '" stroke="#999"/>' +
      '<text x="' + (L - 4) + '" y="' + (T + 4) + '" text-anchor="end">' + hi.toPrecision(3) + '</text>' +
      '<text x="' + (L - 4) + '" y="' + (H - B) + '" text-anchor="end">' + lo.toPrecision(3) + '</text>' +
      '<text x="' + L + '" y="' + (H - 6) + '">epoch 1</text>' +
      '<text x="' + (W - R) + '" y="' + (H - 6) + '" text-anchor="end">epoch ' + maxEpoch + '</text>';
    series.forEach(function (s) {
      var d = s.pts.map(function (p) { return x(p.epoch).toFixed(1) + ',' + y(p[metric]).toFixed(1); }).join(' ');
      out += '<polyline fill="none" stroke="' + s.color + '" stroke-width="2" points="' + d + '"/>';
      s.pts.forEach(function (p) { out += '<circle r="2.5" fill="' + s.color + '" cx="' + x(p.epoch).toFixed(1) + '" cy="' + y(p[metric]).toFixed(1) + '"/>'; });
    });
    return out + '</svg>';
  }

  function render() {
    var s = state;
    if (!s) return;
    var ago = (Date.now() - s.at) / 1000;
    var label = part('state');
    label.textContent = s.waiting ? 'waiting for the run to start' : s.live ? 'running' : 'not running';
    label.className = 'state' + (s.live ? ' live' : '');
    if (s.waiting) {
      part('counts').textContent = 'No run in ' + s.runDir + ' yet: this page follows it from its first job.';
      return;
    }
    var c = s.counts;
    part('counts').innerHTML = '<b>' + esc(s.name) + '</b>: <span data-count="done">' + c.done + '</span> of ' + c.total + ' jobs done, ' +
      '<span class="' + (c.failed ? 'failed' : '') + '">' + c.failed + ' failed</span>, ' + c.blocked + ' blocked, ' +
      c.running + ' running, ' + c.pending + ' pending';
    part('eta').textContent = s.eta ? s.eta.text : s.live ? '' : 'No run is going on in this folder.';
    var begun = s.running.filter(function (j) { return !j.queued; });
    var queued = s.running.length - begun.length;
    part('running').innerHTML = s.live ? '<h4>Running now</h4>' + (begun.length ? '<table>' + begun.map(function (j) {
      return '<tr data-running="' + esc(j.key) + '"><td>' + esc(j.key) + (j.report ? '<br><span class="muted">' + esc(j.report) + '</span>' : '') +
        '</td><td class="time">' + duration(j.seconds + ago) + '</td></tr>';
    }).join('') + '</table>' : '<p class="muted">none yet</p>') + (queued ? '<p class="muted">' + queued + ' queued for a thread</p>' : '') : '';
    var curves = s.curves;
    part('curves').innerHTML = curves.length ? '<h4>Training curves</h4><div class="charts">' +
      chart(curves, 'loss', 'training loss') + chart(curves, 'accuracy', 'training accuracy') +
      chart(curves, 'valAccuracy', 'validation accuracy') + '</div><div class="legend">' +
      curves.map(function (curve, i) {
        return '<span><i style="background:' + COLORS[i % COLORS.length] + '"></i>' + esc(curve.key) +
          (curve.running ? ' (epoch ' + (curve.points.length ? curve.points[curve.points.length - 1].epoch : 0) + (curve.epochs ? '/' + curve.epochs : '') + ')' : '') + '</span>';
      }).join('') + '</div>' : '';
    part('recent').innerHTML = s.recent.length ? '<h4>Just ended</h4><table>' + s.recent.map(function (e) {
      var when = new Date(e.at).toLocaleTimeString();
      return '<tr data-ended="' + esc(e.key) + '" data-event="' + e.event + '"><td class="' + (e.event === 'finished' ? '' : 'failed') + '">' +
        esc(e.key) + ' ' + (e.event === 'finished' ? 'done' : e.event) + (e.error ? ': ' + esc(e.error) : '') +
        '</td><td class="time">' + (e.seconds !== undefined ? duration(e.seconds) + ', ' : '') + when + '</td></tr>';
    }).join('') + '</table>' : '';
    var pages = JSON.stringify(s.pages);
    if (pagesSeen !== null && pages !== pagesSeen && s.pages.length)
      part('note').innerHTML = 'The report was written again: <a href="/">reload</a> to see it.';
    pagesSeen = pages;
  }

  function connect() {
    var source = new EventSource('/_live/events');
    source.onmessage = function (event) { state = JSON.parse(event.data); render(); };
    source.onerror = function () {
      var label = part('state');
      label.textContent = 'server gone: retrying…';
      label.className = 'state';
    };
  }
  connect();
  setInterval(render, 1000);
})();
`;

/** The live panel on a page of its own: a run folder with no report yet. */
export function livePage(runDir: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>probelab live: ${escapeHtml(runDir)}</title>`,
    '<link rel="stylesheet" href="/_live/live.css"><script src="/_live/live.js" defer></script></head>',
    `<body data-live="page"><p style="font:13px system-ui,sans-serif;max-width:1000px;margin:16px auto">Run folder ${escapeHtml(runDir)}: no report yet (it is written when the run ends, or by <code>run-experiments report</code>). <a href="/_live/state.json">state.json</a></p></body></html>`,
  ].join('\n');
}
