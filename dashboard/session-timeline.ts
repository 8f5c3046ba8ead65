/**
 * One session's events on a uPlot chart whose x axis is the time since playback began: one lane
 * per event type present (a mark per event), stalls as shaded spans, and the rendition bitrate
 * (bitrate_changed / variant_loaded) as a step line on its own axis. uPlot is the global of the
 * vendor script, as in charts.ts.
 */
import type UPlot from 'uplot';
import type { SessionTimelineEvent } from '../core-pipeline/queries/types.js';
import { fmtMs } from './format.js';
import { LIFECYCLE, stallSpans, typeColor } from './session-marks.js';

declare const uPlot: typeof UPlot;

const AXIS = {
  stroke: '#8b98a9',
  grid: { stroke: '#263041', width: 1 },
  ticks: { stroke: '#263041', width: 1 },
  font: '11px system-ui',
  labelFont: '12px system-ui',
};

/** Draws the timeline into `el` (replacing what was there); returns the plot for resizing. */
export function drawTimeline(el: HTMLElement, timeline: readonly SessionTimelineEvent[]): UPlot {
  const events = [...timeline].sort((a, b) => a.t - b.t || a.seq - b.seq);
  const lanes = LIFECYCLE.filter((t) => events.some((e) => e.type === t));
  for (const e of events) if (!lanes.includes(e.type)) lanes.push(e.type);
  const xs = events.map((e) => e.t / 1000);
  const laneData = lanes.map((type, lane) => events.map((e) => (e.type === type ? lane : null)));
  // The rendition's bitrate holds until the next change, so each event carries the current one.
  let current: number | null = null;
  const bitrate = events.map((e) => {
    if (
      (e.type === 'bitrate_changed' || e.type === 'variant_loaded') &&
      typeof e.fields.bitrate === 'number'
    )
      current = e.fields.bitrate / 1e6;
    return current;
  });
  const maxMbps = Math.max(0.1, ...bitrate.map((b) => b ?? 0));
  const spans = stallSpans(events);
  const opts: UPlot.Options = {
    width: Math.max(320, el.clientWidth),
    height: Math.max(220, 40 + lanes.length * 30),
    padding: [8, 8, 0, 0],
    legend: { show: true, live: true },
    cursor: { drag: { x: true, y: false } },
    scales: {
      x: { time: false },
      lane: { range: [-0.6, lanes.length - 0.4] },
      mbps: { range: [0, maxMbps * 1.25] },
    },
    axes: [
      {
        ...AXIS,
        label: 'seconds since playback began',
        labelSize: 18,
        values: (_u, splits) => splits.map((s) => `${s} s`),
      },
      {
        ...AXIS,
        scale: 'lane',
        size: 120,
        splits: () => lanes.map((_, i) => i),
        values: (_u, splits) => splits.map((s) => lanes[s] ?? ''),
      },
      {
        ...AXIS,
        scale: 'mbps',
        side: 1,
        size: 56,
        grid: { show: false },
        label: 'bitrate (Mb/s)',
        labelSize: 18,
      },
    ],
    series: [
      { label: 't', value: (_u, v: number | null) => (v === null ? '–' : fmtMs(v * 1000)) },
      ...lanes.map(
        (type): UPlot.Series => ({
          label: type,
          scale: 'lane',
          stroke: typeColor(type),
          paths: () => null,
          points: { show: true, size: 10, width: 1, fill: typeColor(type) },
          value: (_u, v: number | null) => (v === null ? '' : '●'),
        }),
      ),
      {
        label: 'bitrate (Mb/s)',
        scale: 'mbps',
        stroke: '#e6edf3',
        width: 2,
        spanGaps: true,
        paths: uPlot.paths.stepped?.({ align: 1 }),
        points: { show: false },
        value: (_u, v: number | null) => (v === null ? '–' : `${v.toFixed(2)} Mb/s`),
      },
    ],
    hooks: {
      // Stalls are shaded across every lane, under the marks, so the events around one show.
      drawAxes: [
        (u) => {
          const { ctx, bbox } = u;
          ctx.save();
          ctx.fillStyle = 'rgba(248, 81, 73, 0.22)';
          for (const [from, to] of spans) {
            const x0 = u.valToPos(from, 'x', true);
            const x1 = u.valToPos(to, 'x', true);
            ctx.fillRect(x0, bbox.top, Math.max(2, x1 - x0), bbox.height);
          }
          ctx.restore();
        },
      ],
    },
  };
  el.replaceChildren();
  return new uPlot(opts, [xs, ...laneData, bitrate], el);
}
