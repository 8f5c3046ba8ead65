/**
 * The Rollout card: per schema version or SDK release (`GET /api/v1/rollout`), each version's
 * share of events, bad-row rate, error rate and startup p50 over time (one uPlot chart each, a
 * line per version) and a table of the range's totals with the rollout switch's refusals, so a
 * team sees a new version's share grow and spots one that produces bad rows or fails.
 */
import type UPlot from 'uplot';
import type {
  RolloutAnswer,
  RolloutPoint,
  RolloutVersion,
} from '../core-pipeline/queries/rollout-answers.js';
import { getJson } from './api.js';
import { byId, data } from './dom.js';
import { fmtInt, fmtMs, fmtTime, level, type Level } from './format.js';
import { ROLLOUT_PANELS, type RolloutMetric, type RolloutPanelDef } from './rollout-panels.js';

declare const uPlot: typeof UPlot;

/** The API answer: the window as ISO times. */
export type RolloutApiAnswer = Omit<RolloutAnswer, 'fromMs' | 'toMs'> & {
  since: string;
  to: string;
};

const HEIGHT = 180;
const MIN_WIDTH = 240;
/** Version colours, handed out in version order (see colorOf). */
const COLORS = ['#4cc2ff', '#ffb454', '#c49bff', '#3fd0a4', '#f85149', '#e6edf3', '#8b98a9'];
const AXIS = {
  stroke: '#8b98a9',
  grid: { stroke: '#263041', width: 1 },
  ticks: { stroke: '#263041', width: 1 },
  font: '11px system-ui',
};
/** The four charts of the card. */
const CHARTS = ROLLOUT_PANELS.slice(0, 4);
/** A point's value for each panel metric (every one, so a panel moved into CHARTS still draws). */
const VALUE: Record<RolloutMetric, (p: RolloutPoint) => number | null> = {
  share: (p) => p.share,
  bad_row_rate: (p) => p.badRowRate,
  error_rate: (p) => p.errorRate,
  startup_p50: (p) => p.startupP50Ms,
  events: (p) => p.events,
  plays: (p) => p.plays,
  refusals: (p) => p.refusedRequests,
  totals: () => null,
};

/**
 * A version's colour, from its place among the answer's versions sorted by name: the table and
 * charts are ordered by events, and a new version overtaking an old one must not swap colours.
 */
function colorOf(a: RolloutApiAnswer, version: string): string {
  const names = a.versions
    .map((v) => v.version)
    .sort((x, y) => x.localeCompare(y, 'en', { numeric: true }));
  return COLORS[names.indexOf(version) % COLORS.length];
}

const state: { by: string; charts: Map<string, { plot: UPlot; key: string }> } = {
  by: 'schema',
  charts: new Map(),
};

/** A ratio as a percentage with one or two decimals. */
const fmtRatio = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : `${(v * 100).toFixed(v < 0.1 ? 2 : 1)} %`;

function fmt(panel: RolloutPanelDef, v: number | null | undefined): string {
  return panel.unit === 'ms' ? fmtMs(v) : fmtRatio(v);
}

function drawChart(panel: (typeof CHARTS)[number], a: RolloutApiAnswer): void {
  const el = byId(`chart-${panel.id}`);
  // A chart is rebuilt when its versions change (uPlot's series are fixed at creation).
  const key = `${a.by}:${a.series.map((s) => s.label).join('|')}`;
  let chart = state.charts.get(panel.id);
  if (chart && chart.key !== key) {
    chart.plot.destroy();
    chart = undefined;
  }
  const value = (_u: UPlot, v: number | null) => fmt(panel, v);
  if (!chart) {
    const plot = new uPlot(
      {
        width: Math.max(MIN_WIDTH, el.clientWidth),
        height: HEIGHT,
        padding: [8, 8, 0, 0],
        legend: { show: true, live: true },
        scales: {
          x: { time: true },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] },
        },
        axes: [AXIS, { ...AXIS, size: 68, values: (_u, ticks) => ticks.map((t) => fmt(panel, t)) }],
        series: [
          {
            label: 'time',
            value: (_u, v: number | null) => (v === null ? '–' : fmtTime(v * 1000)),
          },
          ...a.series.map((s) => ({
            label: s.label,
            stroke: colorOf(a, s.version),
            width: 2,
            spanGaps: false,
            value,
          })),
        ],
      },
      [[]],
      el,
    );
    chart = { plot, key };
    state.charts.set(panel.id, chart);
  }
  const xs = (a.series[0]?.points ?? []).map((p) => p.t / 1000);
  chart.plot.setData([xs, ...a.series.map((s) => s.points.map(VALUE[panel.metric]))]);
}

