// beacon-edge player demo: hls.js playing the repository's test stream with the SDK attached, and
// a live list of every beacon event and every batch delivery attempt. demo/build.mjs bundles this
// file into dist/demo/demo.js, a classic script without imports: the SDK (its IIFE build) and
// hls.js come from their own script tags as `window.BeaconEdge` and `window.Hls`, and only their
// types are imported here.
//
// Query parameters (all optional):
//   session=<id>     id of the first session (as the original AWS demo's ?session=); 8–64 of [A-Za-z0-9_-]
//   endpoint=<url>   ingest URL or path (default /v1/events, first-party through the CDN)
//   flushMs=<ms>     periodic flush (SDK default 10000)
//   maxBuffer=<s>    hls.js forward buffer target and cap, seconds (small values make stalls
//                    deterministic in tests: the player holds only that much media ahead)
//   autoplay=1       start playing when the manifest is parsed
//   src=<m3u8 url>   another HLS stream
// `window.demo` exposes { hls, tracker, video, events, batches, counts } for the console and tests.
import type Hls from 'hls.js';
import type { HlsConfig } from 'hls.js';
import type * as BeaconEdge from '../player/iife.js';
import type { BeaconEvent } from '../schemas/index.js';

type Tracker = BeaconEdge.Tracker;
type BatchResult = BeaconEdge.BatchResult;

/** One delivery attempt as the page lists it (the browser tests read these). */
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

/** `window.demo`: what the page created and saw, for the console and the browser tests. */
interface DemoState {
  hls: Hls | null;
  tracker: Tracker | null;
  video: HTMLVideoElement;
  events: { sessionId: string; event: BeaconEvent }[];
  batches: BatchEntry[];
  counts: Record<string, number>;
}

/** Globals of the page's other scripts; each is missing when its script failed to load. */
interface PageGlobals {
  Hls?: typeof Hls;
  BeaconEdge?: typeof BeaconEdge;
  demo?: DemoState;
}

/** An element class such as `HTMLInputElement`. */
type ElementClass<T extends HTMLElement> = { new (): T; prototype: T };

/** The element of index.html with this id; throws when the page has none of that kind. */
function byId(id: string): HTMLElement;
function byId<T extends HTMLElement>(id: string, type: ElementClass<T>): T;
function byId(id: string, type: ElementClass<HTMLElement> = HTMLElement): HTMLElement {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`demo page: no ${type.name} #${id} in index.html`);
  return el;
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

