/**
 * The contract between a player adapter and the tracker. Adapters translate a player's events into
 * these normalised signals (and nothing else); the tracker turns them into schema events and QoE
 * counters. A host with an unsupported player can call `tracker.input` directly.
 */
import type { Logger } from '../log.js';

/** A rendition (variant, representation) as the schema describes it. */
export interface Rendition {
  /** Bits per second. */
  bitrate: number;
  width?: number;
  height?: number;
  /** Index in the player's rendition list. */
  level?: number;
  /** Frames per second, where the manifest declares it (schema 1-1-0 `frame_rate`). */
  frameRate?: number;
}

/**
 * What the player says about the tracks playing and the content protection (schema 1-1-0's
 * envelope fields). `undefined` leaves a value as it was; `null` clears it (no subtitles shown,
 * language unknown).
 */
export interface MediaInfo {
  /** BCP 47 tag of the audio track playing. */
  audioLanguage?: string | null;
  /** BCP 47 tag of the subtitle track shown. */
  subtitleLanguage?: string | null;
  /** The schema's name of the DRM system in use (`widevine`, ...; `drmSystem()` of the adapters maps key systems). */
  drmSystem?: string | null;
}

/** Timing of one downloaded media segment (used for the bitrate estimate). */
export interface SegmentTiming {
  /** Bytes downloaded. */
  bytes: number;
  /** Download time, ms. Reported by the adapters; the core does not use it (throughput comes from the player's own estimate). */
  loadMs: number;
  /** Media duration of the segment, seconds (0 if unknown). */
  durationS: number;
}

/** Normalised player signals. Every method is safe to call in any state and never throws. */
export interface PlayerInput {
  /** Play was requested (`play` event, or autoplay). */
  request(autoplay?: boolean): void;
  /** Playback is running (`playing` event). */
  playing(): void;
  /** The playhead moved to `playhead` seconds (`timeupdate`). */
  progress(playhead: number): void;
  pause(): void;
  /** Playback may be stalled (`waiting`, hls.js BUFFER_STALLED_ERROR); `sinceMono` backdates its start. */
  waiting(sinceMono?: number): void;
  /** A seek began; `to` is the target position, seconds. */
  seeking(to?: number): void;
  seeked(): void;
  ended(): void;
  /** Volume (0..1) and mute state now; `baseline` records the state without reporting a change. */
  volume(volume: number, muted: boolean, baseline?: boolean): void;
  /** A rendition was loaded (variant playlist / representation first used). Repeats are ignored. */
  variantLoaded(r: Rendition, key?: string | number): void;
  /** The rendition being played changed. */
  renditionChanged(r: Rendition): void;
  segmentLoaded(t: SegmentTiming): void;
  error(code: string, message: string | undefined, fatal: boolean): void;
  /** The tracks or protection changed (or became known). */
  media(info: MediaInfo): void;
  /** The element got a new source: ends the session (new_source) and starts another. */
  newSource(): void;
  /** The tracker's logger, for adapter diagnostics. */
  readonly log: Logger;
}

/** What an attached adapter gives back to the tracker. */
export interface AdapterHandle {
  /** Removes every listener the adapter added. */
  detach(): void;
  /** Current playhead, seconds. */
  playhead?(): number;
  /** Cumulative dropped video frames, where the browser exposes them. */
  droppedFrames?(): number | undefined;
  /** The player's current throughput estimate, kbps; undefined until it measured one. */
  throughputKbps?(): number | undefined;
  /** Forward buffer: media buffered ahead of the playhead, ms. */
  bufferMs?(): number | undefined;
  playerName?: string;
  playerVersion?: string;
}

/** An adapter ready to attach: `tracker.attach(html5Adapter(video))`. */
export type AdapterFactory = (input: PlayerInput) => AdapterHandle;

/** Removes one listener. */
type Unlisten = () => void;

/**
 * Collects remove functions so detach removes exactly what attach added; `removeAll` runs each
 * once, even if one throws.
 */
export function listenerBag(): { add(u: Unlisten): void; removeAll(): void } {
  let list: Unlisten[] = [];
  return {
    add: (u) => void list.push(u),
    removeAll: () => {
      const l = list;
      list = [];
      for (const u of l) {
        try {
          u();
        } catch {
          // A player that throws on off() must not keep the other listeners attached.
        }
      }
    },
  };
}
