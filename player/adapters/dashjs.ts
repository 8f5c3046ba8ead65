/**
 * Adapter for dash.js 5 (checked against its `index.d.ts`). Only types are imported: the host
 * passes its own MediaPlayer instance.
 *
 * Element events come from the player's video element (whose `loadstart` with a new MediaSource
 * URL also marks a new source). From dash.js itself:
 * - QUALITY_CHANGE_RENDERED (video) → variant_loaded the first time a representation is used,
 *   bitrate_changed afterwards (dash.js fires it for the initial representation too, with no old one);
 * - PLAYBACK_WAITING → stall; PLAYBACK_STALLED (the element's `stalled`: the network is slow, which
 *   is not yet a stall) only when the element cannot play on (readyState < HAVE_FUTURE_DATA);
 * - FRAGMENT_LOADING_COMPLETED (video media segments) → segment timing;
 * - ERROR (`{ error: { code, message } }`) → a fatal error: dash.js reports on this event what it
 *   could not recover from. Override with `isFatal`;
 * - schema 1-1-0's fields: the representation's `frameRate`, the audio and text track languages
 *   (TRACK_CHANGE_RENDERED), the key system (KEY_SYSTEM_SELECTED), and on heartbeats
 *   `getAverageThroughput('video')` (kbps, once a video segment was measured) and the element's
 *   forward buffer.
 */
import type { MediaPlayerEvents, Representation } from 'dashjs';
import type { TrackerOptions } from '../config/options.js';
import type { AdapterFactory, PlayerInput, Rendition } from '../core/adapter.js';
import { listenerBag } from '../core/adapter.js';
import { createTracker, type Tracker } from '../core/tracker.js';
import { mediaReadouts, wireMediaElement, type MediaElementLike } from './html5.js';
import { drmSystem } from './key-system.js';

type Name<K extends keyof MediaPlayerEvents> = MediaPlayerEvents[K];

/** dash.js event names used, typed by dash.js's `MediaPlayerEvents` so a rename fails to compile. */
export const DASH_EVENTS: {
  QUALITY_CHANGE_RENDERED: Name<'QUALITY_CHANGE_RENDERED'>;
  PLAYBACK_WAITING: Name<'PLAYBACK_WAITING'>;
  PLAYBACK_STALLED: Name<'PLAYBACK_STALLED'>;
  FRAGMENT_LOADING_COMPLETED: Name<'FRAGMENT_LOADING_COMPLETED'>;
  ERROR: Name<'ERROR'>;
  STREAM_INITIALIZED: Name<'STREAM_INITIALIZED'>;
  TRACK_CHANGE_RENDERED: Name<'TRACK_CHANGE_RENDERED'>;
  KEY_SYSTEM_SELECTED: Name<'KEY_SYSTEM_SELECTED'>;
} = {
  QUALITY_CHANGE_RENDERED: 'qualityChangeRendered',
  PLAYBACK_WAITING: 'playbackWaiting',
  PLAYBACK_STALLED: 'playbackStalled',
  FRAGMENT_LOADING_COMPLETED: 'fragmentLoadingCompleted',
  ERROR: 'error',
  STREAM_INITIALIZED: 'streamInitialized',
  TRACK_CHANGE_RENDERED: 'trackChangeRendered',
  KEY_SYSTEM_SELECTED: 'public_keySystemSelected',
};

/** A dash.js event listener: it gets that event's payload object. */
type DashListener = (e: unknown) => void;

/** The parts of a dash.js MediaPlayer the adapter uses (a real MediaPlayer satisfies it). */
export interface DashLike {
  on(type: string, listener: DashListener, scope?: object): void;
  off(type: string, listener: DashListener, scope?: object): void;
  getVideoElement?(): MediaElementLike;
  getVersion?(): string;
  /** Throughput estimate of a media type, kbps. */
  getAverageThroughput?(type: 'video'): number;
}

/** Options of the dash.js adapter. */
export interface DashAdapterOptions {
  /** The video element, when the player's view is attached later than the adapter. */
  video?: MediaElementLike;
  /** Decides whether an ERROR event is fatal. Default: every one is. */
  isFatal?: (error: { code?: unknown; message?: unknown }) => boolean;
}

type RepresentationLike = Pick<Representation, 'bandwidth' | 'width' | 'height' | 'id'> & {
  frameRate?: number;
  absoluteIndex?: number;
  index?: number;
};

function rendition(r: RepresentationLike): Rendition {
  const level = typeof r.absoluteIndex === 'number' ? r.absoluteIndex : r.index;
  return {
    bitrate: r.bandwidth,
    width: r.width || undefined,
    height: r.height || undefined,
    level: typeof level === 'number' && level >= 0 ? level : undefined,
    frameRate: r.frameRate || undefined,
  };
}