function cell(text: string, cls?: Level | 'left' | 'empty'): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

/** A version's refusals: the total and, in the title, per reason. */
function refusalsCell(v: RolloutVersion): HTMLTableCellElement {
  const reasons = Object.entries(v.refusalsByReason).filter(([, n]) => n > 0);
  const td = cell(
    reasons.length === 0
      ? '0'
      : `${fmtInt(v.refusedRequests)} (${reasons.map(([r, n]) => `${r.replace(/_/g, ' ')} ${fmtInt(n)}`).join(', ')})`,
    reasons.length > 0 ? 'warn' : undefined,
  );
  td.title = `${fmtInt(v.refusedEvents)} events refused with these requests (not stored)`;
  return td;
}

function drawTable(a: RolloutApiAnswer): void {
  const tbody = byId('rollout-rows', HTMLTableSectionElement);
  byId('rollout-version-head').textContent = a.by === 'sdk' ? 'SDK release' : 'Schema version';
  if (a.versions.length === 0) {
    const tr = document.createElement('tr');
    const td = cell('No events, bad rows or refusals in this range', 'empty');
    td.colSpan = 10;
    tr.appendChild(td);
    tbody.replaceChildren(tr);
    return;
  }
  tbody.replaceChildren(
    ...a.versions.map((v) => {
      const tr = document.createElement('tr');
      tr.dataset.version = v.version;
      const name = cell(v.label, 'left');
      name.style.borderLeft = `3px solid ${colorOf(a, v.version)}`;
      tr.append(
        name,
        cell(fmtInt(v.events)),
        cell(fmtRatio(v.share)),
        cell(fmtInt(v.sessions)),
        cell(fmtInt(v.plays)),
        cell(fmtInt(v.badRows)),
        cell(fmtRatio(v.badRowRate), level(v.badRowRate, 0.01, 0.05)),
        cell(fmtRatio(v.errorRate), level(v.errorRate, 0.02, 0.05)),
        cell(`${fmtMs(v.startupP50Ms)} / ${fmtMs(v.startupP95Ms)}`),
        refusalsCell(v),
      );
      return tr;
    }),
  );
}

/** Fetches and draws the card for `range`; never throws (a failure shows in the card's summary). */
export async function refreshRollout(range: string): Promise<void> {
  const by = state.by;
  try {
    const a = await getJson<RolloutApiAnswer>(`/api/v1/rollout?range=${range}&by=${by}`);
    if (by !== state.by) return;
    for (const panel of CHARTS) drawChart(panel, a);
    drawTable(a);
    byId('rollout-summary').textContent =
      `${a.versions.length} version${a.versions.length === 1 ? '' : 's'} · ${fmtInt(a.total.events)} events · ${fmtInt(a.total.refusedRequests)} refused requests · per ${a.bucketSeconds / 60} min`;
  } catch (err) {
    byId('rollout-summary').textContent = `rollout unavailable: ${(err as Error).message}`;
  }
}

/** Wires the card's tabs (schema / SDK); `refresh` redraws the page. */
export function startRollout(refresh: () => void): void {
  for (const panel of CHARTS) {
    const box = byId(`chart-${panel.id}`).parentElement;
    if (!box) continue;
    const [title, hint] = [box.querySelector('h3'), box.querySelector('.panel-sub')];
    if (title) title.textContent = panel.title;
    if (hint) hint.textContent = panel.hint;
  }
  const buttons = document.querySelectorAll<HTMLButtonElement>('#rollout-by button');
  for (const btn of buttons)
    btn.addEventListener('click', () => {
      state.by = data(btn, 'by');
      for (const b of buttons) b.setAttribute('aria-selected', String(b === btn));
      refresh();
    });
}

/** Fits the charts to their panels' widths. */
export function resizeRollout(): void {
  for (const [id, chart] of state.charts) {
    const el = document.getElementById(`chart-${id}`);
    if (el) chart.plot.setSize({ width: Math.max(MIN_WIDTH, el.clientWidth), height: HEIGHT });
  }
}
