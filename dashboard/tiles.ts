/**
 * The number tiles: window totals (events, the four panel types, sessions) and the CTA-2066
 * quality-of-experience summary, amber or red past their thresholds. Titles, hints and units come
 * from the shared panel definitions (panels.ts), which the Grafana dashboards use too.
 */
import type { QoeAnswer, TotalsAnswer } from './api.js';
import { PANELS } from './charts.js';
import { byId, closest, find } from './dom.js';
import { fmtInt, fmtTime, fmtUnit, level, type Level } from './format.js';
import { DEMO_PANELS, QOE_PANELS } from './panels.js';

/** The QoE panels the page shows as tiles (`#q-<id>`), in page order. */
const TILE_IDS = ['plays', 'startup-p50', 'startup-p95', 'stalled', 'failures', 'bitrate'] as const;
type TileId = (typeof TILE_IDS)[number];
const TILES = TILE_IDS.map((id) => {
  const panel = QOE_PANELS.find((p) => p.id === id);
  if (!panel) throw new Error(`panels.ts has no QoE panel ${id}`);
  return { ...panel, id };
});

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
  for (const p of TILES) {
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

/** Fills the quality-of-experience row. */
export function drawQoe(q: QoeAnswer): void {
  const values: Record<TileId, [number | null, Level?]> = {
    plays: [q.plays],
    'startup-p50': [q.startup.p50Ms],
    'startup-p95': [q.startup.p95Ms, level(q.startup.p95Ms, 2000, 4000)],
    stalled: [q.stalls.stalledPct, level(q.stalls.stalledPct, 0.5, 2)],
    failures: [q.startFailures + q.playbackFailures, level(q.errorRate, 0.01, 0.05)],
    bitrate: [q.bitrate.averageBps],
  };
  for (const p of TILES) {
    const [v, lvl] = values[p.id];
    setTile(`q-${p.id}`, fmtUnit(p.unit, v), lvl);
  }
  byId('q-failures-hint').textContent =
    q.errorRate === null ? 'fatal errors' : `${(q.errorRate * 100).toFixed(1)} % of plays`;
}
