// mutt web UI: the dashboard. Polls the ingest rates and the pipeline overview every 10 s and
// the SLO report every 30 s; draws the 24-hour chart as SVG (no chart library, no CDN).
'use strict';

(() => {
  const { api, el, clear, fmtNum, fmtPct, badge } = Mutt;
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  /** Put `text` in element `id`, red when it reports an error. */
  function show(id, text, isError) {
    const n = $(id);
    n.textContent = text;
    n.classList.toggle('error', !!isError);
    n.classList.toggle('error-text', !!isError);
  }

  function svg(tag, attrs, text) {
    const n = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
    if (text !== undefined) n.textContent = text;
    return n;
  }

  /** A round upper bound for the y axis (1, 2, 2.5, 5 × 10^n) at or above `v`. */
  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  /**
   * Smooth path through `pts` (Chart.js-style spline, tension 0.3) with control points kept
   * inside [top, bottom] so the curve never dips below zero.
   */
  function splinePath(pts, top, bottom) {
    if (pts.length === 0) return '';
    const t = 0.3;
    const clampY = (y) => Math.min(bottom, Math.max(top, y));
    const ctrl = pts.map((p, i) => {
      const prev = pts[i - 1] || p;
      const next = pts[i + 1] || p;
      const d01 = Math.hypot(p.x - prev.x, p.y - prev.y);
      const d12 = Math.hypot(next.x - p.x, next.y - p.y);
      const sum = d01 + d12 || 1;
      const fa = (t * d01) / sum;
      const fb = (t * d12) / sum;
      return {
        before: { x: p.x - fa * (next.x - prev.x), y: clampY(p.y - fa * (next.y - prev.y)) },
        after: { x: p.x + fb * (next.x - prev.x), y: clampY(p.y + fb * (next.y - prev.y)) },
      };
    });
    let d = `M${pts[0].x.toFixed(1)},${pts[0].y.toFixed(1)}`;
    for (let i = 1; i < pts.length; i++) {
      const a = ctrl[i - 1].after;
      const b = ctrl[i].before;
      d += ` C${a.x.toFixed(1)},${a.y.toFixed(1)} ${b.x.toFixed(1)},${b.y.toFixed(1)} ${pts[i].x.toFixed(1)},${pts[i].y.toFixed(1)}`;
    }
    return d;
  }

  /** Draw the 24-hour line chart into the SVG element. */
  function drawChart(node, labels, data) {
    const W = 900, H = 320;
    const m = { l: 64, r: 20, t: 16, b: 56 };
    const pw = W - m.l - m.r, ph = H - m.t - m.b;
    const values = data.map((v) => (typeof v === 'number' && isFinite(v) ? v : 0));
    const yMax = niceMax(Math.max(0, ...values));
    const n = values.length;
    const x = (i) => m.l + (n > 1 ? (i * pw) / (n - 1) : pw / 2);
    const y = (v) => m.t + ph - (v / yMax) * ph;
    clear(node);

    const ticks = 5;
    for (let k = 0; k <= ticks; k++) {
      const v = (yMax * k) / ticks;
      const yy = y(v);
      node.append(svg('line', { class: 'grid', x1: m.l, x2: W - m.r, y1: yy, y2: yy }));
      const label = yMax < 5 ? v.toFixed(2) : yMax < 50 ? v.toFixed(1) : v.toFixed(0);
      node.append(svg('text', { class: 'tick', x: m.l - 8, y: yy + 4, 'text-anchor': 'end' }, label));
    }
    node.append(svg('line', { class: 'axis', x1: m.l, x2: m.l, y1: m.t, y2: m.t + ph }));
    node.append(svg('line', { class: 'axis', x1: m.l, x2: W - m.r, y1: m.t + ph, y2: m.t + ph }));

    // Every second hour label: 24 labels do not fit side by side on a narrow screen.
    labels.forEach((lab, i) => {
      if (i % 2 === 0) {
        node.append(svg('text', { class: 'tick', x: x(i), y: m.t + ph + 18, 'text-anchor': 'middle' }, String(lab)));
      }
    });
    node.append(svg('text', { class: 'axis-title', x: m.l + pw / 2, y: H - 8, 'text-anchor': 'middle' }, 'Hour (UTC)'));
    node.append(svg('text', {
      class: 'axis-title', x: 0, y: 0, 'text-anchor': 'middle',
      transform: `translate(16 ${m.t + ph / 2}) rotate(-90)`,
    }, 'Avg Events / Min'));

    if (n === 0) return;
    const pts = values.map((v, i) => ({ x: x(i), y: y(v) }));
    const line = splinePath(pts, m.t, m.t + ph);
    const base = m.t + ph;
    node.append(svg('path', {
      class: 'area',
      d: `${line} L${pts[n - 1].x.toFixed(1)},${base} L${pts[0].x.toFixed(1)},${base} Z`,
    }));
    node.append(svg('path', { class: 'line', d: line }));
    pts.forEach((p, i) => {
      const dot = svg('circle', { class: 'point', cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: 3 });
      dot.append(svg('title', {}, `${labels[i] || ''} (UTC): ${values[i].toFixed(2)} Avg Events / Min`));
      node.append(dot);
    });
  }

  function stamp() {
    $('updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
  }

  async function refreshMetrics() {
    try {
      const m = await api('GET', '/api/v2/metrics');
      const s = m.summary || {};
      show('current-rate', fmtNum(s.current_rate_1m, 2));
      show('avg-15m', fmtNum(s.avg_rate_15m, 2));
      show('avg-1h', fmtNum(s.avg_rate_1h, 2));
      const c = m.chart_24h || { labels: [], data: [] };
      drawChart($('rate-chart'), c.labels || [], c.data || []);
      Mutt.showMessage($('chart-error'), '');
      stamp();
    } catch (e) {
      for (const id of ['current-rate', 'avg-15m', 'avg-1h']) show(id, 'Error', true);
      Mutt.showMessage($('chart-error'), e.message, 'error', e);
    }
  }

  async function refreshOverview() {
    const ids = ['q-ingest', 'q-alert', 'q-retry', 'p-alerter', 'p-moog', 'dlq-alerter', 'dlq-moog',
      'dlq-dead', 'rules-active', 'rules-total'];
    try {
      const o = await api('GET', '/api/v2/overview');
      const q = o.queues || {}, p = o.processing || {}, d = o.dlq || {}, r = o.rules || {};
      const num = (v) => (typeof v === 'number' ? v.toLocaleString() : 'n/a');
      show('q-ingest', num(q.ingest));
      show('q-alert', num(q.alert));
      show('q-retry', num(q.retry));
      show('p-alerter', num(p.alerter));
      show('p-moog', num(p.moog));
      show('dlq-alerter', num(d.alerter), d.alerter > 0);
      show('dlq-moog', num(d.moog), d.moog > 0);
      show('dlq-dead', num(d.dead), d.dead > 0);
      show('rules-active', num(r.active));
      show('rules-total', num(r.total));
      const silences = o.silences || [];
      clear($('silences-table').tBodies[0]).append(...(silences.length
        ? silences.map((x) => el('tr', { dataset: { silenceId: String(x.id) } },
          el('td', { class: 'num', text: String(x.id) }),
          el('td', {}, badge(x.state, x.state)),
          el('td', { class: 'mono', text: x.matchers + (x.schedule ? ' every ' + x.schedule : '') }),
          el('td', { class: 'mono', text: x.ends_at }),
          el('td', { class: 'num', text: x.held_last_hour.toLocaleString() }),
          el('td', { text: x.comment })))
        : [el('tr', {}, el('td', { colspan: 6, class: 'empty', text: 'No silences: every matching event alerts.' }))]));
      const state = (o.breaker && o.breaker.state) || 'unknown';
      const b = clear($('breaker'));
      b.classList.remove('error', 'error-text');
      b.append(badge(state.replace('_', ' '), state));
    } catch (e) {
      for (const id of ids.concat(['breaker'])) show(id, 'Error', true);
    }
  }

  async function refreshSlo() {
    const body = $('slo-table').tBodies[0];
    try {
      const r = await api('GET', '/api/v2/slo');
      $('slo-window').textContent = r.window_hours ? '(last ' + r.window_hours + ' h)' : '';
      const rows = Object.entries(r.components || {}).map(([name, c]) => el('tr', {},
        el('td', { text: name }),
        el('td', { class: 'num', text: fmtPct(c.target, 2) }),
        el('td', { class: 'num', text: fmtPct(c.availability, 3) }),
        el('td', { class: 'num', text: fmtPct(c.error_budget_remaining, 1) }),
        el('td', { class: 'num', text: fmtNum(c.burn_rate, 2) }),
        el('td', {}, badge(c.state || 'unknown', c.state || 'unknown'))));
      clear(body).append(...(rows.length ? rows
        : [el('tr', {}, el('td', { colspan: 6, class: 'empty', text: 'No SLOs configured.' }))]));
    } catch (e) {
      clear(body).append(el('tr', {}, el('td', { colspan: 6, class: 'empty error-text', text: 'Error: ' + e.message })));
    }
  }

  drawChart($('rate-chart'), [], []);
  refreshMetrics();
  refreshOverview();
  refreshSlo();
  setInterval(() => { refreshMetrics(); refreshOverview(); }, 10000);
  setInterval(refreshSlo, 30000);
})();
