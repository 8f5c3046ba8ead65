// beacon-edge player demo: hls.js playing the repository's test stream with the SDK attached, and
// a live list of every beacon event and every batch delivery attempt. Plain browser JavaScript,
// no build step: the local stack serves this file as is and demo/build.mjs copies it.
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
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
  const MAX_ROWS = 400;
  const posNumber = (v) =>
    v !== null && v !== '' && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : undefined;

  const video = $('video');
  const src = params.get('src') || 'media/cmaf/master.m3u8';
  const endpoint = params.get('endpoint') || '/v1/events';
  const session = params.get('session') || undefined;
  const flushMs = posNumber(params.get('flushMs'));
  const maxBuffer = posNumber(params.get('maxBuffer'));

  const demo = { hls: null, tracker: null, video, events: [], batches: [], counts: {} };
  window.demo = demo;

  function banner(text) {
    const b = $('banner');
    b.textContent = text;
    b.hidden = false;
  }

  // ---------- formatting ----------
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const fmtClock = (ms) => {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  };
  const fmtMs = (ms) =>
    ms === undefined || ms === null
      ? '–'
      : ms >= 1000
        ? `${(ms / 1000).toFixed(2)} s`
        : `${Math.round(ms)} ms`;
  const fmtBps = (b) =>
    b ? (b >= 1e6 ? `${(b / 1e6).toFixed(2)} Mb/s` : `${Math.round(b / 1e3)} kb/s`) : '–';
  const COMMON = new Set(['id', 'seq', 'ts', 'type', 'playhead']);

  /** One short line per event: its own fields, in the schema's units. */
  function details(ev) {
    const parts = [];
    for (const [k, v] of Object.entries(ev)) {
      if (COMMON.has(k) || v === undefined || v === null) continue;
      if (k === 'bitrate' || k === 'prev_bitrate') parts.push(`${k} ${fmtBps(v)}`);
      else if (k.endsWith('_ms')) parts.push(`${k} ${fmtMs(v)}`);
      else if (k === 'width' || k === 'height') continue;
      else parts.push(`${k} ${typeof v === 'number' ? Math.round(v * 1000) / 1000 : v}`);
    }
    if (ev.width && ev.height) parts.push(`${ev.width}×${ev.height}`);
    parts.push(`@ ${Number(ev.playhead).toFixed(2)} s`);
    return parts.join(' · ');
  }

  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  /** Appends in time order and keeps the newest row in view, unless the reader scrolled up. */
  function append(tbody, tr) {
    const wrap = tbody.closest('.table-wrap');
    const follow = wrap.scrollHeight - wrap.scrollTop - wrap.clientHeight < 40;
    const empty = tbody.querySelector('tr.empty');
    if (empty) empty.remove();
    tbody.appendChild(tr);
    while (tbody.rows.length > MAX_ROWS) tbody.deleteRow(0);
    if (follow) wrap.scrollTop = wrap.scrollHeight;
  }

  // ---------- the live list ----------
  const rowsById = new Map();
  let lastSession = null;

  function renderCounts() {
    const box = $('type-counts');
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
    $('log-summary').textContent =
      `${demo.events.length} event${demo.events.length === 1 ? '' : 's'} · ${sent} batch${sent === 1 ? '' : 'es'} delivered`;
  }

  function onEvent(ev, sessionId) {
    demo.events.push({ sessionId, event: ev });
    demo.counts[ev.type] = (demo.counts[ev.type] || 0) + 1;
    const tbody = $('events').tBodies[0];
    if (sessionId !== lastSession) {
      lastSession = sessionId;
      const sep = document.createElement('tr');
      sep.className = 'session';
      cell(sep, `session ${sessionId}`).colSpan = 5;
      append(tbody, sep);
      $('session-id').textContent = sessionId;
    }
    const tr = document.createElement('tr');
    tr.className = `t-${ev.type}`;
    cell(tr, fmtClock(ev.ts), 'time');
    cell(tr, String(ev.seq), 'num');
    cell(tr, ev.type, 'type');
    cell(tr, details(ev), 'detail');
    cell(tr, demo.tracker && !demo.tracker.sampled ? 'not sampled' : 'queued', 'batch pending');
    append(tbody, tr);
    rowsById.set(ev.id, tr);
    if (ev.type === 'first_frame') $('q-startup').textContent = fmtMs(ev.startup_ms);
    renderCounts();
  }

  function onBatchSent(r) {
    const n = demo.batches.length + 1;
    const entry = {
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
    append($('batches').tBodies[0], tr);
    renderCounts();
  }

  // ---------- player and SDK ----------
  if (!window.BeaconEdge) {
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
  let currentEndpoint = new URL(endpoint, location.href).href;
  const options = {
    contentId: 'demo-testsrc2',
    endpoint,
    sessionId: session,
    onEvent,
    onBatchSent,
  };
  if (flushMs) options.flushMs = flushMs;
  $('flush-period').textContent = `${(flushMs || BeaconEdge.DEFAULTS.flushMs) / 1000} s`;

  const Hls = window.Hls;
  if (Hls && Hls.isSupported()) {
    const config = { enableWorker: true };
    if (maxBuffer)
      Object.assign(config, { maxBufferLength: maxBuffer, maxMaxBufferLength: maxBuffer });
    const hls = new Hls(config);
    demo.hls = hls;
    // Attach the SDK before loading, so it sees the manifest request and the first levels.
    demo.tracker = BeaconEdge.hlsjs(hls, options);
    hls.on(Hls.Events.LEVEL_SWITCHED, (_e, d) => {
      const l = hls.levels[d.level];
      if (l)
        $('rendition').textContent =
          `${l.height}p · ${fmtBps(l.bitrate)} (level ${d.level} of ${hls.levels.length})`;
    });
    hls.on(Hls.Events.ERROR, (_e, d) => d.fatal && banner(`hls.js fatal error: ${d.details}`));
    if (params.get('autoplay') === '1')
      hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => undefined));
    hls.loadSource(src);
    hls.attachMedia(video);
    $('versions').textContent = `hls.js ${Hls.version} · SDK ${BeaconEdge.SDK_VERSION}`;
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    // Safari plays HLS natively: the plain <video> adapter covers it.
    demo.tracker = BeaconEdge.html5(video, options);
    video.autoplay = params.get('autoplay') === '1';
    video.src = src;
    $('versions').textContent = `native HLS · SDK ${BeaconEdge.SDK_VERSION}`;
  } else {
    banner('This browser supports neither Media Source Extensions nor native HLS.');
    return;
  }
  const tracker = demo.tracker;
  $('session-id').textContent = tracker.sessionId;
  $('viewer-id').textContent = tracker.viewerId || '(omitted)';
  $('src').textContent = src;

  // ---------- controls ----------
  const clampTime = (t) =>
    Math.max(0, Math.min(Number.isFinite(video.duration) ? video.duration - 0.1 : t, t));
  $('btn-play').addEventListener('click', () =>
    video.play().catch((err) => banner(`play() failed: ${err.message}`)),
  );
  $('btn-pause').addEventListener('click', () => video.pause());
  $('btn-back').addEventListener(
    'click',
    () => (video.currentTime = clampTime(video.currentTime - 5)),
  );
  $('btn-fwd').addEventListener(
    'click',
    () => (video.currentTime = clampTime(video.currentTime + 5)),
  );
  $('btn-mute').addEventListener('click', () => (video.muted = !video.muted));
  $('volume').addEventListener('input', (e) => (video.volume = Number(e.target.value)));
  $('btn-flush').addEventListener('click', () => tracker.flush());
  $('btn-clear').addEventListener('click', () => {
    for (const id of ['events', 'batches']) $(id).tBodies[0].textContent = '';
    rowsById.clear();
    lastSession = null;
  });

  const syncVolume = () => {
    $('volume').value = String(video.volume);
    $('btn-mute').textContent = video.muted ? 'Unmute' : 'Mute';
    $('btn-mute').setAttribute('aria-pressed', String(video.muted));
  };
  video.addEventListener('volumechange', syncVolume);
  syncVolume();
  const syncPlaying = () => document.body.classList.toggle('playing', !video.paused);
  for (const type of ['play', 'pause', 'ended']) video.addEventListener(type, syncPlaying);

  // The endpoint applies to the next request; the address bar keeps it for a reload.
  const endpointInput = $('endpoint');
  endpointInput.value = endpoint;
  const applyEndpoint = () => {
    const value = endpointInput.value.trim();
    let url;
    try {
      url = new URL(value, location.href);
    } catch {
      $('endpoint-hint').textContent = `Not a URL: ${value}`;
      return;
    }
    tracker.setEndpoint(value);
    currentEndpoint = url.href;
    $('endpoint-hint').textContent = `Next request goes to ${url.href}`;
    const next = new URL(location.href);
    if (value === '/v1/events') next.searchParams.delete('endpoint');
    else next.searchParams.set('endpoint', value);
    history.replaceState(null, '', next);
  };
  $('endpoint-form').addEventListener('submit', (e) => {
    e.preventDefault();
    applyEndpoint();
  });
  endpointInput.addEventListener('change', applyEndpoint);

  // ---------- live QoE read-out ----------
  setInterval(() => {
    const c = tracker.counters();
    $('q-played').textContent = fmtMs(c.played_ms);
    $('q-stalls').textContent = String(c.stall_count);
    $('q-stall-ms').textContent = fmtMs(c.stall_ms);
    $('q-bitrate').textContent = fmtBps(c.bitrate);
    $('session-id').textContent = tracker.sessionId;
  }, 500);
})();