/**
 * Adapter for a dash.js MediaPlayer.
 * @example tracker.attach(dashjsAdapter(player))
 */
export function dashjsAdapter(player: DashLike, options: DashAdapterOptions = {}): AdapterFactory {
  return (input: PlayerInput) => {
    const bag = listenerBag();
    let media: MediaElementLike | null = null;
    let unwire: (() => void) | null = null;
    /** A video segment was measured: from then on the throughput estimate is a measurement. */
    let measured = false;
    const findMedia = () => {
      if (media) return;
      let el: MediaElementLike | null | undefined = options.video;
      if (!el) {
        try {
          el = player.getVideoElement?.();
        } catch {
          // dash.js throws until attachView(); STREAM_INITIALIZED retries.
        }
      }
      if (!el) return;
      media = el;
      unwire = wireMediaElement(el, input);
    };
    // Each handler declares the payload fields it reads, all optional where dash.js may omit them.
    const on = <T>(type: string, fn: (e: T) => void) => {
      const listener: DashListener = (e) => {
        try {
          fn(e as T);
        } catch (err) {
          input.log.error(`dash.js ${type} handler threw`, err);
        }
      };
      player.on(type, listener);
      bag.add(() => player.off(type, listener));
    };

    on(DASH_EVENTS.STREAM_INITIALIZED, findMedia);
    on(
      DASH_EVENTS.QUALITY_CHANGE_RENDERED,
      (e: { mediaType?: string; newRepresentation?: RepresentationLike }) => {
        const rep = e.newRepresentation;
        if (e.mediaType !== 'video' || !rep) return;
        const r = rendition(rep);
        input.variantLoaded(r, rep.id);
        input.renditionChanged(r);
      },
    );
    on(DASH_EVENTS.PLAYBACK_WAITING, () => input.waiting());
    on(DASH_EVENTS.PLAYBACK_STALLED, () => {
      if (media && (media.readyState ?? 0) < 3) input.waiting();
    });
    on(
      DASH_EVENTS.FRAGMENT_LOADING_COMPLETED,
      (e: {
        request?: {
          mediaType?: string;
          type?: string | null;
          bytesLoaded?: number;
          startDate?: Date;
          requestEndDate?: Date | null;
          duration?: number;
        };
      }) => {
        const q = e.request;
        if (q?.mediaType !== 'video' || q.type !== 'MediaSegment') return;
        measured = true;
        const loadMs =
          q.startDate && q.requestEndDate ? q.requestEndDate.getTime() - q.startDate.getTime() : 0;
        input.segmentLoaded({
          bytes: q.bytesLoaded ?? 0,
          loadMs: Math.max(0, loadMs),
          durationS: q.duration ?? 0,
        });
      },
    );
    on(
      DASH_EVENTS.ERROR,
      (e: {
        error?: { code?: unknown; message?: unknown } | string;
        event?: { message?: string };
      }) => {
        const err =
          typeof e.error === 'object' && e.error
            ? e.error
            : { code: e.error, message: e.event?.message };
        const fatal = options.isFatal ? options.isFatal(err) : true;
        input.error(
          String(err.code ?? 'dash_error'),
          typeof err.message === 'string' ? err.message : undefined,
          fatal,
        );
      },
    );
    on(
      DASH_EVENTS.TRACK_CHANGE_RENDERED,
      (e: { mediaType?: string; newMediaInfo?: { lang?: string | null } | null }) => {
        const lang = e.newMediaInfo?.lang || null;
        if (e.mediaType === 'audio') input.media({ audioLanguage: lang });
        else if (e.mediaType === 'text') input.media({ subtitleLanguage: lang });
      },
    );
    on(
      DASH_EVENTS.KEY_SYSTEM_SELECTED,
      (e: { data?: { keySystem?: { systemString?: string } } | null }) =>
        input.media({ drmSystem: drmSystem(e.data?.keySystem?.systemString) ?? null }),
    );
    findMedia();

    let version: string | undefined;
    try {
      version = player.getVersion?.();
    } catch {
      version = undefined;
    }
    return {
      detach: () => {
        bag.removeAll();
        unwire?.();
        unwire = media = null;
      },
      ...mediaReadouts(() => media),
      throughputKbps: () => {
        const kbps = measured ? player.getAverageThroughput?.('video') : undefined;
        return typeof kbps === 'number' && kbps > 0 ? kbps : undefined;
      },
      playerName: 'dash.js',
      playerVersion: version,
    };
  };
}

/**
 * Creates a tracker and attaches it to a dash.js MediaPlayer in one call.
 * @example const tracker = dashjs(player, { contentId: 'bbb' });
 */
export function dashjs(
  player: DashLike,
  options: TrackerOptions,
  adapterOptions?: DashAdapterOptions,
): Tracker {
  const tracker = createTracker(options);
  tracker.attach(dashjsAdapter(player, adapterOptions));
  return tracker;
}