// The page runs inside this function so that it can stop early (see the SDK check below).
(() => {
  const page: Window & PageGlobals = window;
  const params = new URLSearchParams(location.search);
  const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
  const MAX_ROWS = 400;
  const posNumber = (v: string | null): number | undefined =>
    v !== null && v !== '' && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : undefined;

  const video = byId('video', HTMLVideoElement);
  const src = params.get('src') || 'media/cmaf/master.m3u8';
  const endpoint = params.get('endpoint') || '/v1/events';
  const session = params.get('session') || undefined;
  const flushMs = posNumber(params.get('flushMs'));
  const maxBuffer = posNumber(params.get('maxBuffer'));

  const demo: DemoState = { hls: null, tracker: null, video, events: [], batches: [], counts: {} };
  page.demo = demo;

  function banner(text: string): void {
    const b = byId('banner');
    b.textContent = text;
    b.hidden = false;
  }

  // ---------- formatting ----------
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const fmtClock = (ms: number) => {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  };
  const fmtMs = (ms: number | null | undefined) =>
    ms === undefined || ms === null
      ? '–'
      : ms >= 1000
        ? `${(ms / 1000).toFixed(2)} s`
        : `${Math.round(ms)} ms`;
  const fmtBps = (b: number | undefined) =>
    b ? (b >= 1e6 ? `${(b / 1e6).toFixed(2)} Mb/s` : `${Math.round(b / 1e3)} kb/s`) : '–';
  const COMMON = new Set(['id', 'seq', 'ts', 'type', 'playhead']);

  /** One short line per event: its own fields, in the schema's units. */
  function details(ev: BeaconEvent): string {
    const parts: string[] = [];
    const fields: [string, unknown][] = Object.entries(ev);
    for (const [k, v] of fields) {
      if (COMMON.has(k) || v === undefined || v === null) continue;
      if (k === 'bitrate' || k === 'prev_bitrate') parts.push(`${k} ${fmtBps(Number(v))}`);
      else if (k.endsWith('_ms')) parts.push(`${k} ${fmtMs(Number(v))}`);
      else if (k === 'width' || k === 'height') continue;
      else parts.push(`${k} ${typeof v === 'number' ? Math.round(v * 1000) / 1000 : v}`);
    }
    if ('width' in ev && ev.width && ev.height) parts.push(`${ev.width}×${ev.height}`);
    parts.push(`@ ${ev.playhead.toFixed(2)} s`);
    return parts.join(' · ');
  }

  function cell(tr: HTMLTableRowElement, text: string, cls?: string): HTMLTableCellElement {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  /** Appends in time order and keeps the newest row in view, unless the reader scrolled up. */
  function append({ body: tbody, wrap }: LogTable, tr: HTMLTableRowElement): void {
    const follow = wrap.scrollHeight - wrap.scrollTop - wrap.clientHeight < 40;
    const empty = tbody.querySelector('tr.empty');
    if (empty) empty.remove();
    tbody.appendChild(tr);
    while (tbody.rows.length > MAX_ROWS) tbody.deleteRow(0);
    if (follow) wrap.scrollTop = wrap.scrollHeight;
  }

  // ---------- the live list ----------
  const rowsById = new Map<string, HTMLTableRowElement>();
  let lastSession: string | null = null;
  /** Absolute URL of the ingest endpoint, as the batches list shows it. */
  let currentEndpoint = '';

  function renderCounts(): void {
    const box = byId('type-counts');
    box.textContent = '';
    for (const [type, n] of Object.entries(demo.counts).sort(
      (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
    )) {
      const chip = document.createElement('span');
      chip.className = `chip t-${type}`;
      chip.textContent = `${type} `;
      const b = document.createElement('b');
      b.textContent = String(n);
      chip.appendChild(b);
      box.appendChild(chip);
    }
    const sent = demo.batches.filter((b) => b.outcome === 'sent').length;
    byId('log-summary').textContent =
      `${demo.events.length} event${demo.events.length === 1 ? '' : 's'} · ${sent} batch${sent === 1 ? '' : 'es'} delivered`;
  }

  function onEvent(ev: BeaconEvent, sessionId: string): void {
    demo.events.push({ sessionId, event: ev });
    demo.counts[ev.type] = (demo.counts[ev.type] || 0) + 1;
    const table = logTable('events');
    if (sessionId !== lastSession) {
      lastSession = sessionId;
      const sep = document.createElement('tr');
      sep.className = 'session';
      cell(sep, `session ${sessionId}`).colSpan = 5;
      append(table, sep);
      byId('session-id').textContent = sessionId;
    }
    const tr = document.createElement('tr');
    tr.className = `t-${ev.type}`;
    cell(tr, fmtClock(ev.ts), 'time');
    cell(tr, String(ev.seq), 'num');
    cell(tr, ev.type, 'type');
    cell(tr, details(ev), 'detail');
    cell(tr, demo.tracker && !demo.tracker.sampled ? 'not sampled' : 'queued', 'batch pending');
    append(table, tr);
    rowsById.set(ev.id, tr);
    if (ev.type === 'first_frame') byId('q-startup').textContent = fmtMs(ev.startup_ms);
    renderCounts();
  }

  function onBatchSent(r: BatchResult): void {
    const n = demo.batches.length + 1;
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
    demo.batches.push(entry);
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
    append(logTable('batches'), tr);
    renderCounts();
  }

  // ---------- player and SDK ----------
  const sdk = page.BeaconEdge;
  if (!sdk) {
    banner(
      'The SDK bundle (vendor/beacon-edge.iife.js) did not load. Build it with `npm run build`, then reload.',
    );
    return;
  }
  if (session !== undefined && !ID_PATTERN.test(session)) {
    banner(
      `?session=${session} is not a valid session id (8–64 of A–Z a–z 0–9 _ -): a random id is used instead.`,
    );
  }
  currentEndpoint = new URL(endpoint, location.href).href;
  const options: BeaconEdge.TrackerOptions = {
    contentId: 'demo-testsrc2',
    endpoint,
    sessionId: session,
    onEvent,
    onBatchSent,
  };
  if (flushMs) options.flushMs = flushMs;
  byId('flush-period').textContent = `${(flushMs || sdk.DEFAULTS.flushMs) / 1000} s`;

  const HlsClass = page.Hls;
  if (HlsClass?.isSupported()) {
    const config: Partial<HlsConfig> = { enableWorker: true };
    if (maxBuffer)
      Object.assign(config, { maxBufferLength: maxBuffer, maxMaxBufferLength: maxBuffer });
    const hls = new HlsClass(config);
    demo.hls = hls;
    // Attach the SDK before loading, so it sees the manifest request and the first levels.
    demo.tracker = sdk.hlsjs(hls, options);
    hls.on(HlsClass.Events.LEVEL_SWITCHED, (_e, d) => {
      const l = hls.levels[d.level];
      if (l)
        byId('rendition').textContent =
          `${l.height}p · ${fmtBps(l.bitrate)} (level ${d.level} of ${hls.levels.length})`;
    });
    hls.on(HlsClass.Events.ERROR, (_e, d) => {
      if (d.fatal) banner(`hls.js fatal error: ${d.details}`);
    });
    if (params.get('autoplay') === '1')
      hls.on(HlsClass.Events.MANIFEST_PARSED, () => {
        video.play().catch(() => undefined);
      });
    hls.loadSource(src);
    hls.attachMedia(video);
    byId('versions').textContent = `hls.js ${HlsClass.version} · SDK ${sdk.SDK_VERSION}`;
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    // Safari plays HLS natively: the plain <video> adapter covers it.
    demo.tracker = sdk.html5(video, options);
    video.autoplay = params.get('autoplay') === '1';
    video.src = src;
    byId('versions').textContent = `native HLS · SDK ${sdk.SDK_VERSION}`;
  } else {
    banner('This browser supports neither Media Source Extensions nor native HLS.');
    return;
  }
  const tracker = demo.tracker;
  byId('session-id').textContent = tracker.sessionId;
  byId('viewer-id').textContent = tracker.viewerId || '(omitted)';
  byId('src').textContent = src;

  // ---------- controls ----------
  const clampTime = (t: number) =>
    Math.max(0, Math.min(Number.isFinite(video.duration) ? video.duration - 0.1 : t, t));
  byId('btn-play').addEventListener('click', () => {
    video.play().catch((err: unknown) => banner(`play() failed: ${errorMessage(err)}`));
  });
  byId('btn-pause').addEventListener('click', () => video.pause());
  byId('btn-back').addEventListener('click', () => {
    video.currentTime = clampTime(video.currentTime - 5);
  });
  byId('btn-fwd').addEventListener('click', () => {
    video.currentTime = clampTime(video.currentTime + 5);
  });
  byId('btn-mute').addEventListener('click', () => {
    video.muted = !video.muted;
  });
  const volume = byId('volume', HTMLInputElement);
  volume.addEventListener('input', () => {
    video.volume = Number(volume.value);
  });
  byId('btn-flush').addEventListener('click', () => tracker.flush());
  byId('btn-clear').addEventListener('click', () => {
    for (const id of ['events', 'batches']) logTable(id).body.textContent = '';
    rowsById.clear();
    lastSession = null;
  });

  const syncVolume = () => {
    volume.value = String(video.volume);
    byId('btn-mute').textContent = video.muted ? 'Unmute' : 'Mute';
    byId('btn-mute').setAttribute('aria-pressed', String(video.muted));
  };
  video.addEventListener('volumechange', syncVolume);
  syncVolume();
  const syncPlaying = () => document.body.classList.toggle('playing', !video.paused);
  for (const type of ['play', 'pause', 'ended']) video.addEventListener(type, syncPlaying);

  // The endpoint applies to the next request; the address bar keeps it for a reload.
  const endpointInput = byId('endpoint', HTMLInputElement);
  endpointInput.value = endpoint;
  const applyEndpoint = () => {
    const value = endpointInput.value.trim();
    let url: URL;
    try {
      url = new URL(value, location.href);
    } catch {
      byId('endpoint-hint').textContent = `Not a URL: ${value}`;
      return;
    }
    tracker.setEndpoint(value);
    currentEndpoint = url.href;
    byId('endpoint-hint').textContent = `Next request goes to ${url.href}`;
    const next = new URL(location.href);
    if (value === '/v1/events') next.searchParams.delete('endpoint');
    else next.searchParams.set('endpoint', value);
    history.replaceState(null, '', next);
  };
  byId('endpoint-form').addEventListener('submit', (e) => {
    e.preventDefault();
    applyEndpoint();
  });
  endpointInput.addEventListener('change', applyEndpoint);

  // ---------- live QoE read-out ----------
  setInterval(() => {
    const c = tracker.counters();
    byId('q-played').textContent = fmtMs(c.played_ms);
    byId('q-stalls').textContent = String(c.stall_count);
    byId('q-stall-ms').textContent = fmtMs(c.stall_ms);
    byId('q-bitrate').textContent = fmtBps(c.bitrate);
    byId('session-id').textContent = tracker.sessionId;
  }, 500);

  function errorMessage(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
  }
})();
