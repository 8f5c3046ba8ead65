/**
 * The Diagnostics view: the slices significantly worse than the rest (`GET /api/v1/diagnose`),
 * each with its value against the rest's, samples and significance, a way to its example
 * sessions, and the top finding's metric per minute, slice against rest, drawn with uPlot.
 * It refreshes less often than the rest of the page: each answer tests every slice of the window.
 */
import type UPlot from 'uplot';
import type { Finding } from '../core-pipeline/diagnose/diagnose.js';
import type { DiagnoseAnswer } from '../core-pipeline/diagnose/run.js';
import { getJson } from './api.js';
import { byId } from './dom.js';
import { fmtInt, fmtMs, fmtTime } from './format.js';

declare const uPlot: typeof UPlot;

/** Seconds between two diagnose requests for the same range. */
const REFRESH_MS = 15_000;
const HEIGHT = 220;
const SLICE_COLOR = '#f85149';
const REST_COLOR = '#8b98a9';

/** A metric value in its unit. */
function fmtMetric(unit: Finding['unit'], v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  if (unit === 'ratio') return `${(v * 100).toFixed(v < 0.1 ? 2 : 1)} %`;
  if (unit === 'ms') return fmtMs(v);
  if (unit === 'per_minute') return `${v.toFixed(2)}/min`;
  return v >= 1e6 ? `${(v / 1e6).toFixed(2)} Mb/s` : `${Math.round(v / 1e3)} kb/s`;
}

const sliceName = (f: Pick<Finding, 'dimension' | 'value'>) =>
  `${f.dimension}=${f.value === '' ? '(none)' : f.value}`;

const metricName = (f: Finding) =>
  f.metric === 'startup_time' ? `${f.label} p${f.startup?.quantile ?? 50}` : f.label;

/** p from its log10, readable at any size. */
const fmtP = (log10P: number) => {
  if (log10P > -3) return (10 ** log10P).toFixed(3);
  const e = Math.floor(log10P);
  return `${(10 ** (log10P - e)).toFixed(1)}e${e}`;
};

/**
 * The session-explorer list of a slice's recent sessions (the page and API the session
 * explorer serves). One place to change if its parameters do.
 */
function sliceSessionsUrl(f: Pick<Finding, 'dimension' | 'value'>, range: string): string {
  return `/api/v1/sessions?${new URLSearchParams({ range, [f.dimension]: f.value, limit: '5' })}`;
}

/** The page of one session. */
const sessionUrl = (id: string) => `/dashboard?${new URLSearchParams({ session: id })}`;

let last: { range: string; at: number } | undefined;
let chart: UPlot | undefined;

function td(text: string, cls?: string): HTMLTableCellElement {
  const cell = document.createElement('td');
  cell.textContent = text;
  if (cls) cell.className = cls;
  return cell;
}

/** Fetches a slice's example sessions under its row (links to each session's page). */
async function showSessions(f: Finding, range: string, into: HTMLElement): Promise<void> {
  into.textContent = 'loading sessions…';
  try {
    const r = await getJson<{ sessions: { sessionId: string; outcome: string }[] }>(
      sliceSessionsUrl(f, range),
    );
    if (r.sessions.length === 0) {
      into.textContent = 'no sessions of this slice in range';
      return;
    }
    into.replaceChildren(
      ...r.sessions.map((s) => {
        const a = document.createElement('a');
        a.href = sessionUrl(s.sessionId);
        a.textContent = `${s.sessionId.slice(0, 8)} (${s.outcome.replace(/_/g, ' ')})`;
        return a;
      }),
    );
  } catch (err) {
    into.textContent = 'session list unavailable';
    console.warn(err);
  }
}

