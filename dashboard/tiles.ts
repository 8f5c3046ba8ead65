/**
 * The number tiles: window totals (events, the four panel types, sessions) and the CTA-2066
 * quality-of-experience measures, amber or red past their thresholds. The shared tiles' titles,
 * hints and units come from the panel definitions (panels.ts), which the Grafana dashboards use
 * too; the measures only the rollups give are defined below.
 */
import type { QoeAnswer, TotalsAnswer } from './api.js';
import { PANELS } from './charts.js';
import { byId, closest, find } from './dom.js';
import { fmtInt, fmtMs, fmtPct, fmtTime, fmtUnit, level, type Level } from './format.js';
import { DEMO_PANELS, QOE_PANELS } from './panels.js';

/** The shared QoE panels the page shows as tiles (`#q-<id>`). */
const SHARED_IDS = ['plays', 'startup-p50', 'startup-p95', 'failures', 'bitrate'] as const;
type SharedId = (typeof SHARED_IDS)[number];
const SHARED = SHARED_IDS.map((id) => {
  const panel = QOE_PANELS.find((p) => p.id === id);
  if (!panel) throw new Error(`panels.ts has no QoE panel ${id}`);
  return { ...panel, id };
});

/**
 * Tiles of measures only the rollup-based API gives (qoeMetrics), defined here rather than in
 * panels.ts because the Grafana dashboards do not compute them. The rebuffer ratio divides by
 * watch time (played + stalled), unlike the Grafana panel "Stalled time" (played time only).
 */
const LOCAL_TILES: readonly {
  id: string;
  title: string;
  hint: string;
  value: (q: QoeAnswer) => [string, Level?];
}[] = [
  {
    id: 'concurrent',
    title: 'Concurrent viewers',
    hint: 'playing or stalled, on average',
    value: (q) => [fmtDecimal(q.metrics.concurrentViewers, 1)],
  },
  {
    id: 'startup-p90',
    title: 'Startup p90',
    hint: 'request → first frame',
    value: (q) => [fmtMs(q.startup.p90Ms), level(q.startup.p90Ms, 2000, 4000)],
  },
  {
    id: 'exits',
    title: 'Exits before start',
    hint: 'share of plays',
    value: (q) => {
      const pct = q.exitBeforeStartRate === null ? null : 100 * q.exitBeforeStartRate;
      return [fmtPct(pct, 1), level(pct, 5, 15)];
    },
  },
  {
    id: 'rebuffer',
    title: 'Rebuffer ratio',
    hint: 'Σ stall ÷ Σ (played + stalled)',
    value: (q) => {
      const pct = q.stalls.rebufferRatio === null ? null : 100 * q.stalls.rebufferRatio;
      return [fmtPct(pct), level(pct, 0.5, 2)];
    },
  },
  {
    id: 'rebuffer-frequency',
    title: 'Rebuffer frequency',
    hint: 'stalls per minute watched',
    value: (q) => [fmtDecimal(q.metrics.rebufferFrequencyPerMin, 2)],
  },
  {
    id: 'switches',
    title: 'Rendition switches',
    hint: 'per hour watched',
    value: (q) => [fmtDecimal(q.metrics.switchesPerHour, 1)],
  },
  {
    id: 'seek',
    title: 'Seek latency',
    hint: 'mean seek → playing',
    value: (q) => [fmtMs(q.metrics.seekLatencyMeanMs)],
  },
];

/** A number with `digits` decimals, or the en dash for none. */
const fmtDecimal = (v: number | null, digits: number): string =>
  v === null ? '–' : v.toFixed(digits);

function setTile(id: string, text: string, lvl?: Level): void {
  const el = byId(id);
  el.textContent = text;
  const tile = closest(el, '.tile');
  tile.classList.toggle('warn', lvl === 'warn');
  tile.classList.toggle('bad', lvl === 'bad');
}

/** Writes the shared titles and hints into the demo panels and the QoE tiles. */
export function labelPanels(): void {
  for (const p of DEMO_PANELS) {
    const article = find(`.panel[data-type="${p.id}"]`);
    const code = document.createElement('code');
    code.textContent = p.id;
    find('h2', article).replaceChildren(`${p.title} `, code);
    find('.panel-sub', article).textContent = p.hint;
  }
  for (const p of [...SHARED, ...LOCAL_TILES]) {
    const tile = closest(byId(`q-${p.id}`), '.tile');
    find('.label', tile).textContent = p.title;
    find('.hint', tile).textContent = p.hint;
  }
}

/** Fills the totals row. */
export function drawTotals(t: TotalsAnswer): void {
  setTile('t-total', fmtInt(t.events));
  for (const type of PANELS) setTile(`t-${type}`, fmtInt(t.byType[type]));
  setTile('t-sessions', fmtInt(t.sessions));
  byId('t-total-hint').textContent = t.lastReceivedAt
    ? `last at ${fmtTime(t.lastReceivedAt)}`
    : 'nothing received in range';
}

/** Fills the quality-of-experience rows. */
export function drawQoe(q: QoeAnswer): void {
  const values: Record<SharedId, [number | null, Level?]> = {
    plays: [q.plays],
    'startup-p50': [q.startup.p50Ms],
    'startup-p95': [q.startup.p95Ms, level(q.startup.p95Ms, 2000, 4000)],
    failures: [q.startFailures + q.playbackFailures, level(q.errorRate, 0.01, 0.05)],
    bitrate: [q.bitrate.averageBps],
  };
  for (const p of SHARED) {
    const [v, lvl] = values[p.id];
    setTile(`q-${p.id}`, fmtUnit(p.unit, v), lvl);
  }
  for (const t of LOCAL_TILES) {
    const [text, lvl] = t.value(q);
    setTile(`q-${t.id}`, text, lvl);
  }
  byId('q-failures-hint').textContent =
    q.errorRate === null ? 'fatal errors' : `${(q.errorRate * 100).toFixed(1)} % of plays`;
}
