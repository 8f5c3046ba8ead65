/**
 * The page of one session (`/dashboard?session=<id>`): outcome and QoE numbers, where it was
 * served from, its events on a timeline since playback began, every event as a row, and its bad
 * rows. Built from `GET /api/v1/sessions/<id>`.
 */
import type { SessionDetail, SessionTimelineEvent } from '../core-pipeline/queries/types.js';
import { fmtDim, fmtInt, fmtMs, fmtPct, fmtTime, fmtUnit } from './format.js';
import { esc, outcomeBadge, tile } from './session-html.js';
import { sessionsLink, sliceSessionsLink } from './session-links.js';
import { stallSpans, typeColor } from './session-marks.js';
import { drawTimeline } from './session-timeline.js';

function fieldsText(e: SessionTimelineEvent): string {
  return Object.entries(e.fields)
    .map(
      ([k, v]) => `${k}=${typeof v === 'number' && k.endsWith('bitrate') ? fmtUnit('bps', v) : v}`,
    )
    .join(' · ');
}

function placeRows(s: SessionDetail): [string, string, string | null][] {
  const p = s.place;
  const link = (d: Parameters<typeof sessionsLink>[0], v: string | null) =>
    v ? sessionsLink(d, v) : null;
  return [
    ['POP', p.pop, link('pop', p.pop)],
    ['Serving region', p.serving_region, link('serving_region', p.serving_region)],
    ['Edge region', p.edge_region, null],
    [
      'Country',
      [p.country, p.country_region].filter(Boolean).join(' · ') || '–',
      link('country', p.country),
    ],
    ['ASN', p.asn ? fmtDim('asn', p.asn) : '–', link('asn', p.asn)],
    ['Device', p.device, link('device', p.device)],
    ['Source', fmtDim('source', p.source), link('source', p.source)],
    [
      'Player',
      [p.player_name, p.player_version].filter(Boolean).join(' ') || '–',
      link('player_name', p.player_name),
    ],
    [
      'SDK',
      `${p.sdk_name} ${p.sdk_version}`,
      p.sdk_name && p.sdk_version
        ? sliceSessionsLink({ sdk_name: p.sdk_name, sdk_version: p.sdk_version })
        : null,
    ],
    ['Schema', p.schema_version, link('schema_version', p.schema_version)],
    ['Content', s.contentId, link('content_id', s.contentId)],
    ['Viewer', s.viewerId ?? '–', null],
  ];
}

/** The page's HTML for a session (the timeline chart is drawn into #session-chart afterwards). */
function sessionHtml(s: SessionDetail): string {
  const stalls = stallSpans(s.timeline).length;
  const types = new Set(s.timeline.map((e) => e.type));
  const place = placeRows(s)
    .map(
      ([k, v, href]) =>
        `<dt>${esc(k)}</dt><dd data-place="${esc(k)}">${href ? `<a href="${esc(href)}" title="recent sessions of this slice">${esc(v)}</a>` : esc(v)}</dd>`,
    )
    .join('');
  const rows = s.timeline
    .map(
      (
        e,
      ) => `<tr data-type="${esc(e.type)}"><td>${(e.t / 1000).toFixed(3)} s</td><td>${esc(fmtTime(e.time))}</td>
        <td class="left"><span class="swatch" data-color="${typeColor(e.type)}"></span>${esc(e.type)}</td>
        <td>${e.seq}</td><td>${e.playhead.toFixed(1)}</td><td class="left detail">${esc(fieldsText(e))}</td>
        <td>${esc(fmtMs(e.receivedAt - e.time))}</td></tr>`,
    )
    .join('');
  const bad = s.badRows.length
    ? s.badRows
        .map(
          (b) =>
            `<tr><td>${esc(fmtTime(b.received_at))}</td><td class="left">${esc(b.reason)}</td><td>${b.status}</td><td>${b.index ?? '–'}</td><td class="left detail">${esc(b.detail ?? '')}</td></tr>`,
        )
        .join('')
    : '<tr><td class="empty" colspan="5">No bad rows for this session</td></tr>';
  return `
  <header class="explorer-head">
    <div><a href="/dashboard">← Dashboard</a> · <a href="${esc(sessionsLink('pop', s.place.pop))}">Sessions at ${esc(s.place.pop)}</a></div>
    <h1>Session <code id="session-id">${esc(s.sessionId)}</code> ${outcomeBadge(s.outcome)}</h1>
    <p class="muted">${esc(fmtTime(s.firstAt))} – ${esc(fmtTime(s.lastAt))} · playback began ${esc(fmtTime(s.startedAt))}</p>
  </header>
  <section class="tiles" aria-label="Quality of experience">
    ${tile('Events', fmtInt(s.events), `${types.size} types`, 's-events')}
    ${tile('Startup', fmtMs(s.startupMs), 'request → first frame', 's-startup')}
    ${tile('Played', fmtMs(s.playedMs), 'latest counters', 's-played')}
    ${tile('Stalls', s.stallCount === null ? '–' : `${fmtInt(s.stallCount)} · ${fmtMs(s.stallMs)}`, `${stalls} on the timeline`, 's-stalls')}
    ${tile('Rebuffer ratio', fmtPct(s.rebufferRatio === null ? null : s.rebufferRatio * 100), 'stall ÷ (played + stall)', 's-rebuffer')}
    ${tile('Avg bitrate', fmtUnit('bps', s.averageBitrateBps), 'time-weighted', 's-bitrate')}
  </section>
  <section class="split">
    <article class="card wide" aria-labelledby="tl-title">
      <header class="card-head"><h2 id="tl-title">Timeline <span class="muted">seconds since playback began · shaded: stalls · line: bitrate</span></h2></header>
      <div class="chart" id="session-chart"></div>
    </article>
    <article class="card" aria-labelledby="place-title">
      <header class="card-head"><h2 id="place-title">Served from</h2></header>
      <dl class="place" id="session-place">${place}</dl>
    </article>
  </section>
  <article class="card" aria-labelledby="ev-title">
    <header class="card-head"><h2 id="ev-title">Events <span class="muted">${fmtInt(s.timeline.length)} by seq</span></h2></header>
    <div class="table-wrap"><table id="session-events"><thead><tr><th>t</th><th>Time</th><th class="left">Type</th><th>Seq</th><th>Playhead</th><th class="left">Fields</th><th>Delay</th></tr></thead><tbody>${rows}</tbody></table></div>
  </article>
  <article class="card" aria-labelledby="sbad-title">
    <header class="card-head"><h2 id="sbad-title">Bad rows <span class="muted">events of this session the edge or pipeline refused</span></h2></header>
    <div class="table-wrap"><table id="session-bad-rows"><thead><tr><th>Received</th><th class="left">Reason</th><th>Status</th><th>Index</th><th class="left">Detail</th></tr></thead><tbody>${bad}</tbody></table></div>
  </article>`;
}

/** Renders a session into `root`; returns a resize callback for its chart. */
export function renderSession(root: HTMLElement, s: SessionDetail): () => void {
  root.innerHTML = sessionHtml(s);
  // The page's CSP refuses inline style attributes; styles set through the DOM are allowed.
  for (const sw of root.querySelectorAll<HTMLElement>('.swatch[data-color]'))
    sw.style.background = sw.dataset.color ?? '';
  const chartEl = root.querySelector<HTMLElement>('#session-chart');
  if (!chartEl) return () => undefined;
  const plot = drawTimeline(chartEl, s.timeline);
  return () => plot.setSize({ width: Math.max(320, chartEl.clientWidth), height: plot.height });
}
