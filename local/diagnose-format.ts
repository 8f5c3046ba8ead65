/**
 * How `beacons diagnose` prints an answer for a human: the window and what was tested, a ranked
 * table of findings, and for the top finding its metric per minute for the slice against the
 * rest (sparklines over the window, values for the last minutes).
 */
import type { Finding } from '../core-pipeline/diagnose/diagnose.js';
import type { DiagnoseAnswer } from '../core-pipeline/diagnose/run.js';

/** A metric value in its unit, for people. */
export function formatValue(unit: Finding['unit'], v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  switch (unit) {
    case 'ratio':
      return `${(v * 100).toFixed(v < 0.1 ? 2 : 1)} %`;
    case 'ms':
      return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;
    case 'per_minute':
      return `${v.toFixed(2)}/min`;
    case 'bps':
      return v >= 1e6 ? `${(v / 1e6).toFixed(2)} Mbps` : `${Math.round(v / 1000)} kbps`;
  }
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const time = (iso: string | number) => new Date(iso).toISOString().slice(11, 16);

/** p as text, from its log10 (a p of 1e-300 underflows the number itself). */
export function formatP(log10P: number): string {
  if (log10P > -3) return (10 ** log10P).toFixed(4);
  const e = Math.floor(log10P);
  return `${(10 ** (log10P - e)).toFixed(1)}e${e}`;
}

/** `dimension=value`, with `(none)` for slices without the dimension. */
export const sliceName = (f: Pick<Finding, 'dimension' | 'value'>) =>
  `${f.dimension}=${f.value === '' ? '(none)' : f.value}`;

function table(findings: Finding[]): string[] {
  const rows = findings.map((f, i) => [
    String(i + 1),
    f.metric === 'startup_time' ? `${f.label} p${f.startup?.quantile ?? 50}` : f.label,
    sliceName(f) +
      (f.sameSessionsAs?.length ? ` (≈ ${f.sameSessionsAs.map(sliceName).join(', ')})` : ''),
    formatValue(f.unit, f.sliceValue),
    formatValue(f.unit, f.baselineValue),
    f.relativeEffect === null
      ? 'new'
      : `${f.difference > 0 ? '+' : '−'}${Math.round(f.relativeEffect * 100)} %`,
    `${count(f.sample.slice)} / ${count(f.sample.baseline)} ${f.sample.unit.replace('_', ' ')}`,
    formatP(f.log10P),
  ]);
  const head = [
    '#',
    'metric',
    'slice',
    'its value',
    'rest',
    'worse',
    'samples (slice / rest)',
    'p',
  ];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c >= 3 && c <= 5 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

const BARS = '▁▂▃▄▅▆▇█';

/** One sparkline per series over a shared scale; gaps (no data) are spaces. */
export function sparklines(series: (number | null)[][]): string[] {
  const values = series.flat().filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values, lo);
  return series.map((s) =>
    s
      .map((v) =>
        v === null || !Number.isFinite(v)
          ? ' '
          : BARS[hi > lo ? Math.min(7, Math.floor(((v - lo) / (hi - lo)) * 8)) : 0],
      )
      .join(''),
  );
}

function explanation(top: NonNullable<DiagnoseAnswer['top']>): string[] {
  const f = top.finding;
  const [slice, rest] = sparklines([
    top.series.map((p) => p.slice),
    top.series.map((p) => p.baseline),
  ]);
  const recent = top.series.filter((p) => p.slice !== null || p.baseline !== null).slice(-10);
  return [
    `Top finding per minute: ${f.label}${f.metric === 'startup_time' ? ` p${f.startup?.quantile ?? 50}` : ''}, ${sliceName(f)} against the rest`,
    `  ${time(top.series[0]?.t ?? 0)} ${slice} slice`,
    `  ${' '.repeat(5)} ${rest} rest`,
    ...recent.map(
      (p) =>
        `  ${time(p.t)}  slice ${formatValue(f.unit, p.slice).padStart(10)}   rest ${formatValue(f.unit, p.baseline).padStart(10)}`,
    ),
  ];
}

/** The human-readable report of an answer. */
export function formatDiagnose(a: DiagnoseAnswer): string {
  const minutes = Math.round((Date.parse(a.window.to) - Date.parse(a.window.from)) / 60_000);
  const head = [
    `Window ${a.window.from.slice(0, 10)} ${time(a.window.from)}–${time(a.window.to)} UTC (${minutes} min): ${count(a.audience.plays)} plays, ${count(a.audience.watchMinutes)} watch minutes`,
    `${a.testsRun} tests (slice against the rest, per metric); reported when worse by ≥ ${Math.round(a.minRelativeEffect * 100)} % at a false discovery rate of ${a.alpha * 100} %`,
    '',
  ];
  if (a.findings.length === 0)
    return [
      ...head,
      a.testsRun === 0
        ? 'Nothing to compare yet: no slice has enough plays or watch time in this window.'
        : 'Nothing significantly worse than the rest.',
    ].join('\n');
  return [
    ...head,
    ...table(a.findings),
    ...(a.found > a.findings.length
      ? [`(${a.found - a.findings.length} more; --limit shows more)`]
      : []),
    '',
    ...(a.top ? explanation(a.top) : []),
  ].join('\n');
}
