/**
 * Adapter for hls.js 1.x (checked against 1.7 types). Only types are imported: the host passes
 * its own Hls instance, so the SDK never bundles or pins hls.js.
 *
 * Element events come from the media element hls.js is attached to (re-wired on MEDIA_ATTACHED /
 * MEDIA_DETACHING). From hls.js itself:
 * - LEVEL_LOADED → variant_loaded (once per level and session: live playlists reload constantly),
 *   bitrate/width/height from `levels[level]`;
 * - LEVEL_SWITCHED → bitrate_changed;
 * - FRAG_LOADED (main) → segment timing for the throughput and bitrate estimates;
 * - ERROR → error with hls.js's `fatal` flag, except the non-fatal BUFFER_STALLED_ERROR, which is
 *   how hls.js reports a stall: it feeds the stall detector (backdated to `stalled.start`);
 * - MANIFEST_LOADING with a different URL → new session (new_source). The element's own URL is
 *   not used for that: hls.js gives it a new MediaSource URL when it recovers from a media error;
 * - schema 1-1-0's fields: `frameRate` of the level (FRAME-RATE; 0, absent, when the manifest is
 *   silent), the audio and subtitle track languages (MANIFEST_PARSED, AUDIO_TRACK_SWITCHED,
 *   SUBTITLE_TRACK_SWITCH), the key format of a loaded key (KEY_LOADED), and on heartbeats
 *   `bandwidthEstimate` (only once a fragment was measured: before that it is the configured
 *   default, not a measurement) and the element's forward buffer.
 */
import type {
  AudioTrackSwitchedData,
  ErrorData,
  Events,
  FragLoadedData,
  KeyLoadedData,
  LevelLoadedData,
  LevelSwitchedData,
  ManifestLoadingData,
  MediaAttachedData,
  SubtitleTrackSwitchData,
} from 'hls.js';
import type { TrackerOptions } from '../config/options.js';
import type { AdapterFactory, PlayerInput, Rendition } from '../core/adapter.js';
import { listenerBag } from '../core/adapter.js';
import { createTracker, type Tracker } from '../core/tracker.js';
import { mediaReadouts, wireMediaElement, type MediaElementLike } from './html5.js';
import { drmSystem } from './key-system.js';

/** hls.js event names used, checked against hls.js's own `Events` enum at compile time. */
export const HLS_EVENTS = {
  MEDIA_ATTACHED: 'hlsMediaAttached',
  MEDIA_DETACHING: 'hlsMediaDetaching',
  MANIFEST_LOADING: 'hlsManifestLoading',
  LEVEL_LOADED: 'hlsLevelLoaded',
  LEVEL_SWITCHED: 'hlsLevelSwitched',
  FRAG_LOADED: 'hlsFragLoaded',
  ERROR: 'hlsError',
  MANIFEST_PARSED: 'hlsManifestParsed',
  AUDIO_TRACK_SWITCHED: 'hlsAudioTrackSwitched',
  SUBTITLE_TRACK_SWITCH: 'hlsSubtitleTrackSwitch',
  KEY_LOADED: 'hlsKeyLoaded',
} as const satisfies {
  [K in
    | 'MEDIA_ATTACHED'
    | 'MEDIA_DETACHING'
    | 'MANIFEST_LOADING'
    | 'LEVEL_LOADED'
    | 'LEVEL_SWITCHED'
    | 'FRAG_LOADED'
    | 'ERROR'
    | 'MANIFEST_PARSED'
    | 'AUDIO_TRACK_SWITCHED'
    | 'SUBTITLE_TRACK_SWITCH'
    | 'KEY_LOADED']: `${(typeof Events)[K]}`;
};

/** hls.js's `ErrorDetails.BUFFER_STALLED_ERROR`. */
export const BUFFER_STALLED_ERROR = 'bufferStalledError';

/** An hls.js event listener: the event name, then that event's payload. */
type HlsListener = (event: string, data: unknown) => void;

/** The parts of an Hls instance the adapter uses (a real `Hls` satisfies it). */
export interface HlsLike {
  on(event: string, listener: HlsListener): void;
  off(event: string, listener: HlsListener): void;
  readonly levels?: ReadonlyArray<HlsLevel> | null;
  readonly media?: MediaElementLike | null;
  /** hls.js's throughput estimate, bits/s. */
  readonly bandwidthEstimate?: number;
  readonly audioTracks?: ReadonlyArray<{ lang?: string }>;
  readonly audioTrack?: number;
  readonly subtitleTracks?: ReadonlyArray<{ lang?: string }>;
  readonly subtitleTrack?: number;
}

/** A level as the adapter reads it. */
type HlsLevel = { bitrate: number; width?: number; height?: number; frameRate?: number };

function rendition(hls: HlsLike, level: number, fallback?: HlsLevel): Rendition | null {
  const l = hls.levels?.[level] ?? fallback;
  if (!l || !(l.bitrate >= 0)) return null;
  return {
    bitrate: l.bitrate,
    width: l.width || undefined,
    height: l.height || undefined,
    level,
    frameRate: l.frameRate || undefined,
  };
}

