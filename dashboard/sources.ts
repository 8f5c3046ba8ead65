/**
 * The Sources card: QoE per source (`SDK`: our beacons; `CMCD`: a player's own CMCD v2 reports),
 * player name and player version (`GET /api/v1/sources`), so sessions fed by CMCD read like the
 * SDK's and a player release doing worse than the rest stands out. Each player links to its
 * recent sessions in the session explorer.
 */
import type { SourceRow } from '../core-pipeline/queries/source-answers.js';
import { getJson } from './api.js';
import { byId } from './dom.js';
import { fmtInt, fmtMs, fmtPct, level, SOURCE_LABELS } from './format.js';
import { sessionsLink } from './session-links.js';

/** `GET /api/v1/sources`. */
export interface SourcesAnswer {
  since: string;
  to: string;
  rows: SourceRow[];
}

function td(text: string, cls?: string): HTMLTableCellElement {
  const cell = document.createElement('td');
  cell.textContent = text;
  if (cls) cell.className = cls;
  return cell;
}

function sourceRow(r: SourceRow, range: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.source = r.source;
  const badge = td('', 'left');
  const b = document.createElement('span');
  b.className = `source-badge ${r.source}`;
  b.textContent = SOURCE_LABELS[r.source] ?? r.source;
  badge.appendChild(b);
  tr.appendChild(badge);
  const player = td('', 'left');
  const a = document.createElement('a');
  a.href = sessionsLink('player_name', r.playerName, { range });
  a.title = 'recent sessions of this player';
  a.textContent = r.playerName || '(unknown)';
  player.appendChild(a);
  tr.appendChild(player);
  tr.appendChild(td(r.playerVersion || '–', 'left'));
  tr.appendChild(td(fmtInt(r.sessions)));
  tr.appendChild(td(fmtInt(r.plays)));
  tr.appendChild(td(fmtMs(r.startupP50Ms), level(r.startupP50Ms, 2000, 4000)));
  const rebuffer = r.rebufferRatio === null ? null : 100 * r.rebufferRatio;
  tr.appendChild(td(fmtPct(rebuffer), level(rebuffer, 1, 3)));
  const errors = r.errorRate === null ? null : 100 * r.errorRate;
  tr.appendChild(td(fmtPct(errors, 1), level(errors, 2, 5)));
  return tr;
}

/** Fetches and draws the Sources card for `range`. */
export async function refreshSources(range: string): Promise<void> {
  let a: SourcesAnswer;
  try {
    a = await getJson<SourcesAnswer>(`/api/v1/sources?range=${encodeURIComponent(range)}`);
  } catch (err) {
    // The status light reports an unreachable API; the card keeps its last rows.
    console.warn(err);
    return;
  }
  const tbody = byId('sources-rows');
  if (a.rows.length === 0) {
    const tr = document.createElement('tr');
    const cell = td('No sessions in this range', 'empty');
    cell.colSpan = 8;
    tr.appendChild(cell);
    tbody.replaceChildren(tr);
  } else tbody.replaceChildren(...a.rows.map((r) => sourceRow(r, range)));
  const cmcd = a.rows.filter((r) => r.source === 'cmcd').reduce((n, r) => n + r.sessions, 0);
  const all = a.rows.reduce((n, r) => n + r.sessions, 0);
  byId('sources-summary').textContent =
    all === 0 ? '–' : `${fmtInt(cmcd)} of ${fmtInt(all)} sessions via CMCD`;
}
