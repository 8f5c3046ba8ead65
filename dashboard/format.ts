/**
 * How the dashboard writes numbers, durations, rates and times, and when a value turns a tile or
 * cell amber or red. Missing values (null) show as an en dash.
 */
import type { PanelUnit } from './panels.js';

/** How bad a value looks: `undefined` is normal. */
export type Level = 'warn' | 'bad' | undefined;

const nf = new Intl.NumberFormat();

/** A count, rounded, with the locale's grouping. */
export const fmtInt = (n: number | null | undefined): string =>
  n === null || n === undefined ? '–' : nf.format(Math.round(n));

/** A duration: ms below a second, then seconds with two, above 10 s one decimal. */
export const fmtMs = (ms: number | null | undefined): string =>
  ms === null || ms === undefined
    ? '–'
    : ms >= 10000
      ? `${(ms / 1000).toFixed(1)} s`
      : ms >= 1000
        ? `${(ms / 1000).toFixed(2)} s`
        : `${Math.round(ms)} ms`;

/** A percentage that is already ×100. */
export const fmtPct = (p: number | null | undefined, digits = 2): string =>
  p === null || p === undefined ? '–' : `${p.toFixed(digits)} %`;

/** A bitrate in kb/s, or Mb/s from one megabit up. */
const fmtBps = (b: number | null | undefined): string =>
  b === null || b === undefined
    ? '–'
    : b >= 1e6
      ? `${(b / 1e6).toFixed(2)} Mb/s`
      : `${Math.round(b / 1e3)} kb/s`;

/** Wall-clock time of day (ms since epoch) with seconds. */
export const fmtTime = (ms: number): string =>
  new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** How a source (`sdk`: our beacons, `cmcd`: a player's CMCD reports) is named on the page. */
export const SOURCE_LABELS: Readonly<Record<string, string>> = { sdk: 'SDK', cmcd: 'CMCD' };

/** A breakdown slice's name: ASNs get their `AS` prefix, sources their label. */
export const fmtDim = (dim: string, v: string): string =>
  dim === 'asn' && /^\d+$/.test(v) ? `AS${v}` : dim === 'source' ? (SOURCE_LABELS[v] ?? v) : v;

/** `bad` above `bad`, `warn` above `warn`, else normal; a missing value is normal. */
export function level(value: number | null | undefined, warn: number, bad: number): Level {
  if (value === null || value === undefined) return undefined;
  return value > bad ? 'bad' : value > warn ? 'warn' : undefined;
}

/** A value in one of the shared panels' units (dashboard/panels.ts). */
export function fmtUnit(unit: PanelUnit, v: number | null | undefined): string {
  switch (unit) {
    case 'ms':
      return fmtMs(v);
    case 'percent':
      return fmtPct(v);
    case 'bps':
      return fmtBps(v);
    default:
      return fmtInt(v);
  }
}
