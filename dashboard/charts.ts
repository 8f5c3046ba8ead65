/**
 * The four demo panels: one uPlot bar chart per event type, events per time bucket. uPlot is the
 * global that /dashboard/vendor/uPlot.iife.min.js defines (a classic script before this one), so
 * only its types are imported.
 */
import type UPlot from 'uplot';
import type { TimeseriesAnswer } from './api.js';
import { byId } from './dom.js';
import { fmtInt, fmtTime } from './format.js';
import { DEMO_PANELS, type DemoPanelType } from './panels.js';

declare const uPlot: typeof UPlot;

/** The event types charted, one panel each, in page order (the shared demo panels). */
export const PANELS: readonly DemoPanelType[] = DEMO_PANELS.map((p) => p.id);
type PanelType = DemoPanelType;

const HEIGHT = 230;
const MIN_WIDTH = 280;
const COLORS: Record<PanelType, string> = {
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

/** A drawn chart and the bucket width its axis label was made for. */
interface Chart {
  plot: UPlot;
  bucketSeconds: number;
}

const charts: Partial<Record<PanelType, Chart>> = {};

const chartEl = (type: PanelType): HTMLElement => byId(`chart-${type}`);

function bucketLabel(seconds: number): string {
  return seconds >= 60 ? `events per ${seconds / 60} min` : `events per ${seconds} s`;
}

function makeChart(type: PanelType, el: HTMLElement, bucketSeconds: number): UPlot {
  const bars = uPlot.paths.bars;
  if (!bars) throw new Error('dashboard: this uPlot build has no bars path builder');
  const opts: UPlot.Options = {
    width: Math.max(MIN_WIDTH, el.clientWidth),
    height: HEIGHT,
    padding: [8, 8, 0, 0],
    legend: { show: true, live: true },
    cursor: { points: { size: 6 }, drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] },
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
      { label: 'time', value: (_u, v: number | null) => (v === null ? '–' : fmtTime(v * 1000)) },
      {
        label: type,
        stroke: COLORS[type],
        fill: `${COLORS[type]}40`,
        width: 1.5,
        paths: bars({ size: [0.85, 40], gap: 1 }),
        points: { show: false },
        value: (_u, v: number | null) => (v === null ? '–' : fmtInt(v)),
      },
    ],
  };
  return new uPlot(opts, [[], []], el);
}

/** Draws each panel's series; a panel is rebuilt when the bucket width (its axis label) changes. */
export function drawSeries(ts: TimeseriesAnswer): void {
  for (const type of PANELS) {
    const points = ts.series[type] ?? [];
    const xs = points.map((p) => p[0] / 1000);
    const ys = points.map((p) => p[1]);
    let chart = charts[type];
    if (chart && chart.bucketSeconds !== ts.bucketSeconds) {
      chart.plot.destroy();
      chart = undefined;
    }
    if (!chart) {
      chart = {
        plot: makeChart(type, chartEl(type), ts.bucketSeconds),
        bucketSeconds: ts.bucketSeconds,
      };
      charts[type] = chart;
    }
    chart.plot.setData([xs, ys]);
  }
}

/** Fits every drawn chart to its panel's width. */
export function resizeCharts(): void {
  for (const type of PANELS) {
    const chart = charts[type];
    if (chart)
      chart.plot.setSize({ width: Math.max(MIN_WIDTH, chartEl(type).clientWidth), height: HEIGHT });
  }
}
