/**
 * The list of recent sessions of a slice (`/dashboard?sessions=pop:MAD50-C2`), most recently
 * active first, each linking to its session page. Built from `GET /api/v1/sessions`.
 */
import type { SessionSummary } from '../core-pipeline/queries/types.js';
import { fmtDim, fmtInt, fmtMs, fmtPct, fmtTime } from './format.js';
import { esc, outcomeBadge } from './session-html.js';
import { type ExplorerRequest, sessionLink } from './session-links.js';

type ListRequest = Extract<ExplorerRequest, { view: 'sessions' }>;

/** `GET /api/v1/sessions`. */
export interface SessionsAnswer {
  since: string;
  filters: Record<string, string>;
  outcome: string | null;
  sessions: SessionSummary[];
}

const RANGES = ['15m', '1h', '6h', '24h'];
const OUTCOMES = [
  '',
  'playing',
  'ended',
  'start_failure',
  'playback_failure',
  'exit_before_start',
  'starting',
];

/** The same list with one parameter changed. */
function relink(r: ListRequest, change: { range?: string; outcome?: string }): string {
  const q = new URLSearchParams(location.search);
  if (change.range !== undefined) q.set('range', change.range);
  if (change.outcome !== undefined) {
    if (change.outcome) q.set('outcome', change.outcome);
    else q.delete('outcome');
  }
  if (!q.has('range')) q.set('range', r.range);
  return `/dashboard?${q.toString()}`;
}

function row(s: SessionSummary): string {
  const p = s.place;
  return `<tr data-session="${esc(s.sessionId)}">
    <td>${esc(fmtTime(s.lastAt))}</td>
    <td class="left"><a href="${esc(sessionLink(s.sessionId))}"><code>${esc(s.sessionId)}</code></a></td>
    <td class="left">${outcomeBadge(s.outcome)}</td>
    <td class="left">${esc(p.pop)}</td><td class="left">${esc(p.country ?? '–')}</td>
    <td class="left">${esc(p.asn ? fmtDim('asn', p.asn) : '–')}</td><td class="left">${esc(p.device)}</td>
    <td class="left">${esc(fmtDim('source', p.source))} · ${esc([p.player_name, p.player_version].filter(Boolean).join(' ') || '–')}</td>
    <td>${esc(fmtMs(s.startupMs))}</td>
    <td>${esc(fmtPct(s.rebufferRatio === null ? null : s.rebufferRatio * 100))}</td>
    <td>${esc(fmtInt(s.events))}</td></tr>`;
}

/** Renders the list into `root`. */
export function renderSessions(root: HTMLElement, r: ListRequest, a: SessionsAnswer): void {
  const slice = Object.entries(r.filters)
    .map(([d, v]) => `<span class="chip">${esc(d)} <b>${esc(fmtDim(d, v))}</b></span>`)
    .join('');
  const ranges = RANGES.map(
    (x) =>
      `<a class="pill" aria-current="${x === r.range}" href="${esc(relink(r, { range: x }))}">${x}</a>`,
  ).join('');
  const outcomes = OUTCOMES.map(
    (o) =>
      `<a class="pill" aria-current="${o === (r.outcome ?? '')}" href="${esc(relink(r, { outcome: o }))}">${o ? esc(o.replace(/_/g, ' ')) : 'any outcome'}</a>`,
  ).join('');
  const rows = a.sessions.length
    ? a.sessions.map(row).join('')
    : '<tr><td class="empty" colspan="11">No session of this slice in the range</td></tr>';
  root.innerHTML = `
  <header class="explorer-head">
    <div><a href="/dashboard">← Dashboard</a></div>
    <h1>Recent sessions ${slice || '<span class="chip">every slice</span>'}</h1>
    <p class="muted">Most recently active first, since ${esc(fmtTime(Date.parse(a.since)))} · numbers from each session's recent events; open one for all of it</p>
    <nav class="pills" aria-label="Range">${ranges}</nav>
    <nav class="pills" aria-label="Outcome">${outcomes}</nav>
  </header>
  <article class="card">
    <div class="table-wrap"><table id="sessions"><thead><tr><th>Last active</th><th class="left">Session</th><th class="left">Outcome</th>
      <th class="left">POP</th><th class="left">Country</th><th class="left">ASN</th><th class="left">Device</th>
      <th class="left">Source · player</th><th>Startup</th><th>Rebuffer</th><th>Events</th></tr></thead><tbody>${rows}</tbody></table></div>
  </article>`;
}
