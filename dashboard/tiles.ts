/**
 * The number tiles: window totals (events, the four panel types, sessions) and the CTA-2066
 * quality-of-experience summary, amber or red past their thresholds.
 */
import type { QoeAnswer, TotalsAnswer } from './api.js';
import { PANELS } from './charts.js';
import { byId, closest } from './dom.js';
import { fmtBps, fmtInt, fmtMs, fmtPct, fmtTime, level, type Level } from './format.js';

function setTile(id: string, text: string, lvl?: Level): void {
  const el = byId(id);
  el.textContent = text;
  const tile = closest(el, '.tile');
  tile.classList.toggle('warn', lvl === 'warn');
  tile.classList.toggle('bad', lvl === 'bad');
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
  setTile('q-plays', fmtInt(q.plays));
  setTile('q-startup-p50', fmtMs(q.startup.p50Ms));
  setTile('q-startup-p95', fmtMs(q.startup.p95Ms), level(q.startup.p95Ms, 2000, 4000));
  setTile('q-stalled', fmtPct(q.stalls.stalledPct), level(q.stalls.stalledPct, 0.5, 2));
  setTile(
    'q-failures',
    fmtInt(q.startFailures + q.playbackFailures),
    level(q.errorRate, 0.01, 0.05),
  );
  byId('q-failures-hint').textContent =
    q.errorRate === null ? 'fatal errors' : `${(q.errorRate * 100).toFixed(1)} % of plays`;
  setTile('q-bitrate', fmtBps(q.bitrate.averageBps));
}