function row(f: Finding, i: number, range: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  if (i === 0) tr.className = 'worst';
  tr.appendChild(td(String(i + 1)));
  tr.appendChild(td(metricName(f), 'left'));
  const slice = td(sliceName(f), 'left');
  if (f.sameSessionsAs?.length) {
    slice.title = `nearly the same sessions as ${f.sameSessionsAs.map(sliceName).join(', ')}`;
    slice.appendChild(document.createElement('br'));
    const same = document.createElement('small');
    same.className = 'muted';
    same.textContent = `≈ ${f.sameSessionsAs.map(sliceName).join(', ')}`;
    slice.appendChild(same);
  }
  tr.appendChild(slice);
  tr.appendChild(td(fmtMetric(f.unit, f.sliceValue), 'bad'));
  tr.appendChild(td(fmtMetric(f.unit, f.baselineValue)));
  tr.appendChild(
    td(f.relativeEffect === null ? 'from 0' : `+${Math.round(f.relativeEffect * 100)} %`),
  );
  const unit = f.sample.unit.replace('_', ' ');
  tr.appendChild(td(`${fmtInt(f.sample.slice)} / ${fmtInt(f.sample.baseline)} ${unit}`));
  const sig = td(`p ${fmtP(f.log10P)}`);
  sig.title = `${f.test}, z = ${f.z.toFixed(1)}, q (Benjamini–Hochberg) = ${f.q.toPrecision(2)}`;
  tr.appendChild(sig);
  const sessions = td('', 'left');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'ghost small';
  button.textContent = 'Sessions ›';
  button.dataset.slice = sliceName(f);
  button.addEventListener('click', () => void showSessions(f, range, sessions));
  sessions.appendChild(button);
  tr.appendChild(sessions);
  return tr;
}

function drawChart(top: NonNullable<DiagnoseAnswer['top']>): void {
  const el = byId('diagnose-chart');
  const f = top.finding;
  byId('diagnose-chart-title').textContent =
    `${metricName(f)} per minute: ${sliceName(f)} against the rest`;
  chart?.destroy();
  const value = (_u: UPlot, v: number | null) => fmtMetric(f.unit, v);
  chart = new uPlot(
    {
      width: Math.max(280, el.clientWidth),
      height: HEIGHT,
      padding: [8, 8, 0, 0],
      scales: { x: { time: true } },
      axes: [
        { stroke: REST_COLOR, font: '11px system-ui' },
        {
          stroke: REST_COLOR,
          font: '11px system-ui',
          size: 64,
          values: (_u, ticks) => ticks.map((t) => fmtMetric(f.unit, t)),
        },
      ],
      series: [
        { label: 'time', value: (_u, v: number | null) => (v === null ? '–' : fmtTime(v * 1000)) },
        { label: sliceName(f), stroke: SLICE_COLOR, width: 2, spanGaps: false, value },
        { label: 'rest', stroke: REST_COLOR, width: 1.5, dash: [4, 4], value },
      ],
    },
    [
      top.series.map((p) => p.t / 1000),
      top.series.map((p) => p.slice),
      top.series.map((p) => p.baseline),
    ],
    el,
  );
}

/** Draws an answer: the findings table, the summary line and the top finding's chart. */
function drawDiagnose(a: DiagnoseAnswer, range: string): void {
  const tbody = byId('diagnose-rows', HTMLTableSectionElement);
  byId('diagnose-summary').textContent =
    `${a.testsRun} tests over ${fmtInt(a.audience.plays)} plays; reported when ≥ ${Math.round(a.minRelativeEffect * 100)} % worse at a false discovery rate of ${a.alpha * 100} %`;
  const chartCard = byId('diagnose-top');
  if (a.findings.length === 0) {
    const empty = td(
      a.testsRun === 0
        ? 'Not enough plays or watch time in this range to compare slices yet.'
        : 'Nothing significantly worse than the rest.',
      'empty',
    );
    empty.colSpan = 9;
    const tr = document.createElement('tr');
    tr.appendChild(empty);
    tbody.replaceChildren(tr);
    chartCard.hidden = true;
    chart?.destroy();
    chart = undefined;
    return;
  }
  tbody.replaceChildren(...a.findings.map((f, i) => row(f, i, range)));
  if (a.top) {
    chartCard.hidden = false;
    drawChart(a.top);
  }
}

/** Refreshes the view when the range changed or REFRESH_MS passed; never throws. */
export async function refreshDiagnostics(range: string, now = Date.now()): Promise<void> {
  if (last && last.range === range && now - last.at < REFRESH_MS) return;
  last = { range, at: now };
  try {
    drawDiagnose(await getJson<DiagnoseAnswer>(`/api/v1/diagnose?range=${range}&limit=10`), range);
  } catch (err) {
    last = undefined;
    byId('diagnose-summary').textContent = `diagnose unavailable: ${(err as Error).message}`;
  }
}

/** Fits the chart to its card's width. */
export function resizeDiagnostics(): void {
  const el = document.getElementById('diagnose-chart');
  if (chart && el) chart.setSize({ width: Math.max(280, el.clientWidth), height: HEIGHT });
}
