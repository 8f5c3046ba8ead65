/** How the demo page writes times, durations, bitrates and events. */
import type { BeaconEvent } from '../../schemas/index.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local wall-clock time with milliseconds, `hh:mm:ss.mmm`. */
export const fmtClock = (ms: number) => {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
};

/** A duration: `850 ms`, `1.25 s`, or `–` when unknown. */
export const fmtMs = (ms: number | null | undefined) =>
  ms === undefined || ms === null
    ? '–'
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${Math.round(ms)} ms`;

/** A bitrate: `450 kb/s`, `1.20 Mb/s`, or `–` when unknown or zero. */
export const fmtBps = (b: number | undefined) =>
  b ? (b >= 1e6 ? `${(b / 1e6).toFixed(2)} Mb/s` : `${Math.round(b / 1e3)} kb/s`) : '–';

/** Fields every event has, shown in their own columns rather than in the details. */
const COMMON = new Set(['id', 'seq', 'ts', 'type', 'playhead']);

/** One short line per event: its own fields, in the schema's units. */
export function details(ev: BeaconEvent): string {
  const parts: string[] = [];
  const fields: [string, unknown][] = Object.entries(ev);
  for (const [k, v] of fields) {
    if (COMMON.has(k) || v === undefined || v === null) continue;
    if (k === 'bitrate' || k === 'prev_bitrate') parts.push(`${k} ${fmtBps(Number(v))}`);
    else if (k.endsWith('_ms')) parts.push(`${k} ${fmtMs(Number(v))}`);
    else if (k === 'width' || k === 'height') continue;
    else parts.push(`${k} ${typeof v === 'number' ? Math.round(v * 1000) / 1000 : v}`);
  }
  if ('width' in ev && ev.width && ev.height) parts.push(`${ev.width}×${ev.height}`);
  parts.push(`@ ${ev.playhead.toFixed(2)} s`);
  return parts.join(' · ');
}
