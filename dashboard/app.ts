// beacon-edge dashboard: polls /api/v1 every 3 s and draws the AWS demo's four panels with uPlot,
// totals, CTA-2066 quality-of-experience tiles, regional diagnostics and bad rows.
// Plain browser JavaScript, no build step: the local stack serves this file as is.
(function () {
  'use strict';

  const REFRESH_MS = 3000;
  const PANELS = ['started', 'paused', 'volume_changed', 'variant_loaded'];
  const COLORS = {
    started: '#4cc2ff',
    paused: '#c49bff',
    volume_changed: '#3fd0a4',
    variant_loaded: '#ffb454',
  };
  const AXIS = {
    stroke: '#8b98a9',
    grid: { stroke: '#263041', width: 1 },
    ticks: { stroke: '#263041', width: 1 },
  };

  const state = {
    range: '15m',
    dimension: 'pop',
    paused: false,
    charts: {},
    timer: null,
    inFlight: false,
  };
  const $ = (id) => document.getElementById(id);

  // ---------- formatting ----------
  const nf = new Intl.NumberFormat();
  const fmtInt = (n) => (n === null || n === undefined ? '–' : nf.format(Math.round(n)));
  const fmtMs = (ms) =>
    ms === null || ms === undefined
      ? '–'
      : ms >= 10000
        ? `${(ms / 1000).toFixed(1)} s`
        : ms >= 1000
          ? `${(ms / 1000).toFixed(2)} s`
          : `${Math.round(ms)} ms`;
  const fmtPct = (p, digits = 2) =>
    p === null || p === undefined ? '–' : `${p.toFixed(digits)} %`;
  const fmtBps = (b) =>
    b === null || b === undefined
      ? '–'
      : b >= 1e6
        ? `${(b / 1e6).toFixed(2)} Mb/s`
        : `${Math.round(b / 1e3)} kb/s`;
  const fmtTime = (ms) =>
    new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const fmtDim = (dim, v) => (dim === 'asn' && /^\d+$/.test(v) ? `AS${v}` : v);

  async function getJson(path) {
    const res = await fetch(path, { cache: 'no-store' });
    const body = await res.json().catch(() => ({}));
    if (!res.ok)
      throw new Error(`${path}: ${res.status} ${body.error || ''} ${body.detail || ''}`.trim());
    return body;
  }

  // ---------- charts ----------
  function bucketLabel(seconds) {
    return seconds >= 60 ? `events per ${seconds / 60} min` : `events per ${seconds} s`;
  }

  function makeChart(type, el, bucketSeconds) {
    const width = Math.max(280, el.clientWidth);
    const opts = {
      width,
      height: 230,
      padding: [8, 8, 0, 0],
      legend: { show: true, live: true },
      cursor: { points: { size: 6 }, drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: { range: (u, min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] },
      },
      axes: [
        {
          ...AXIS,
          label: 'time',
          labelSize: 18,
          labelFont: '12px system-ui',
          font: '11px system-ui',
        },
        {
          ...AXIS,
          label: bucketLabel(bucketSeconds),
          labelSize: 20,
          labelFont: '12px system-ui',
          font: '11px system-ui',
          size: 48,
        },
      ],
      series: [
        { label: 'time', value: (u, v) => (v === null ? '–' : fmtTime(v * 1000)) },
        {
          label: type,
          stroke: COLORS[type],
          fill: `${COLORS[type]}40`,
          width: 1.5,
          paths: uPlot.paths.bars({ size: [0.85, 40], gap: 1 }),
          points: { show: false },
          value: (u, v) => (v === null ? '–' : fmtInt(v)),
        },
      ],
    };
    return new uPlot(opts, [[], []], el);
  }

  function drawSeries(ts) {
    for (const type of PANELS) {
      const points = (ts.series && ts.series[type]) || [];
      const xs = points.map((p) => p[0] / 1000);
      const ys = points.map((p) => p[1]);
      const el = $(`chart-${type}`);
      let chart = state.charts[type];
      if (chart && chart.bucketSeconds !== ts.bucketSeconds) {
        chart.destroy();
        chart = undefined;
      }
      if (!chart) {
        chart = makeChart(type, el, ts.bucketSeconds);
        chart.bucketSeconds = ts.bucketSeconds;
        state.charts[type] = chart;
      }
      chart.setData([xs, ys]);
    }
  }

  const resize = () => {
    for (const type of PANELS) {
      const chart = state.charts[type];
      if (chart)
        chart.setSize({ width: Math.max(280, $(`chart-${type}`).clientWidth), height: 230 });
    }
  };
  new ResizeObserver(resize).observe(document.querySelector('.panels'));

  // ---------- tiles ----------
  function setTile(id, text, level) {
    const el = $(id);
    el.textContent = text;
    const tile = el.closest('.tile');
    tile.classList.toggle('warn', level === 'warn');
    tile.classList.toggle('bad', level === 'bad');
  }

  function drawTotals(t) {
    setTile('t-total', fmtInt(t.events));
    for (const type of PANELS) setTile(`t-${type}`, fmtInt(t.byType ? t.byType[type] : null));
    setTile('t-sessions', fmtInt(t.sessions));
    $('t-total-hint').textContent = t.lastReceivedAt
      ? `last at ${fmtTime(t.lastReceivedAt)}`
      : 'nothing received in range';
  }

  function drawQoe(q) {
    const p95 = q.startup ? q.startup.p95Ms : null;
    const stalled = q.stalls ? q.stalls.stalledPct : null;
    const failures = (q.startFailures || 0) + (q.playbackFailures || 0);
    setTile('q-plays', fmtInt(q.plays));
    setTile('q-startup-p50', fmtMs(q.startup ? q.startup.p50Ms : null));
    setTile('q-startup-p95', fmtMs(p95), p95 > 4000 ? 'bad' : p95 > 2000 ? 'warn' : undefined);
    setTile('q-stalled', fmtPct(stalled), stalled > 2 ? 'bad' : stalled > 0.5 ? 'warn' : undefined);
    setTile(
      'q-failures',
      fmtInt(failures),
      q.errorRate > 0.05 ? 'bad' : q.errorRate > 0.01 ? 'warn' : undefined,
    );
    $('q-failures-hint').textContent =
      q.errorRate === null || q.errorRate === undefined
        ? 'fatal errors'
        : `${(q.errorRate * 100).toFixed(1)} % of plays`;
    setTile('q-bitrate', fmtBps(q.bitrate ? q.bitrate.averageBps : null));
  }

  // ---------- tables ----------
  function cell(text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  function emptyRow(tbody, cols, text) {
    const tr = document.createElement('tr');
    const td = cell(text, 'empty');
    td.colSpan = cols;
    tr.appendChild(td);
    tbody.replaceChildren(tr);
  }

  const DIM_LABELS = {
    pop: 'POP',
    country: 'Country',
    serving_region: 'Serving region',
    asn: 'ASN',
  };

  function drawBreakdown(b) {
    const table = $('breakdown');
    const head = document.createElement('tr');
    for (const h of [
      DIM_LABELS[b.dimension] || b.dimension,
      'Sessions',
      'Impacted',
      'Startup p95',
      'Stalled',
      'Start failures',
      'Exits before start',
    ]) {
      const th = document.createElement('th');
      th.textContent = h;
      head.appendChild(th);
    }
    table.tHead.replaceChildren(head);
    const tbody = table.tBodies[0];
    if (!b.rows || b.rows.length === 0) return emptyRow(tbody, 7, 'No sessions in this range');
    const maxSessions = Math.max(...b.rows.map((r) => r.sessions), 1);
    // The API ranks the slices (most impacted sessions beyond the window's overall rate first) and
    // gives each row's excess; impacted − excess is what the overall rate predicts for that row,
    // so the overall rate of the whole window (not just these rows) follows from any row.
    const ref = b.rows.find((r) => r.sessions > 0);
    const overallPct = ref ? (100 * (ref.impactedSessions - ref.excessImpacted)) / ref.sessions : 0;
    const rows = b.rows.map((r, i) => {
      const tr = document.createElement('tr');
      if (i === 0 && r.excessImpacted >= 1) tr.className = 'worst';
      const name = cell(fmtDim(b.dimension, r.value));
      tr.appendChild(name);
      const sessions = cell(fmtInt(r.sessions));
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${Math.round((40 * r.sessions) / maxSessions)}px`;
      sessions.appendChild(bar);
      tr.appendChild(sessions);
      // Coloured relative to the whole audience: long sessions stall now and then everywhere;
      // what matters is a slice doing clearly worse than the rest.
      const impactedPct = r.sessions ? (100 * r.impactedSessions) / r.sessions : 0;
      const level =
        impactedPct >= 1.5 * overallPct && impactedPct - overallPct >= 10
          ? 'bad'
          : impactedPct >= 1.2 * overallPct
            ? 'warn'
            : '';
      tr.appendChild(cell(`${fmtInt(r.impactedSessions)} (${impactedPct.toFixed(0)} %)`, level));
      tr.appendChild(
        cell(
          fmtMs(r.startupP95Ms),
          r.startupP95Ms > 4000 ? 'bad' : r.startupP95Ms > 2000 ? 'warn' : '',
        ),
      );
      tr.appendChild(
        cell(fmtPct(r.stalledPct), r.stalledPct > 2 ? 'bad' : r.stalledPct > 0.5 ? 'warn' : ''),
      );
      tr.appendChild(cell(fmtInt(r.startFailures), r.startFailures > 0 ? 'warn' : ''));
      tr.appendChild(cell(fmtInt(r.exitsBeforeStart)));
      return tr;
    });
    tbody.replaceChildren(...rows);
  }

  function drawBadRows(b) {
    const chips = Object.entries(b.counts || {})
      .sort((x, y) => y[1] - x[1])
      .map(([reason, n]) => {
        const span = document.createElement('span');
        span.className = 'chip';
        span.textContent = reason;
        const count = document.createElement('b');
        count.textContent = fmtInt(n);
        span.appendChild(count);
        return span;
      });
    if (chips.length === 0) {
      const none = document.createElement('span');
      none.className = 'muted';
      none.textContent = 'No bad rows in this range.';
      chips.push(none);
    }
    $('bad-counts').replaceChildren(...chips);
    const tbody = $('bad-rows').tBodies[0];
    if (!b.recent || b.recent.length === 0) return emptyRow(tbody, 5, 'No bad rows');
    tbody.replaceChildren(
      ...b.recent.map((r) => {
        const tr = document.createElement('tr');
        tr.appendChild(cell(fmtTime(r.received_at)));
        tr.appendChild(cell(r.reason, 'left'));
        tr.appendChild(cell(String(r.status || '–')));
        const detail = r.detail || '';
        tr.appendChild(cell(detail.length > 140 ? `${detail.slice(0, 140)}…` : detail, 'detail'));
        tr.appendChild(cell(r.pop || '–', 'left'));
        return tr;
      }),
    );
  }

  // ---------- refresh loop ----------
  function setStatus(ok, text) {
    const el = $('status');
    el.classList.toggle('ok', ok);
    el.classList.toggle('error', !ok);
    el.querySelector('.text').textContent = text;
  }

  async function refresh() {
    if (state.inFlight) return;
    state.inFlight = true;
    const r = `range=${state.range}`;
    try {
      const [ts, totals, qoe, breakdown, bad, health] = await Promise.all([
        getJson(`/api/v1/timeseries?types=${PANELS.join(',')}&${r}`),
        getJson(`/api/v1/totals?${r}`),
        getJson(`/api/v1/qoe?${r}`),
        getJson(`/api/v1/breakdown?dimension=${state.dimension}&${r}&limit=15`),
        getJson(`/api/v1/bad-rows?${r}&limit=25`),
        getJson('/api/v1/health'),
      ]);
      drawSeries(ts);
      drawTotals(totals);
      drawQoe(qoe);
      drawBreakdown(breakdown);
      drawBadRows(bad);
      $('health').textContent =
        `up ${health.uptimeSeconds ?? '?'} s · store ${health.store ? health.store.kind : '?'}`;
      setStatus(true, `live · updated ${fmtTime(Date.now())}`);
    } catch (err) {
      setStatus(false, 'API unreachable — retrying');
      console.warn(err);
    } finally {
      state.inFlight = false;
    }
  }

  function schedule() {
    clearInterval(state.timer);
    if (!state.paused) state.timer = setInterval(refresh, REFRESH_MS);
  }

  // ---------- controls ----------
  document.querySelectorAll('.range button').forEach((btn) =>
    btn.addEventListener('click', () => {
      state.range = btn.dataset.range;
      document
        .querySelectorAll('.range button')
        .forEach((b) => b.setAttribute('aria-pressed', String(b === btn)));
      refresh();
    }),
  );
  document.querySelectorAll('.tabs button').forEach((btn) =>
    btn.addEventListener('click', () => {
      state.dimension = btn.dataset.dimension;
      document
        .querySelectorAll('.tabs button')
        .forEach((b) => b.setAttribute('aria-selected', String(b === btn)));
      refresh();
    }),
  );
  $('pause').addEventListener('click', () => {
    state.paused = !state.paused;
    $('pause').setAttribute('aria-pressed', String(state.paused));
    $('pause').textContent = state.paused ? 'Resume' : 'Pause';
    schedule();
    if (!state.paused) refresh();
  });

  refresh();
  schedule();
})();
