// beacon-edge player demo: hls.js playing the repository's test stream with the SDK attached, and
// a live list of every beacon event and every batch delivery attempt (page/beacon-log.ts).
// demo/build.mjs bundles this file into dist/demo/demo.js, a classic script without imports: the
// SDK (its IIFE build) and hls.js come from their own script tags as `window.BeaconEdge` and
// `window.Hls`, and only their types are imported.
//
// Query parameters (all optional):
//   session=<id>     id of the first session (as the original AWS demo's ?session=); 8–64 of [A-Za-z0-9_-]
//   endpoint=<url>   ingest URL or path (default /v1/events, first-party through the CDN)
//   flushMs=<ms>     periodic flush (SDK default 10000)
//   maxBuffer=<s>    hls.js forward buffer target and cap, seconds (small values make stalls
//                    deterministic in tests: the player holds only that much media ahead)
//   schema=<version> schema version the SDK declares and writes (1-0-0, 1-1-0, 2-0-0; default the
//                    SDK's current one); the page's control changes it and reloads
//   autoplay=1       start playing when the manifest is parsed
//   src=<m3u8 url>   another HLS stream
// `window.demo` exposes { hls, tracker, video, events, batches, counts } for the console and tests.
import type Hls from 'hls.js';
import type { HlsConfig } from 'hls.js';
import type * as BeaconEdge from '../player/iife.js';
import { type BeaconLog, type BeaconRecord, createBeaconLog } from './page/beacon-log.js';
import { byId } from '../dashboard/dom.js';
import { sessionLink } from '../dashboard/session-links.js';
import { fmtBps, fmtMs } from './page/format.js';
import { createSchemaStatus, pickVersion } from './page/schema-status.js';

type Tracker = BeaconEdge.Tracker;

/** `window.demo`: the player, the SDK's tracker and what the list recorded. */
interface DemoState extends BeaconRecord {
  hls: Hls | null;
  video: HTMLVideoElement;
}

/** Globals of the page's other scripts; each is missing when its script failed to load. */
interface PageGlobals {
  Hls?: typeof Hls;
  BeaconEdge?: typeof BeaconEdge;
  demo?: DemoState;
}

const page: Window & PageGlobals = window;

const params = new URLSearchParams(location.search);
const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
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

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Starts hls.js (or native HLS) with the SDK attached; null when the browser plays neither. */
function startPlayer(sdk: typeof BeaconEdge, options: BeaconEdge.TrackerOptions): Tracker | null {
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
    byId('versions').textContent =
      `hls.js ${HlsClass.version} · SDK ${sdk.SDK_VERSION} · schema ${options.schemaVersion}`;
    return demo.tracker;
  }
  if (video.canPlayType('application/vnd.apple.mpegurl')) {
    // Safari plays HLS natively: the plain <video> adapter covers it.
    demo.tracker = sdk.html5(video, options);
    video.autoplay = params.get('autoplay') === '1';
    video.src = src;
    byId('versions').textContent =
      `native HLS · SDK ${sdk.SDK_VERSION} · schema ${options.schemaVersion}`;
    return demo.tracker;
  }
  banner('This browser supports neither Media Source Extensions nor native HLS.');
  return null;
}

/** Play, pause, seek, mute and volume drive the <video>; flush and clear act on SDK and list. */
function wireControls(tracker: Tracker, log: BeaconLog): void {
  const clampTime = (t: number) =>
    Math.max(0, Math.min(Number.isFinite(video.duration) ? video.duration - 0.1 : t, t));
  const volume = byId('volume', HTMLInputElement);
  const mute = byId('btn-mute');
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
  mute.addEventListener('click', () => {
    video.muted = !video.muted;
  });
  volume.addEventListener('input', () => {
    video.volume = Number(volume.value);
  });
  byId('btn-flush').addEventListener('click', () => tracker.flush());
  byId('btn-clear').addEventListener('click', () => log.clear());

  const syncVolume = () => {
    volume.value = String(video.volume);
    mute.textContent = video.muted ? 'Unmute' : 'Mute';
    mute.setAttribute('aria-pressed', String(video.muted));
  };
  video.addEventListener('volumechange', syncVolume);
  syncVolume();
  const syncPlaying = () => document.body.classList.toggle('playing', !video.paused);
  for (const type of ['play', 'pause', 'ended']) video.addEventListener(type, syncPlaying);
}

/** The endpoint applies to the next request; the address bar keeps it for a reload. */
function wireEndpointField(tracker: Tracker, log: BeaconLog): void {
  const input = byId('endpoint', HTMLInputElement);
  const hint = byId('endpoint-hint');
  input.value = endpoint;
  const applyEndpoint = () => {
    const value = input.value.trim();
    let url: URL;
    try {
      url = new URL(value, location.href);
    } catch {
      hint.textContent = `Not a URL: ${value}`;
      return;
    }
    tracker.setEndpoint(value);
    log.setEndpointUrl(url.href);
    hint.textContent = `Next request goes to ${url.href}`;
    const next = new URL(location.href);
    if (value === '/v1/events') next.searchParams.delete('endpoint');
    else next.searchParams.set('endpoint', value);
    history.replaceState(null, '', next);
  };
  byId('endpoint-form').addEventListener('submit', (e) => {
    e.preventDefault();
    applyEndpoint();
  });
  input.addEventListener('change', applyEndpoint);
}

/** The current session's id, and the link to its page in the dashboard (same origin). */
function showSession(tracker: Tracker): void {
  byId('session-id').textContent = tracker.sessionId;
  byId('session-link', HTMLAnchorElement).href = sessionLink(tracker.sessionId);
}

/** Live QoE read-out of the current session. */
function showQoe(tracker: Tracker): void {
  setInterval(() => {
    const c = tracker.counters();
    byId('q-played').textContent = fmtMs(c.played_ms);
    byId('q-stalls').textContent = String(c.stall_count);
    byId('q-stall-ms').textContent = fmtMs(c.stall_ms);
    byId('q-bitrate').textContent = fmtBps(c.bitrate);
    showSession(tracker);
  }, 500);
}

function main(): void {
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
  const { version, problem } = pickVersion(params.get('schema'), sdk);
  if (problem) banner(problem);
  const log = createBeaconLog(demo, new URL(endpoint, location.href).href);
  const options: BeaconEdge.TrackerOptions = {
    contentId: 'demo-testsrc2',
    endpoint,
    sessionId: session,
    schemaVersion: version,
    onEvent: log.onEvent,
    onBatchSent: log.onBatchSent,
    ...createSchemaStatus(sdk, version),
  };
  if (flushMs) options.flushMs = flushMs;
  byId('flush-period').textContent = `${(flushMs || sdk.DEFAULTS.flushMs) / 1000} s`;

  const tracker = startPlayer(sdk, options);
  if (!tracker) return;
  showSession(tracker);
  byId('viewer-id').textContent = tracker.viewerId || '(omitted)';
  byId('src').textContent = src;
  wireControls(tracker, log);
  wireEndpointField(tracker, log);
  showQoe(tracker);
}

main();
