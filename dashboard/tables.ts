/**
 * The two tables: regional diagnostics (QoE per slice of one dimension, worst first) and the bad
 * rows (counts per reason as chips, then the newest rows).
 */
import type { BadRowsAnswer, BreakdownAnswer } from './api.js';
import { byId } from './dom.js';
import { fmtDim, fmtInt, fmtMs, fmtPct, fmtTime, level, type Level } from './format.js';
import { SLICES } from './panels.js';

const DIM_LABELS: Partial<Record<string, string>> = {
  ...Object.fromEntries(SLICES.map((s) => [s.dimension, s.label])),
  source: 'Source',
  player_name: 'Player',
  player_version: 'Player version',
};

function cell(text: string, cls?: Level | 'empty' | 'left' | 'detail'): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

/** The table's first body, created when the markup has none. */
function body(table: HTMLTableElement): HTMLTableSectionElement {
  return table.tBodies.item(0) ?? table.createTBody();
}

function emptyRow(tbody: HTMLTableSectionElement, cols: number, text: string): void {
  const tr = document.createElement('tr');
  const td = cell(text, 'empty');
  td.colSpan = cols;
  tr.appendChild(td);
  tbody.replaceChildren(tr);
}

/** Fills the regional diagnostics table. */
export function drawBreakdown(b: BreakdownAnswer): void {
  const table = byId('breakdown', HTMLTableElement);
  const head = document.createElement('tr');
  for (const h of [
    DIM_LABELS[b.dimension] || b.dimension,
    'Sessions',
    'Failed plays',
    'Startup p95',
    'Rebuffer',
    'Start failures',
    'Exits before start',
  ]) {
    const th = document.createElement('th');
    th.textContent = h;
    head.appendChild(th);
  }
  table.createTHead().replaceChildren(head);
  const tbody = body(table);
  if (b.rows.length === 0) {
    emptyRow(tbody, 7, 'No sessions in this range');
    return;
  }
  const maxSessions = Math.max(...b.rows.map((r) => r.sessions), 1);
  // Coloured relative to the whole window (b.overall): what matters is a slice doing clearly
  // worse than the rest, not a rate that is high everywhere.
  const overallFailedPct = 100 * (b.overall.failedShare ?? 0);
  const overallRebufferPct = 100 * (b.overall.rebufferRatio ?? 0);
  const relative = (pct: number | null, overall: number, gap: number): Level =>
    pct === null
      ? undefined
      : pct >= 1.5 * overall && pct - overall >= gap
        ? 'bad'
        : pct > overall && pct >= 1.2 * overall
          ? 'warn'
          : undefined;
  const rows = b.rows.map((r, i) => {
    const tr = document.createElement('tr');
    // The API ranks by excess impact (failed plays and stall time beyond the window's rates).
    if (i === 0 && r.excessImpact >= 1) tr.className = 'worst';
    tr.appendChild(cell(fmtDim(b.dimension, r.value)));
    const sessions = cell(fmtInt(r.sessions));
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.width = `${Math.round((40 * r.sessions) / maxSessions)}px`;
    sessions.appendChild(bar);
    tr.appendChild(sessions);
    const failedPct = r.plays ? (100 * r.failedPlays) / r.plays : null;
    tr.appendChild(
      cell(
        `${fmtInt(r.failedPlays)} (${failedPct === null ? '–' : failedPct.toFixed(0)} %)`,
        relative(failedPct, overallFailedPct, 5),
      ),
    );
    tr.appendChild(cell(fmtMs(r.startupP95Ms), level(r.startupP95Ms, 2000, 4000)));
    const rebufferPct = r.rebufferRatio === null ? null : 100 * r.rebufferRatio;
    tr.appendChild(cell(fmtPct(rebufferPct), relative(rebufferPct, overallRebufferPct, 1)));
    tr.appendChild(cell(fmtInt(r.startFailures), r.startFailures > 0 ? 'warn' : undefined));
    tr.appendChild(cell(fmtInt(r.exitsBeforeStart)));
    return tr;
  });
  tbody.replaceChildren(...rows);
}

/** Fills the bad-row chips and table. */
export function drawBadRows(b: BadRowsAnswer): void {
  const chips = Object.entries(b.counts)
    .sort((x, y) => y[1] - x[1])
    .map(([reason, n]) => {
      const span = document.createElement('span');
      span.className = 'chip';
      span.textContent = reason;
      const count = document.createElement('b');
      count.textContent = fmtInt(n);
      span.appendChild(count);
      return span;
    });
  if (chips.length === 0) {
    const none = document.createElement('span');
    none.className = 'muted';
    none.textContent = 'No bad rows in this range.';
    chips.push(none);
  }
  byId('bad-counts').replaceChildren(...chips);
  const tbody = body(byId('bad-rows', HTMLTableElement));
  if (b.recent.length === 0) {
    emptyRow(tbody, 5, 'No bad rows');
    return;
  }
  tbody.replaceChildren(
    ...b.recent.map((r) => {
      const tr = document.createElement('tr');
      tr.appendChild(cell(fmtTime(r.received_at)));
      tr.appendChild(cell(r.reason, 'left'));
      tr.appendChild(cell(String(r.status || '–')));
      const detail = r.detail || '';
      tr.appendChild(cell(detail.length > 140 ? `${detail.slice(0, 140)}…` : detail, 'detail'));
      tr.appendChild(cell(r.pop || '–', 'left'));
      return tr;
    }),
  );
}
