/**
 * The demo page's live list: every event the SDK creates, in time order, then the batch that
 * carried it, and every delivery attempt with its outcome. It also keeps what it showed in a
 * record (`window.demo`) that the browser tests read.
 */
import type { BatchResult, Tracker } from '../../player/index.js';
import type { BeaconEvent } from '../../schemas/index.js';
import { byId } from '../../dashboard/dom.js';
import { cell } from './dom.js';
import { details, fmtClock, fmtMs } from './format.js';

/** Rows kept per table; older ones are dropped. */
const MAX_ROWS = 400;

/** One delivery attempt as the list shows it. */
interface BatchEntry {
  n: number;
  at: number;
  via: BatchResult['via'];
  status: number;
  outcome: BatchResult['outcome'];
  rejected: number;
  sessionId: string;
  events: BeaconEvent['type'][];
  ids: string[];
  url: string;
}

/** What the list has seen; `tracker` tells whether the current session is sampled. */
export interface BeaconRecord {
  tracker: Tracker | null;
  events: { sessionId: string; event: BeaconEvent }[];
  batches: BatchEntry[];
  counts: Record<string, number>;
}

/**
 * The SDK callbacks that fill the list (plain functions, passed on as the tracker's `onEvent` and
 * `onBatchSent` options), and what the page's controls do to it.
 */
export interface BeaconLog {
  onEvent: (ev: BeaconEvent, sessionId: string) => void;
  onBatchSent: (r: BatchResult) => void;
  /** Empties both tables; the record keeps everything. */
  clear(): void;
  /** Absolute URL the next batches go to, shown with each of them. */
  setEndpointUrl(url: string): void;
}

/** The body of a table of index.html, and the scrolling box around it. */
interface LogTable {
  body: HTMLTableSectionElement;
  wrap: Element;
}

function logTable(id: string): LogTable {
  const body = byId(id, HTMLTableElement).tBodies.item(0);
  const wrap = body?.closest('.table-wrap');
  if (!body || !wrap) throw new Error(`demo page: #${id} needs a <tbody> inside a .table-wrap`);
  return { body, wrap };
}

/** Appends in time order and keeps the newest row in view, unless the reader scrolled up. */
function append({ body, wrap }: LogTable, tr: HTMLTableRowElement): void {
  const follow = wrap.scrollHeight - wrap.scrollTop - wrap.clientHeight < 40;
  const empty = body.querySelector('tr.empty');
  if (empty) empty.remove();
  body.appendChild(tr);
  while (body.rows.length > MAX_ROWS) body.deleteRow(0);
  if (follow) wrap.scrollTop = wrap.scrollHeight;
}

/** What the Batch column says of a new event: queued, or why it will not be sent. */
function pending(tracker: Tracker | null, sessionId: string): string {
  if (tracker && !tracker.sampled) return 'not sampled';
  const stop = tracker?.stopped;
  if (stop && (stop.scope === 'tracker' || stop.sessionId === sessionId))
    return `not sent: ${stop.error}`;
  return 'queued';
}

/**
 * Creates the list over the page's two tables, recording into `record`.
 * @example const log = createBeaconLog(demo, location.origin + '/v1/events');
 */
export function createBeaconLog(record: BeaconRecord, endpointUrl: string): BeaconLog {
  const events = logTable('events');
  const batches = logTable('batches');
  const rowsById = new Map<string, HTMLTableRowElement>();
  let lastSession: string | null = null;
  let currentEndpoint = endpointUrl;

  function renderCounts(): void {
    const box = byId('type-counts');
    box.textContent = '';
    for (const [type, n] of Object.entries(record.counts).sort(
      (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
    )) {
      const chip = document.createElement('li');
      chip.className = `chip t-${type}`;
      chip.textContent = `${type} `;
      const b = document.createElement('b');
      b.textContent = String(n);
      chip.appendChild(b);
      box.appendChild(chip);
    }
    const sent = record.batches.filter((b) => b.outcome === 'sent').length;
    byId('log-summary').textContent =
      `${record.events.length} event${record.events.length === 1 ? '' : 's'} · ${sent} batch${sent === 1 ? '' : 'es'} delivered`;
  }

  function onEvent(ev: BeaconEvent, sessionId: string): void {
    record.events.push({ sessionId, event: ev });
    record.counts[ev.type] = (record.counts[ev.type] || 0) + 1;
    if (sessionId !== lastSession) {
      lastSession = sessionId;
      const sep = document.createElement('tr');
      sep.className = 'session';
      cell(sep, `session ${sessionId}`).colSpan = 5;
      append(events, sep);
      byId('session-id').textContent = sessionId;
    }
    const tr = document.createElement('tr');
    tr.className = `t-${ev.type}`;
    cell(tr, fmtClock(ev.ts), 'time');
    cell(tr, String(ev.seq), 'num');
    cell(tr, ev.type, 'type');
    cell(tr, details(ev), 'detail');
    cell(tr, pending(record.tracker, sessionId), 'batch pending');
    append(events, tr);
    rowsById.set(ev.id, tr);
    if (ev.type === 'first_frame') byId('q-startup').textContent = fmtMs(ev.startup_ms);
    renderCounts();
  }

  function onBatchSent(r: BatchResult): void {
    const n = record.batches.length + 1;
    const entry: BatchEntry = {
      n,
      at: Date.now(),
      via: r.via,
      status: r.status,
      outcome: r.outcome,
      rejected: r.rejected.length,
      sessionId: r.batch.session_id,
      events: r.batch.events.map((e) => e.type),
      ids: r.batch.events.map((e) => e.id),
      url: currentEndpoint,
    };
    record.batches.push(entry);
    const label = `#${n} ${r.via}${r.status ? ` ${r.status}` : ''}${r.outcome === 'sent' ? '' : ` ${r.outcome}`}`;
    const rejected = new Set(r.rejected.map((x) => x.event_id));
    for (const e of r.batch.events) {
      const td = rowsById.get(e.id)?.cells[4];
      if (!td) continue;
      td.textContent = rejected.has(e.id) ? `#${n} rejected` : label;
      td.className = `batch ${rejected.has(e.id) ? 'rejected' : r.outcome}`;
    }
    const tr = document.createElement('tr');
    cell(tr, String(n), 'num');
    cell(tr, fmtClock(entry.at), 'time');
    cell(tr, r.via, `via ${r.via}`);
    cell(tr, r.status ? String(r.status) : r.via === 'beacon' ? 'queued' : 'network', 'num');
    cell(
      tr,
      r.rejected.length ? `${r.outcome}, ${r.rejected.length} rejected` : r.outcome,
      `outcome ${r.outcome}`,
    );
    cell(tr, String(r.batch.events.length), 'num');
    cell(tr, currentEndpoint, 'to');
    append(batches, tr);
    renderCounts();
  }

  return {
    onEvent,
    onBatchSent,
    clear() {
      for (const t of [events, batches]) t.body.textContent = '';
      rowsById.clear();
      lastSession = null;
    },
    setEndpointUrl(url) {
      currentEndpoint = url;
    },
  };
}