/** The language of track `i` of `tracks`; null when none is selected. */
const trackLang = (tracks: HlsLike['audioTracks'], i: number | undefined) =>
  (typeof i === 'number' && i >= 0 && tracks?.[i]?.lang) || null;

/**
 * Adapter for an hls.js instance (attach before or after `hls.attachMedia`).
 * @example tracker.attach(hlsjsAdapter(hls))
 */
export function hlsjsAdapter(hls: HlsLike): AdapterFactory {
  return (input: PlayerInput) => {
    const bag = listenerBag();
    let media: MediaElementLike | null = null;
    let unwire: (() => void) | null = null;
    let url: string | null = null;
    /** A main fragment was measured: from then on bandwidthEstimate is hls.js's measurement. */
    let measured = false;
    const wire = (el: MediaElementLike | null | undefined) => {
      unwire?.();
      unwire = null;
      media = el ?? null;
      if (media) unwire = wireMediaElement(media, input, false);
    };
    // hls.js declares each event's payload type (`T`, from its own types); the event name picks it.
    const on = <T>(event: string, fn: (data: T) => void) => {
      const listener: HlsListener = (_, data) => {
        try {
          fn(data as T);
        } catch (err) {
          input.log.error(`hls.js ${event} handler threw`, err);
        }
      };
      hls.on(event, listener);
      bag.add(() => hls.off(event, listener));
    };

    on<MediaAttachedData>(
      HLS_EVENTS.MEDIA_ATTACHED,
      (d) => d && d.media !== media && wire(d.media),
    );
    on<unknown>(HLS_EVENTS.MEDIA_DETACHING, () => wire(null));
    on<ManifestLoadingData>(HLS_EVENTS.MANIFEST_LOADING, (d) => {
      if (url !== null && d.url !== url) input.newSource();
      url = d.url;
    });
    on<LevelLoadedData>(HLS_EVENTS.LEVEL_LOADED, (d) => {
      const r = rendition(hls, d.level, d.levelInfo);
      if (r) input.variantLoaded(r, d.level);
    });
    on<LevelSwitchedData>(HLS_EVENTS.LEVEL_SWITCHED, (d) => {
      const r = rendition(hls, d.level);
      if (r) input.renditionChanged(r);
    });
    on<FragLoadedData>(HLS_EVENTS.FRAG_LOADED, (d) => {
      const f = d.frag;
      if (f?.type !== 'main') return;
      measured = true;
      const s = f.stats;
      input.segmentLoaded({
        bytes: s.loaded,
        loadMs: Math.max(0, s.loading.end - s.loading.start),
        durationS: f.duration || 0,
      });
    });
    on<ErrorData>(HLS_EVENTS.ERROR, (d) => {
      if (d.details === BUFFER_STALLED_ERROR && !d.fatal) {
        // hls.js's stall clock is performance.now(), the tracker's default monotonic clock.
        input.waiting(d.stalled?.start);
        return;
      }
      input.error(
        String(d.details || d.type || 'hlsError'),
        d.error?.message ?? d.reason,
        !!d.fatal,
      );
    });
    const tracks = () =>
      input.media({
        audioLanguage: trackLang(hls.audioTracks, hls.audioTrack),
        subtitleLanguage: trackLang(hls.subtitleTracks, hls.subtitleTrack),
      });
    on<unknown>(HLS_EVENTS.MANIFEST_PARSED, tracks);
    on<AudioTrackSwitchedData>(HLS_EVENTS.AUDIO_TRACK_SWITCHED, (d) =>
      input.media({ audioLanguage: d.lang || null }),
    );
    on<SubtitleTrackSwitchData>(HLS_EVENTS.SUBTITLE_TRACK_SWITCH, (d) =>
      input.media({ subtitleLanguage: trackLang(hls.subtitleTracks, d.id) }),
    );
    on<KeyLoadedData>(HLS_EVENTS.KEY_LOADED, (d) =>
      input.media({ drmSystem: drmSystem(d.keyInfo?.decryptdata?.keyFormat) ?? null }),
    );
    wire(hls.media);
    tracks();

    const version = (hls.constructor as { version?: unknown } | undefined)?.version;
    return {
      detach: () => {
        bag.removeAll();
        wire(null);
      },
      ...mediaReadouts(() => media),
      throughputKbps: () => {
        const bps = hls.bandwidthEstimate;
        return measured && typeof bps === 'number' && bps > 0 ? bps / 1000 : undefined;
      },
      playerName: 'hls.js',
      playerVersion: typeof version === 'string' ? version : undefined,
    };
  };
}

/**
 * Creates a tracker and attaches it to an hls.js instance in one call.
 * @example const tracker = hlsjs(hls, { contentId: 'bbb' });
 */
export function hlsjs(hls: HlsLike, options: TrackerOptions): Tracker {
  const tracker = createTracker(options);
  tracker.attach(hlsjsAdapter(hls));
  return tracker;
}
