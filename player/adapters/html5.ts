/**
 * Adapter for a plain HTML5 `<video>` (or `<audio>`) element. Works under any player, since every
 * MSE player (hls.js, dash.js, Shaka) drives a media element; the hls.js and dash.js adapters use
 * it for the element events and add what only the player knows.
 *
 * Mapping: play → requested (first) / resume request, playing → started / resumed, timeupdate →
 * first_frame and stall end, pause → paused (not the pause the element fires just before ended),
 * waiting → stall, seeking/seeked, volumechange → volume_changed / muted / unmuted, ended, error
 * (fatal: a MediaError stops the element). loadstart/emptied with a different currentSrc is a new
 * source: the session ends (new_source) and the next one starts.
 */
import type { TrackerOptions } from '../config/options.js';
import type { EventTargetLike } from '../config/ports.js';
import type { AdapterFactory, PlayerInput } from '../core/adapter.js';
import { listenerBag } from '../core/adapter.js';
import { createTracker, type Tracker } from '../core/tracker.js';

/** The media element properties the adapter reads (an HTMLVideoElement has them all). */
export interface MediaElementLike extends EventTargetLike {
  currentTime: number;
  paused: boolean;
  ended: boolean;
  volume: number;
  muted: boolean;
  autoplay?: boolean;
  currentSrc: string;
  readyState?: number;
  error?: { code: number; message?: string } | null;
  /** Buffered time ranges, seconds (TimeRanges). */
  buffered?: { readonly length: number; start(i: number): number; end(i: number): number };
  getVideoPlaybackQuality?(): { droppedVideoFrames: number };
}

const MEDIA_ERRORS = [
  '',
  'MEDIA_ERR_ABORTED',
  'MEDIA_ERR_NETWORK',
  'MEDIA_ERR_DECODE',
  'MEDIA_ERR_SRC_NOT_SUPPORTED',
];

/** The element events the adapter listens to (exported so tests can check every one is removed). */
export const HTML5_EVENTS = [
  'play',
  'playing',
  'pause',
  'waiting',
  'seeking',
  'seeked',
  'volumechange',
  'ended',
  'error',
  'timeupdate',
  'loadstart',
  'emptied',
] as const;

/**
 * Wires a media element to a tracker input; returns the function removing every listener.
 * Used by this adapter and by the player adapters, which re-wire when the player changes element.
 * `trackSource: false` leaves new-source detection to the player adapter (hls.js re-creates its
 * MediaSource, so the element's URL, when it recovers from a media error).
 */
export function wireMediaElement(
  el: MediaElementLike,
  input: PlayerInput,
  trackSource = true,
): () => void {
  const bag = listenerBag();
  let src = el.currentSrc || '';
  const checkSource = () => {
    const now = el.currentSrc || '';
    if (trackSource && now && src && now !== src) input.newSource();
    if (now) src = now;
  };
  const handlers: Record<(typeof HTML5_EVENTS)[number], () => void> = {
    play: () => input.request(!!el.autoplay),
    playing: () => input.playing(),
    // The element pauses itself right before `ended`; that is not the viewer pausing.
    pause: () => el.ended || input.pause(),
    waiting: () => input.waiting(),
    seeking: () => input.seeking(el.currentTime),
    seeked: () => input.seeked(),
    volumechange: () => input.volume(el.volume, el.muted),
    ended: () => input.ended(),
    error: () => {
      const e = el.error;
      input.error(
        MEDIA_ERRORS[e?.code ?? 0] || `MEDIA_ERR_${e?.code ?? 'UNKNOWN'}`,
        e?.message || undefined,
        true,
      );
    },
    timeupdate: () => input.progress(el.currentTime),
    loadstart: checkSource,
    emptied: checkSource,
  };
  for (const type of HTML5_EVENTS) {
    const fn = () => {
      try {
        handlers[type]();
      } catch (err) {
        input.log.error(`html5 ${type} handler threw`, err);
      }
    };
    el.addEventListener(type, fn);
    bag.add(() => el.removeEventListener(type, fn));
  }
  input.volume(el.volume, el.muted, true);
  // Attached while already playing: the session starts now, without a (unknown) startup time.
  if (!el.paused && !el.ended && (el.readyState ?? 4) > 2) input.playing();
  return bag.removeAll;
}

/** Media buffered ahead of the playhead, ms: the end of the range holding it, less the playhead. */
export function bufferAheadMs(e: MediaElementLike | null | undefined): number | undefined {
  const b = e?.buffered;
  if (!b) return undefined;
  const t = e.currentTime;
  for (let i = 0; i < b.length; i++)
    if (b.start(i) <= t && t <= b.end(i)) return (b.end(i) - t) * 1000;
  return 0;
}

/** Reads the element's playhead, dropped frames and forward buffer for the tracker. */
export function mediaReadouts(el: () => MediaElementLike | null | undefined) {
  return {
    playhead: () => el()?.currentTime ?? 0,
    bufferMs: () => bufferAheadMs(el()),
    droppedFrames: () => {
      const e = el();
      return e && typeof e.getVideoPlaybackQuality === 'function'
        ? e.getVideoPlaybackQuality().droppedVideoFrames
        : undefined;
    },
  };
}

/**
 * Adapter for a media element.
 * @example tracker.attach(html5Adapter(document.querySelector('video')!))
 */
export function html5Adapter(video: MediaElementLike): AdapterFactory {
  return (input) => ({
    detach: wireMediaElement(video, input),
    ...mediaReadouts(() => video),
    playerName: 'html5',
  });
}

/**
 * Creates a tracker and attaches it to a media element in one call.
 * @example const tracker = html5(video, { contentId: 'intro' });
 */
export function html5(video: MediaElementLike, options: TrackerOptions): Tracker {
  const tracker = createTracker(options);
  tracker.attach(html5Adapter(video));
  return tracker;
}
