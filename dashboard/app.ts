/**
 * beacon-edge dashboard: polls /api/v1 every 3 s and draws the AWS demo's four panels with uPlot,
 * totals, CTA-2066 quality-of-experience tiles, regional diagnostics and bad rows.
 * Bundled by scripts/build-dashboard.mjs into dist/dashboard/app.js, which the local stack serves.
 */
import {
  getJson,
  type BadRowsAnswer,
  type BreakdownAnswer,
  type HealthAnswer,
  type QoeAnswer,
  type TimeseriesAnswer,
  type TotalsAnswer,
} from './api.js';
import { PANELS, drawSeries, resizeCharts } from './charts.js';
import { refreshDiagnostics, resizeDiagnostics } from './diagnostics.js';
import { byId, data, find } from './dom.js';
import { explorerRequested, startExplorer } from './explorer.js';
import { refreshRollout, resizeRollout, startRollout } from './rollout.js';
import { fmtTime } from './format.js';
import { refreshSources } from './sources.js';
import { drawBadRows, drawBreakdown } from './tables.js';
import { drawQoe, drawTotals, labelPanels } from './tiles.js';

const REFRESH_MS = 3000;

const state: {
  range: string;
  dimension: string;
  paused: boolean;
  timer: ReturnType<typeof setInterval> | undefined;
  inFlight: boolean;
} = {
  range: '15m',
  dimension: 'pop',
  paused: false,
  timer: undefined,
  inFlight: false,
};

function setStatus(ok: boolean, text: string): void {
  const el = byId('status');
  el.classList.toggle('ok', ok);
  el.classList.toggle('error', !ok);
  find('.text', el).textContent = text;
}

async function refresh(): Promise<void> {
  if (state.inFlight) return;
  state.inFlight = true;
  const r = `range=${state.range}`;
  void refreshDiagnostics(state.range);
  void refreshRollout(state.range);
  void refreshSources(state.range);
  try {
    const [ts, totals, qoe, breakdown, bad, health] = await Promise.all([
      getJson<TimeseriesAnswer>(`/api/v1/timeseries?types=${PANELS.join(',')}&${r}`),
      getJson<TotalsAnswer>(`/api/v1/totals?${r}`),
      getJson<QoeAnswer>(`/api/v1/qoe?${r}`),
      getJson<BreakdownAnswer>(`/api/v1/breakdown?dimension=${state.dimension}&${r}&limit=15`),
      getJson<BadRowsAnswer>(`/api/v1/bad-rows?${r}&limit=25`),
      getJson<HealthAnswer>('/api/v1/health'),
    ]);
    drawSeries(ts);
    drawTotals(totals);
    drawQoe(qoe);
    drawBreakdown(breakdown);
    drawBadRows(bad);
    byId('health').textContent =
      `up ${health.uptimeSeconds ?? '?'} s · store ${health.store ? health.store.kind : '?'}`;
    setStatus(true, `live · updated ${fmtTime(Date.now())}`);
  } catch (err) {
    setStatus(false, 'API unreachable — retrying');
    console.warn(err);
  } finally {
    state.inFlight = false;
  }
}

function schedule(): void {
  clearInterval(state.timer);
  if (!state.paused) state.timer = setInterval(refresh, REFRESH_MS);
}

/**
 * Makes the buttons under `group` a one-of choice: a click marks it with `aria` (and the others
 * not), hands its `data-<key>` to `choose` and refreshes.
 */
function choice(group: string, key: string, aria: string, choose: (value: string) => void): void {
  const buttons = document.querySelectorAll<HTMLButtonElement>(`${group} button`);
  for (const btn of buttons) {
    const value = data(btn, key);
    btn.addEventListener('click', () => {
      choose(value);
      for (const b of buttons) b.setAttribute(aria, String(b === btn));
      refresh();
    });
  }
}

function startDashboard(): void {
  labelPanels();
  new ResizeObserver(resizeCharts).observe(find('.panels'));
  new ResizeObserver(resizeDiagnostics).observe(byId('diagnose'));
  new ResizeObserver(resizeRollout).observe(byId('rollout'));
  startRollout(refresh);
  choice('.range', 'range', 'aria-pressed', (range) => {
    state.range = range;
  });
  choice('.tabs', 'dimension', 'aria-selected', (dimension) => {
    state.dimension = dimension;
  });
  const pause = byId('pause');
  pause.addEventListener('click', () => {
    state.paused = !state.paused;
    pause.setAttribute('aria-pressed', String(state.paused));
    pause.textContent = state.paused ? 'Resume' : 'Pause';
    schedule();
    if (!state.paused) refresh();
  });
  refresh();
  schedule();
}

// `?session=<id>` or `?sessions=<slice>` open the session explorer (explorer.ts) instead.
const explorer = explorerRequested();
if (explorer) startExplorer(explorer);
else startDashboard();
